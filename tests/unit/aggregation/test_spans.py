"""Span consensus: span F1, exact-span majority, BIO votes per token, text boundaries."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.aggregation import SpanConsensus, span_f1
from fairlabel.aggregation.spans import tokenize


def span(start: int, end: int, label: str) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


TEXT = "Ada Lovelace met Charles Babbage in London, England"
ADA, CHARLES = span(0, 12, "PER"), span(17, 32, "PER")
LONDON, ENGLAND = span(36, 42, "LOC"), span(44, 51, "LOC")


def test_the_example_offsets() -> None:
    assert [TEXT[s["start"]:s["end"]] for s in (ADA, CHARLES, LONDON, ENGLAND)] == [
        "Ada Lovelace", "Charles Babbage", "London", "England"]


def test_span_f1_by_hand() -> None:
    assert span_f1([ADA, LONDON], [ADA]) == pytest.approx(2 * 1 / (2 + 1))
    assert span_f1([ADA], [span(0, 12, "LOC")]) == 0.0  # the label counts
    assert span_f1([ADA], [span(0, 11, "PER")]) == 0.0  # and the exact boundaries
    assert span_f1([], []) == 1.0
    assert span_f1([], [ADA]) == 0.0
    assert span_f1([LONDON, ADA], [ADA, LONDON]) == 1.0  # order is no matter


def test_span_mode_keeps_what_a_strict_majority_marked() -> None:
    answers = [[ADA, LONDON], [ADA, CHARLES, LONDON], [CHARLES, ENGLAND]]
    model = SpanConsensus().fit(["t"] * 3, ["a", "b", "c"], answers)
    assert model.result_.consensus == {"t": [ADA, CHARLES, LONDON]}
    f1s = [2 * 2 / (2 + 3), 1.0, 2 * 1 / (2 + 3)]
    assert model.result_.agreement["t"] == pytest.approx(sum(f1s) / 3)
    assert model.result_.worker_agreement == pytest.approx(dict(zip("abc", f1s, strict=True)))
    tie = SpanConsensus().fit_predict(["t"] * 4, list("abcd"), [[ADA], [ADA], [], []])
    assert tie == {"t": []}  # 2 of 4 is no majority


def test_spans_at_the_text_boundaries() -> None:
    text = "Paris is far from Rome"
    paris, rome = span(0, 5, "LOC"), span(18, 22, "LOC")
    for mode in ("span", "token"):
        model = SpanConsensus(mode=mode).fit(  # type: ignore[arg-type]
            ["t"] * 3, list("abc"), [[paris, rome], [paris, rome], [rome]], texts={"t": text})
        assert model.result_.consensus == {"t": [paris, rome]}


def test_token_mode_forgives_boundaries_a_few_characters_off() -> None:
    text = "New York City is big"
    answers = [[span(0, 8, "LOC")], [span(0, 7, "LOC")], [span(1, 8, "LOC")]]
    assert SpanConsensus().fit_predict(["t"] * 3, list("abc"), answers) == {"t": []}
    model = SpanConsensus(mode="token").fit(["t"] * 3, list("abc"), answers, texts={"t": text})
    assert model.result_.consensus == {"t": [span(0, 8, "LOC")]}
    assert model.result_.worker_agreement == {"a": 1.0, "b": 0.0, "c": 0.0}


def test_token_mode_splits_adjacent_spans_where_most_answers_begin_one() -> None:
    text = "Paris London"
    two = [span(0, 5, "LOC"), span(6, 12, "LOC")]
    one = [span(0, 12, "LOC")]
    model = SpanConsensus(mode="token")
    assert model.fit_predict(["t"] * 3, list("abc"), [two, two, one], texts={"t": text}) == {
        "t": two}
    assert model.fit_predict(["t"] * 3, list("abc"), [two, one, one], texts={"t": text}) == {
        "t": one}


def test_token_mode_keeps_punctuation_out_of_a_name() -> None:
    assert tokenize("London, England.") == [(0, 6), (6, 7), (8, 15), (15, 16)]
    model = SpanConsensus(mode="token")
    answers = [[span(0, 6, "LOC")], [span(0, 7, "LOC")], [span(0, 6, "LOC")]]
    assert model.fit_predict(["t"] * 3, list("abc"), answers, texts={"t": "London, England."}) \
        == {"t": [span(0, 6, "LOC")]}


def test_one_answer_and_empty_answers() -> None:
    model = SpanConsensus().fit(["t", "u", "u"], ["a", "a", "b"], [[LONDON, ADA], [], []])
    assert model.result_.consensus == {"t": [ADA, LONDON], "u": []}
    assert model.result_.agreement == {"t": 1.0, "u": 1.0}


def test_token_mode_needs_every_text_and_spans_inside_it() -> None:
    with pytest.raises(ValueError, match="token mode needs the texts"):
        SpanConsensus(mode="token").fit(["t"], ["a"], [[ADA]])
    with pytest.raises(ValueError, match="task 'u': no text"):
        SpanConsensus(mode="token").fit(["t", "u"], ["a", "a"], [[ADA], []], texts={"t": TEXT})
    with pytest.raises(ValueError, match="past the text's 3 characters"):
        SpanConsensus(mode="token").fit(["t"], ["a"], [[ADA]], texts={"t": "Ada"})


@pytest.mark.parametrize(("answer", "message"), [
    ([ADA, span(5, 20, "PER")], "overlap"),
    ([span(3, 3, "PER")], "start < end"),
    ([span(-1, 3, "PER")], "start < end"),
    ([{"start": 0.0, "end": 3, "label": "PER"}], "integers"),
    ([{"start": 0, "end": 3}], "start, end and label"),
    ("Ada", "list of spans"),
])
def test_bad_answers_name_the_task_and_worker(answer: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"task 't', worker 'w': .*{message}"):
        SpanConsensus().fit(["t"], ["w"], [answer])


def test_unknown_mode() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        SpanConsensus(mode="char")  # type: ignore[arg-type]


WORDS = ["Ada", "met", "Rome", "and", "Paris", "in", "May", ",", "then", "Oslo"]


@st.composite
def text_and_token_spans(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """A text of words and a non-overlapping answer whose spans cover whole tokens."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12))
    text = " ".join(words)
    tokens = tokenize(text)
    cuts = sorted(draw(st.sets(st.integers(0, len(tokens)), max_size=6)))
    spans = []
    for first, last in zip(cuts[::2], cuts[1::2], strict=False):
        if first < last and draw(st.booleans()):
            spans.append(span(tokens[first][0], tokens[last - 1][1],
                              draw(st.sampled_from(["PER", "LOC"]))))
    return text, spans


@settings(max_examples=80, deadline=None)
@given(text_and_token_spans(), st.integers(1, 5), st.sampled_from(["span", "token"]))
def test_identical_answers_give_that_answer_with_agreement_one(
        case: tuple[str, list[dict[str, Any]]], n: int, mode: str) -> None:
    text, answer = case
    model = SpanConsensus(mode=mode).fit(  # type: ignore[arg-type]
        ["t"] * n, list(range(n)), [answer] * n, texts={"t": text})
    assert model.result_.consensus == {"t": answer}
    assert model.result_.agreement == {"t": 1.0}
    assert set(model.result_.worker_agreement.values()) == {1.0}
