"""The structured task types (bounding boxes, spans, ranking) and images in choice tasks:
their schemas, task data, canonical answers and gold grading — pure rules, no I/O."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import kendalltau

from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.label_schema import (
    BoundingBoxes,
    InvalidAnswer,
    InvalidSchema,
    InvalidTaskData,
    Ranking,
    Spans,
    box_iou,
    kendall_tau,
    media_id,
    parse_schema,
    span_f1,
)
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import (
    QualityTerms,
    answer_from_text,
    answer_key,
    classes,
    consensus_methods,
    default_method,
    is_correct,
)

BOXES = {"type": "bounding_boxes", "labels": ["car", "person"], "gold_iou": 0.5}
SPANS = {"type": "spans", "labels": ["PER", "LOC", "ORG"], "gold_f1": 0.8}
RANKING = {"type": "ranking", "gold_tau": 0.6}
TEXT = "Ada Lovelace was born in London."
THREE = {"prompt": "Say hi", "responses": ["hi", "hello", "hey"]}


def box(label: str, x: float, y: float, width: float, height: float) -> dict[str, Any]:
    return {"label": label, "x": x, "y": y, "width": width, "height": height}


def boxes(**overrides: Any) -> BoundingBoxes:
    schema = parse_schema({**BOXES, **overrides})
    assert isinstance(schema, BoundingBoxes)
    return schema


# Schemas -------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [BOXES, SPANS, RANKING])
def test_the_new_schemas_round_trip_through_their_json_form(raw: dict[str, Any]) -> None:
    assert parse_schema(raw).to_dict() == raw


def test_gold_thresholds_have_defaults() -> None:
    assert parse_schema({"type": "bounding_boxes", "labels": ["a"]}).to_dict()["gold_iou"] == 0.5
    assert parse_schema({"type": "spans", "labels": ["a"]}).to_dict()["gold_f1"] == 0.8
    assert parse_schema({"type": "ranking"}).to_dict()["gold_tau"] == 0.6


@pytest.mark.parametrize(("raw", "message"), [
    ({"type": "bounding_boxes"}, "'labels' must be a non-empty list"),
    ({"type": "bounding_boxes", "labels": []}, "non-empty list"),
    ({"type": "spans", "labels": ["PER", "PER"]}, "distinct"),
    ({"type": "spans", "labels": ["PER", " "]}, "non-empty string"),
    ({"type": "spans", "labels": ["PER", 3]}, "non-empty string"),
    ({"type": "spans", "labels": [f"L{i}" for i in range(51)]}, "at most 50"),
    ({"type": "spans", "labels": ["x" * 201]}, "longer than 200"),
    ({**BOXES, "gold_iou": 0}, r"in \(0, 1\]"),
    ({**BOXES, "gold_iou": 1.5}, r"in \(0, 1\]"),
    ({**BOXES, "gold_iou": True}, "must be a number"),
    ({**BOXES, "gold_iou": math.nan}, "must be a number"),
    ({**BOXES, "gold_iou": "0.5"}, "must be a number"),
    ({**SPANS, "gold_f1": -0.1}, r"in \(0, 1\]"),
    ({**RANKING, "gold_tau": -1.5}, r"in \[-1, 1\]"),
    ({**RANKING, "gold_tau": math.inf}, "must be a number"),
    ({**RANKING, "labels": ["a"]}, "unknown fields for ranking"),
    ({**BOXES, "choices": ["a", "b"]}, "unknown fields for bounding_boxes"),
])
def test_bad_structured_schemas_say_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(InvalidSchema, match=message):
        parse_schema(raw)


def test_an_unknown_type_lists_all_eight() -> None:
    with pytest.raises(InvalidSchema) as error:
        parse_schema({"type": "polygons"})
    assert "bounding_boxes, spans, ranking" in error.value.message


# Images ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("ref", ["media:1", "media:12345", "https://images.example.org/a.png",
                                 "https://cdn.example.org/x/y.jpg?size=2"])
def test_images_are_media_references_or_https_urls(ref: str) -> None:
    for raw in (BOXES, {"type": "single_choice", "choices": ["cat", "dog"]},
                {"type": "multi_choice", "choices": ["cat", "dog"]}):
        assert parse_schema(raw).validate_task_data({"image": ref}) == {"image": ref}


@pytest.mark.parametrize(("ref", "message"), [
    ("http://example.org/a.png", "https://"),
    ("javascript:alert(1)", "https://"),
    ("data:image/png;base64,AAAA", "https://"),
    ("file:///etc/passwd", "https://"),
    ("https://", "https://"),
    ("https://exa mple.org/a.png", "https://"),
    ("https://user:secret@example.org/a.png", "user name or password"),
    ("https://example.org/" + "a" * 3000, "limit is 2048"),
    ("media:0", "not a media reference"),
    ("media:-3", "not a media reference"),
    ("media:abc", "not a media reference"),
    (12, "must be a string"),
])
def test_other_image_references_are_refused(ref: object, message: str) -> None:
    with pytest.raises(InvalidTaskData, match=message):
        parse_schema(BOXES).validate_task_data({"image": ref})
    with pytest.raises(InvalidTaskData, match=message):
        parse_schema({"type": "single_choice", "choices": ["a", "b"]}).validate_task_data(
            {"text": "t", "image": ref})


def test_choice_tasks_may_go_without_an_image_and_a_blank_one_is_dropped() -> None:
    single = parse_schema({"type": "single_choice", "choices": ["a", "b"]})
    assert single.validate_task_data({"text": "t"}) == {"text": "t"}
    assert single.validate_task_data({"text": "t", "image": ""}) == {"text": "t"}
    with pytest.raises(InvalidTaskData, match="empty"):
        single.validate_task_data({"image": " "})


def test_a_box_task_needs_an_image() -> None:
    with pytest.raises(InvalidTaskData, match="needs an 'image'"):
        parse_schema(BOXES).validate_task_data({"text": "no picture"})


def test_media_ids_are_read_from_references() -> None:
    assert media_id("media:42") == 42
    assert media_id("https://example.org/media:42") is None


# Boxes ---------------------------------------------------------------------------------------

def test_boxes_are_stored_rounded_clamped_and_left_to_right() -> None:
    answer = [box("person", 0.5, 0.1, 0.25, 0.5),
              box("car", 0.1234567891, -1e-10, 0.5, 1.0000000001)]
    assert boxes().validate_answer(answer) == [
        box("car", 0.123457, 0.0, 0.5, 1.0), box("person", 0.5, 0.1, 0.25, 0.5)]
    assert boxes().validate_answer([]) == []


@pytest.mark.parametrize(("answer", "message"), [
    ({"label": "car"}, "must be a list of boxes"),
    ([box("bus", 0, 0, 0.5, 0.5)], "label “bus” is not one of"),
    ([box("car", 0, 0, 0, 0.5)], "'width' must be more than 0"),
    ([box("car", 0, 0, 0.5, -0.1)], "'height' must be more than 0"),
    ([box("car", -0.01, 0, 0.5, 0.5)], "leaves the image"),
    ([box("car", 0.6, 0, 0.5, 0.5)], "leaves the image"),
    ([box("car", 0, 0.9, 0.5, 0.2)], "leaves the image"),
    ([box("car", math.nan, 0, 0.5, 0.5)], "finite number"),
    ([box("car", 0, 0, math.inf, 0.5)], "finite number"),
    ([box("car", True, 0, 0.5, 0.5)], "finite number"),
    ([box("car", "0.1", 0, 0.5, 0.5)], "finite number"),
    ([box("car", 0, 0, 4e-7, 0.5)], "too thin"),
    ([{**box("car", 0, 0, 0.5, 0.5), "score": 1}], "unknown fields"),
    ([{"label": "car", "x": 0, "y": 0, "width": 0.5}], "lacks height"),
    (["car"], "must be an object"),
    ([box("car", 0, 0, 0.1, 0.1)] * 201, "at most 200 boxes"),
])
def test_invalid_boxes_are_refused_with_the_reason(answer: Any, message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        boxes().validate_answer(answer)


edges = st.floats(min_value=-0.2, max_value=1.2, allow_nan=False) | st.sampled_from(
    [0.0, 1.0, -1e-10, 1 + 1e-10, 1e-7, 1 - 1e-7, 0.1, 0.2, 0.3, 0.7])


@given(x=edges, y=edges, width=edges, height=edges)
def test_a_stored_box_is_inside_the_image_and_stays_the_drawn_box(
        x: float, y: float, width: float, height: float) -> None:
    schema = boxes()
    inside = x >= 0 and y >= 0 and width >= 2e-6 and height >= 2e-6 \
        and x + width <= 1 and y + height <= 1
    try:
        [stored] = schema.validate_answer([box("car", x, y, width, height)])
    except InvalidAnswer:
        assert not inside, "a box inside the image was refused"
        return
    for start, size, drawn_start, drawn_size in ((stored["x"], stored["width"], x, width),
                                                 (stored["y"], stored["height"], y, height)):
        assert start >= 0 and size >= 1e-6 and start + size <= 1 + 1e-9
        assert round(start, 6) == start and round(size, 6) == size
        assert drawn_start >= -1e-9 and drawn_start + drawn_size <= 1 + 1e-9
        assert abs(start - max(drawn_start, 0)) <= 5e-7 + 1e-12
        assert abs(start + size - min(drawn_start + drawn_size, 1)) <= 1e-6
    assert schema.validate_answer([stored]) == [stored]  # canonical: validating is stable


def test_box_iou() -> None:
    a = box("car", 0, 0, 0.5, 0.5)
    assert box_iou(a, a) == 1
    assert box_iou(a, box("car", 0.5, 0.5, 0.5, 0.5)) == 0
    assert box_iou(a, box("car", 0.25, 0, 0.5, 0.5)) == pytest.approx(1 / 3)


def test_box_gold_needs_a_one_to_one_match_found_by_augmenting_paths() -> None:
    schema = boxes()
    wide, narrow = box("car", 0.0, 0.0, 0.6, 0.5), box("car", 0.0, 0.0, 0.4, 0.5)
    right = box("car", 0.3, 0.0, 0.4, 0.5)
    expected = [wide, right]
    # The wide answer box matches both expected boxes, the narrow one only the wide one: a
    # greedy pairing of "wide with wide" leaves the right box unmatched; the matching does not.
    answer = [box("car", 0.15, 0.0, 0.55, 0.5), narrow]
    assert box_iou(answer[0], wide) >= 0.5 and box_iou(answer[0], right) >= 0.5
    assert box_iou(narrow, wide) >= 0.5 and box_iou(narrow, right) < 0.5
    for pairing in (answer, answer[::-1]):  # a greedy pairing fails one of the two orders
        assert is_correct(schema, pairing, expected)
        assert is_correct(schema, pairing, expected[::-1])
    assert not is_correct(schema, [answer[0]], expected)  # one expected box left over
    assert not is_correct(schema, [*answer, box("car", 0.8, 0.8, 0.1, 0.1)], expected)
    assert not is_correct(schema, [{**wide, "label": "person"}, right], expected)
    assert is_correct(schema, [], [])
    assert not is_correct(schema, [wide], [])


def test_the_box_gold_threshold_is_the_schemas() -> None:
    expected = [box("car", 0, 0, 0.5, 0.5)]
    shifted = [box("car", 0.1, 0, 0.5, 0.5)]  # IoU 2/3
    assert is_correct(boxes(), shifted, expected)
    assert not is_correct(boxes(gold_iou=0.7), shifted, expected)


# Spans ---------------------------------------------------------------------------------------

def spans() -> Spans:
    schema = parse_schema(SPANS)
    assert isinstance(schema, Spans)
    return schema


def span(start: int, end: int, label: str = "PER") -> dict[str, Any]:
    return {"start": start, "end": end, "label": label}


def test_spans_are_stored_by_start_in_code_points() -> None:
    text = "Zoë 👩‍🔬 met Ada in Paris"
    paris = text.index("Paris")
    answer = [span(paris, paris + 5, "LOC"), span(0, 3)]
    assert spans().validate_answer(answer, {"text": text}) == [
        span(0, 3), span(paris, paris + 5, "LOC")]
    assert spans().validate_answer([], {"text": text}) == []
    assert spans().validate_answer([span(0, len(text))], {"text": text}) == [span(0, len(text))]


@pytest.mark.parametrize(("answer", "message"), [
    ({"start": 0}, "must be a list of spans"),
    ([span(0, 3, "DATE")], "label “DATE” is not one of"),
    ([span(3, 3)], "start < end"),
    ([span(-1, 3)], "start < end"),
    ([span(0, 1000)], "past the end of the text"),
    ([span(0, 3), span(2, 5, "LOC")], "spans overlap"),
    ([span(0, 3), span(0, 3)], "spans overlap"),
    ([{"start": 0.0, "end": 3, "label": "PER"}], "whole number"),
    ([{"start": False, "end": 3, "label": "PER"}], "whole number"),
    ([{"start": 0, "end": 3}], "lacks label"),
    ([{**span(0, 3), "text": "Ada"}], "unknown fields"),
    ([span(i, i + 1) for i in range(501)], "at most 500 spans"),
])
def test_invalid_spans_are_refused_with_the_reason(answer: Any, message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        spans().validate_answer(answer, {"text": TEXT})


def test_span_tasks_need_a_text() -> None:
    assert spans().validate_task_data({"text": TEXT, "id": 3}) == {"text": TEXT, "id": 3}
    for data in ({"title": "x"}, {"text": " "}, {"text": ["a"]}):
        with pytest.raises(InvalidTaskData, match="'text'"):
            spans().validate_task_data(data)


intervals = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=8)


@given(intervals)
def test_spans_are_accepted_exactly_when_none_overlap(raw: list[tuple[int, int]]) -> None:
    answer = [span(start, start + length) for start, length in raw]
    overlapping = any(max(a[0], b[0]) < min(a[0] + a[1], b[0] + b[1])
                      for a, b in itertools.combinations(raw, 2))
    try:
        stored = spans().validate_answer(answer, {"text": "x" * 48})
    except InvalidAnswer as error:
        assert overlapping, error.message
        return
    assert not overlapping
    assert [s["start"] for s in stored] == sorted(s["start"] for s in answer)
    assert all(a["end"] <= b["start"] for a, b in itertools.pairwise(stored))


def test_span_f1_and_gold() -> None:
    want = [span(0, 12), span(25, 31, "LOC")]
    assert span_f1(want, want) == 1 and span_f1([], []) == 1
    assert span_f1([], want) == 0
    assert span_f1([span(0, 12)], want) == pytest.approx(2 / 3)
    assert span_f1([span(0, 12), span(25, 31, "ORG")], want) == pytest.approx(0.5)
    schema = spans()
    assert is_correct(schema, want, want) and is_correct(schema, [], [])
    assert not is_correct(schema, [span(0, 12)], want)  # F1 2/3 < 0.8
    lenient = parse_schema({**SPANS, "gold_f1": 0.6})
    assert is_correct(lenient, [span(0, 12)], want)


# Ranking -------------------------------------------------------------------------------------

def ranking() -> Ranking:
    schema = parse_schema(RANKING)
    assert isinstance(schema, Ranking)
    return schema


def test_rankings_keep_their_order_and_a_trimmed_rationale() -> None:
    assert ranking().validate_answer({"order": [2, 0, 1]}, THREE) == {"order": [2, 0, 1]}
    assert ranking().validate_answer({"order": [1, 0, 2], "rationale": "  warmer "}, THREE) == {
        "order": [1, 0, 2], "rationale": "warmer"}
    assert ranking().validate_answer({"order": [0, 1, 2], "rationale": "  "}, THREE) == {
        "order": [0, 1, 2]}


@pytest.mark.parametrize(("answer", "message"), [
    ([2, 0, 1], "must be an object"),
    ({"order": [0, 1]}, "each of the 3 responses once"),
    ({"order": [0, 1, 1]}, "each of the 3 responses once"),
    ({"order": [1, 2, 3]}, "each of the 3 responses once"),
    ({"order": [0, 1, True]}, "whole numbers"),
    ({"order": [0, 1, 2.0]}, "whole numbers"),
    ({"order": "0,1,2"}, "must be a list"),
    ({"order": [0, 1, 2], "best": 0}, "unknown fields"),
    ({"rationale": "x"}, "lacks order"),
    ({"order": [0, 1, 2], "rationale": 3}, "'rationale' must be a string"),
    ({"order": [0, 1, 2], "rationale": "x" * 5001}, "longer than 5000"),
])
def test_invalid_rankings_are_refused_with_the_reason(answer: Any, message: str) -> None:
    with pytest.raises(InvalidAnswer, match=message):
        ranking().validate_answer(answer, THREE)


@pytest.mark.parametrize(("data", "message"), [
    ({"responses": ["a", "b"]}, "'prompt'"),
    ({"prompt": "p", "responses": ["a"]}, "2 to 9"),
    ({"prompt": "p", "responses": [str(i) for i in range(10)]}, "2 to 9"),
    ({"prompt": "p", "responses": "a, b"}, "2 to 9"),
    ({"prompt": "p", "responses": ["a", ""]}, "response 2 must be a non-empty string"),
    ({"prompt": "p", "responses": ["a", 3]}, "response 2 must be a non-empty string"),
])
def test_ranking_tasks_need_a_prompt_and_two_to_nine_responses(data: Any, message: str) -> None:
    with pytest.raises(InvalidTaskData, match=message):
        ranking().validate_task_data(data)
    assert ranking().validate_task_data(THREE) == THREE


@given(st.permutations(range(6)), st.permutations(range(6)))
def test_kendall_tau_is_scipys(order: list[int], expected: list[int]) -> None:
    ranks = [expected.index(item) for item in order]
    assert kendall_tau(order, expected) == pytest.approx(kendalltau(range(6), ranks)[0])


def test_ranking_gold_is_graded_by_kendall_tau() -> None:
    expected = {"order": [0, 1, 2, 3]}
    assert kendall_tau([3, 2, 1, 0], [0, 1, 2, 3]) == -1
    assert kendall_tau([1, 0, 2, 3], [0, 1, 2, 3]) == pytest.approx(2 / 3)
    assert is_correct(ranking(), {"order": [1, 0, 2, 3], "rationale": "x"}, expected)
    assert not is_correct(ranking(), {"order": [1, 0, 3, 2]}, expected)  # tau 1/3
    assert not is_correct(ranking(), {"order": [0, 1, 2]}, expected)


# How the quality rules see structured answers --------------------------------------------------

def test_structured_answers_are_not_categorical_but_compare_by_canonical_json() -> None:
    assert classes(boxes()) is None and classes(spans()) is None and classes(ranking()) is None
    assert boxes().majority([[], []]) is None and ranking().majority([{"order": [0, 1]}]) is None
    assert answer_key(ranking(), {"order": [1, 0], "rationale": "a"}) == answer_key(
        ranking(), {"order": [1, 0]})
    assert answer_key(spans(), [span(0, 3)]) != answer_key(spans(), [span(0, 4)])


def test_gold_written_as_text_is_read_as_json() -> None:
    assert answer_from_text(boxes(), ' [{"label": "car", "x": 0, "y": 0, "width": 1, '
                                     '"height": 1}] ') == [box("car", 0, 0, 1, 1)]
    assert answer_from_text(spans(), "[]") == []
    assert answer_from_text(ranking(), '{"order": [1, 0]}') == {"order": [1, 0]}
    with pytest.raises(InvalidAnswer, match="must be an object"):
        ranking().validate_answer(answer_from_text(ranking(), "1, 0"))


# Consensus methods and adaptive redundancy per type ---------------------------------------------

def terms(schema: dict[str, Any], **quality: Any) -> ProjectTerms:
    return ProjectTerms("p", "", parse_schema(schema), 3, Money(5, "USD"), 600,
                        quality=QualityTerms(**quality))


@pytest.mark.parametrize(("schema", "default", "methods"), [
    (BOXES, "iou", ("iou",)), (SPANS, "span", ("span", "token")),
    (RANKING, "borda", ("borda", "pl")),
    ({"type": "pairwise"}, "ds", ("mv", "wmv", "ds", "ods", "glad", "mace"))])
def test_each_type_has_its_consensus_methods(schema: dict[str, Any], default: str,
                                             methods: tuple[str, ...]) -> None:
    parsed = parse_schema(schema)
    assert default_method(parsed) == default and consensus_methods(parsed) == methods
    assert terms(schema).quality.consensus_method == default  # none named: the default
    assert terms(schema, gold_rate=0.1).quality.consensus_method == default
    for method in methods:
        assert terms(schema, consensus_method=method).quality.consensus_method == method


def test_structured_projects_refuse_categorical_methods_and_adaptive_redundancy() -> None:
    with pytest.raises(InvalidInput, match="bounding_boxes answers take the consensus method "
                                           "iou, not “ds”"):
        terms(BOXES, consensus_method="ds")
    with pytest.raises(InvalidInput, match="span / token"):
        terms(SPANS, consensus_method="mace")
    with pytest.raises(InvalidInput, match="“borda” is for boxes, spans or rankings"):
        terms({"type": "single_choice", "choices": ["a", "b"]}, consensus_method="borda")
    with pytest.raises(InvalidInput, match="does not apply to ranking projects"):
        terms(RANKING, consensus_method="borda", confidence_target=0.9)
    with pytest.raises(InvalidInput, match="unknown consensus method"):
        terms(RANKING, consensus_method="kemeny")


def test_the_demos_gold_answers_pass_their_own_grading() -> None:
    """The demo's drawn scenes and marked sentences: each gold answer is a valid answer and
    is graded correct against itself; a scene's boxes lie on what was drawn."""
    from fairlabel.demo.pictures import street_scenes
    from fairlabel.demo.structured import marked_sentence, span_rows

    boxes = parse_schema({"type": "bounding_boxes", "labels": ["car", "person",
                                                               "traffic light"]})
    scenes = street_scenes(24)
    assert sum(len(s.boxes) for s in scenes) > 30
    for scene in scenes:
        answer = boxes.validate_answer(scene.boxes)
        assert is_correct(boxes, answer, answer)
    spans = parse_schema({"type": "spans", "labels": ["PER", "LOC", "ORG"]})
    for row in span_rows():
        text = row["data"]["text"]
        assert "[" not in text and "](" not in text
        if "gold" in row:
            answer = spans.validate_answer(row["gold"], data=row["data"])
            assert is_correct(spans, answer, answer)
    text, marked = marked_sentence("[Médecins](ORG) near [Goma](LOC).")
    assert [text[s["start"]:s["end"]] for s in marked] == ["Médecins", "Goma"]
