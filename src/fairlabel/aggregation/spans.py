"""Span consensus: the stretches of a text (names, places...) that most workers marked alike.

An answer is a list of spans ``{"start", "end", "label"}`` in Unicode code points of the task's
text (``text[start:end]`` in Python), not overlapping. Two modes:

- ``mode="span"``: a span ``(start, end, label)`` is kept when a strict majority of the task's
  answers marked exactly it. Spans kept this way never overlap: two spans each marked by more
  than half of the answers share an answer, and one answer holds no overlapping spans.
- ``mode="token"`` (needs the texts): the text is cut into tokens — runs of word characters
  and single punctuation marks, so "Paris," is two tokens — and each answer tags every token
  BIO-style: ``B-label`` on the first token a span touches, ``I-label`` on the following ones,
  ``O`` elsewhere. Each token takes the label a strict majority of the answers gave it (else
  ``O``); a token with the same label as the one before starts a new span when more of the
  answers that gave it that label had it as ``B`` than as ``I``. The spans are rebuilt from
  the tokens' offsets. This forgives workers who disagree on a boundary by a few characters
  (the span mode counts them as different spans).

Agreement of a task is the mean span F1 (``span_f1``: exact start, end and label) of its
answers against the consensus; a worker's agreement is the mean over their answers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal, Self, TypeAlias

from fairlabel.aggregation._encoding import Key
from fairlabel.aggregation.structured import StructuredConsensus, TaskAnswers, TaskFit

Span: TypeAlias = tuple[int, int, str]
"""``(start, end, label)``."""

SpanAnswer: TypeAlias = list[dict[str, Any]]
"""A canonical span answer: ``[{"start", "end", "label"}, ...]`` ordered by start."""

Mode = Literal["span", "token"]
TOKEN = re.compile(r"\w+|[^\w\s]")


def parse_spans(answer: Any) -> tuple[Span, ...]:
    """Read a span answer into ``(start, end, label)`` tuples ordered by start.

    Raises:
        TypeError: If the answer is not a list of objects with integer offsets.
        ValueError: If a span is empty, reversed, negative or overlaps another.
    """
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, Sequence):
        raise TypeError("a span answer must be a list of spans")
    spans = []
    for i, span in enumerate(answer):
        if not isinstance(span, Mapping) or not {"start", "end", "label"} <= span.keys():
            raise TypeError(f"span {i} must be an object with start, end and label")
        start, end = span["start"], span["end"]
        if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) \
                or not isinstance(end, int):
            raise TypeError(f"span {i}: start and end must be integers")
        if not 0 <= start < end:
            raise ValueError(f"span {i} needs 0 <= start < end, got {start}..{end}")
        spans.append((start, end, str(span["label"])))
    spans.sort()
    for before, after in pairwise(spans):
        if after[0] < before[1]:
            raise ValueError(f"spans {before[:2]} and {after[:2]} overlap")
    return tuple(spans)


def to_answer(spans: Sequence[Span]) -> SpanAnswer:
    """The canonical answer: ``{"start", "end", "label"}`` ordered by start."""
    return [{"start": s, "end": e, "label": label} for s, e, label in sorted(spans)]


def f1(predicted: Sequence[Span], reference: Sequence[Span]) -> float:
    """Span F1 of parsed spans (see ``span_f1``)."""
    if not predicted and not reference:
        return 1.0
    common = len(set(predicted) & set(reference))
    return 2.0 * common / (len(set(predicted)) + len(set(reference)))


def span_f1(predicted: Any, reference: Any) -> float:
    """F1 of the spans of ``predicted`` against ``reference`` (canonical span answers), in
    [0, 1]: a span counts when its start, end and label are all equal. Both empty: 1."""
    return f1(parse_spans(predicted), parse_spans(reference))


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token offsets ``(start, end)`` in code points: runs of word characters, and each
    punctuation mark or symbol on its own."""
    return [match.span() for match in TOKEN.finditer(text)]


def bio_tags(spans: Sequence[Span], tokens: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Each token's ``(label, begins)`` under one answer; ``("", False)`` is ``O``.

    A span tags every token it overlaps; the first of them begins it."""
    tags = [("", False)] * len(tokens)
    position = 0
    for start, end, label in spans:
        while position < len(tokens) and tokens[position][1] <= start:
            position += 1
        first = True
        index = position
        while index < len(tokens) and tokens[index][0] < end:
            tags[index] = (label, first)
            first, index = False, index + 1
    return tags


def vote_tokens(answers: Sequence[Sequence[Span]], tokens: Sequence[tuple[int, int]]) -> list[Span]:
    """The token-mode consensus of one task (see the module's description)."""
    tagged = [bio_tags(spans, tokens) for spans in answers]
    half = len(answers) / 2.0
    spans: list[Span] = []
    previous = ""
    for index, (start, end) in enumerate(tokens):
        votes = Counter(tags[index][0] for tags in tagged)
        label, count = max(votes.items(), key=lambda item: (item[1], item[0]))
        label = label if count > half else ""
        if label and label == previous:
            begins = sum(tags[index] == (label, True) for tags in tagged)
            if 2 * begins <= count:
                spans[-1] = (spans[-1][0], end, label)
                continue
        if label:
            spans.append((start, end, label))
        previous = label
    return spans


def vote_spans(answers: Sequence[Sequence[Span]]) -> list[Span]:
    """The span-mode consensus: spans marked by a strict majority of the answers."""
    votes = Counter(span for spans in answers for span in set(spans))
    return sorted(span for span, count in votes.items() if 2 * count > len(answers))


@dataclass
class SpanConsensus(StructuredConsensus[SpanAnswer, tuple[Span, ...]]):
    """Majority consensus of text spans, by exact span or by token.

    Attributes:
        mode: ``"span"`` (exact spans) or ``"token"`` (BIO votes per token; ``fit`` then
            needs ``texts``).
        result_: The ``StructuredResult`` (consensus spans, agreement per task and worker).
    """

    mode: Mode = "span"
    _texts: Mapping[Any, str] = field(default_factory=dict, init=False, repr=False,
                                      compare=False)

    def __post_init__(self) -> None:
        if self.mode not in ("span", "token"):
            raise ValueError(f"unknown mode {self.mode!r}; use 'span' or 'token'")

    def fit(self, tasks: Sequence[Key], workers: Sequence[Key], answers: Sequence[Any],
            *, texts: Mapping[Any, str] | None = None) -> Self:
        """Fit on parallel task ids, worker ids and span answers.

        Args:
            texts: ``{task: text}``; required in token mode (the text each span refers to).

        Raises:
            ValueError: On malformed answers, or in token mode a task without its text or a
                span past the end of its text.
        """
        if self.mode == "token" and texts is None:
            raise ValueError("token mode needs the texts: fit(..., texts={task: text})")
        self._texts = texts or {}
        return super().fit(tasks, workers, answers)

    def fit_predict(self, tasks: Sequence[Key], workers: Sequence[Key], answers: Sequence[Any],
                    *, texts: Mapping[Any, str] | None = None) -> dict[Key, SpanAnswer]:
        """Fit and return ``{task: consensus spans}``; arguments as in ``fit``."""
        return self.fit(tasks, workers, answers, texts=texts).result_.consensus

    def _parse(self, answer: Any) -> tuple[Span, ...]:
        return parse_spans(answer)

    def _fit_tasks(self, groups: list[TaskAnswers[tuple[Span, ...]]]) -> list[TaskFit[SpanAnswer]]:
        return [self._fit_task(group) for group in groups]

    def _fit_task(self, group: TaskAnswers[tuple[Span, ...]]) -> TaskFit[SpanAnswer]:
        if self.mode == "span":
            consensus = vote_spans(group.answers)
        else:
            consensus = vote_tokens(group.answers, tokenize(self._text(group)))
        scores = tuple(f1(spans, consensus) for spans in group.answers)
        return TaskFit(to_answer(consensus), sum(scores) / len(scores), scores)

    def _text(self, group: TaskAnswers[tuple[Span, ...]]) -> str:
        if group.task not in self._texts:
            raise ValueError(f"task {group.task!r}: no text given in texts")
        text = self._texts[group.task]
        for worker, spans in zip(group.workers, group.answers, strict=True):
            if spans and spans[-1][1] > len(text):
                raise ValueError(f"task {group.task!r}, worker {worker!r}: span ends at "
                                 f"{spans[-1][1]}, past the text's {len(text)} characters")
        return text
