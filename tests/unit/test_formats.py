"""Export formats and the Label Studio conversions, without I/O."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.adapters.io.exports import FORMATS, ExportOptions
from fairlabel.adapters.io.exports.coco import coco_lines
from fairlabel.adapters.io.exports.spans import bio_tags
from fairlabel.adapters.io.label_studio.answers import from_results
from fairlabel.adapters.io.label_studio.config import labeling_config, target
from fairlabel.adapters.io.label_studio.importer import image_ref, rows_from_label_studio
from fairlabel.adapters.io.label_studio.offsets import code_point_offset, utf16_offset
from fairlabel.adapters.io.label_studio.results import to_results
from fairlabel.domain.errors import ImportRejected, InvalidInput
from fairlabel.domain.label_schema import LabelSchema, parse_schema

TEXT = "Zoë met 🙂 Bob in 𝔓aris"
CASES: list[tuple[dict[str, Any], dict[str, Any], Any]] = [
    ({"type": "single_choice", "choices": ["a", "b"]}, {"text": "x"}, "b"),
    ({"type": "multi_choice", "choices": ["a", "b", "c"]}, {"image": "media:3"}, ["a", "c"]),
    ({"type": "multi_choice", "choices": ["a", "b"]}, {"text": "x"}, []),
    ({"type": "rating", "min": 1, "max": 7}, {"text": "x"}, 6),
    ({"type": "rating", "min": -2, "max": 2}, {"text": "x"}, -1),
    ({"type": "free_text", "max_length": 50}, {"text": "x"}, "a translation"),
    ({"type": "pairwise"}, {"prompt": "p", "response_a": "a", "response_b": "b"},
     {"choice": "b", "rationale": "shorter"}),
    ({"type": "bounding_boxes", "labels": ["car", "dog"]}, {"image": "media:1"},
     [{"label": "car", "x": 0.123457, "y": 0.0, "width": 0.876543, "height": 1.0},
      {"label": "dog", "x": 0.3, "y": 0.333333, "width": 0.1, "height": 0.2}]),
    ({"type": "bounding_boxes", "labels": ["car"]}, {"image": "media:1"}, []),
    ({"type": "spans", "labels": ["PER", "LOC"]}, {"text": TEXT},
     [{"start": 0, "end": 3, "label": "PER"}, {"start": 10, "end": 13, "label": "PER"},
      {"start": 17, "end": 22, "label": "LOC"}]),
    ({"type": "ranking"}, {"prompt": "p", "responses": ["a", "b", "c"]},
     {"order": [2, 0, 1], "rationale": "c is precise"}),
    ({"type": "ranking"}, {"prompt": "p", "responses": ["a", "b"]}, {"order": [0, 1]}),
]


@pytest.mark.parametrize(("raw", "data", "answer"), CASES)
def test_every_answer_survives_label_studio_and_back(raw: dict[str, Any],
                                                     data: dict[str, Any], answer: Any) -> None:
    schema = parse_schema(raw)
    results = to_results(schema, answer, data, target=target(list(data)), size=(640, 480))
    back = from_results(schema, json.loads(json.dumps(results)), data)
    assert schema.validate_answer(back, data) == schema.validate_answer(answer, data)


@pytest.mark.parametrize(("raw", "data", "answer"), CASES)
def test_the_labeling_config_names_what_the_results_name(raw: dict[str, Any],
                                                         data: dict[str, Any],
                                                         answer: Any) -> None:
    schema = parse_schema(raw)
    config = ElementTree.fromstring(labeling_config(schema, list(data)))
    tags = {e.get("name"): e.tag for e in config.iter() if e.get("name")}
    for result in to_results(schema, answer, data, target=target(list(data))):
        assert tags[result["from_name"]] in {"Choices", "Rating", "Number", "TextArea",
                                              "Pairwise", "RectangleLabels", "Labels", "Ranker"}
        assert all(name in tags for name in result["to_name"].split(","))
    values = {e.get("value") for e in config.iter() if e.get("value", "").startswith("$")}
    assert values <= {f"${f}" for f in [*data, "ranking_items"]}


def test_boxes_are_percent_of_the_image_with_its_pixel_size() -> None:
    schema = parse_schema({"type": "bounding_boxes", "labels": ["car"]})
    [result] = to_results(schema, [{"label": "car", "x": 0.25, "y": 0.5, "width": 0.5,
                                    "height": 0.25}], {"image": "media:1"}, target="image",
                          size=(800, 600))
    assert result["value"] == {"x": 25.0, "y": 50.0, "width": 50.0, "height": 25.0,
                               "rotation": 0, "rectanglelabels": ["car"]}
    assert (result["original_width"], result["original_height"]) == (800, 600)
    rotated = {**result, "value": {**result["value"], "rotation": 30}}
    with pytest.raises(InvalidInput, match="rotated"):
        from_results(schema, [rotated], {})


def test_span_offsets_are_utf16_in_label_studio_and_code_points_here() -> None:
    schema = parse_schema({"type": "spans", "labels": ["LOC"]})
    span = {"start": 17, "end": 22, "label": "LOC"}  # "𝔓aris", after 🙂 and 𝔓
    [result] = to_results(schema, [span], {"text": TEXT}, target="text")
    assert (result["value"]["start"], result["value"]["end"]) == (18, 24)
    assert result["value"]["text"] == "𝔓aris"
    as_code_points = {**result, "value": {**result["value"], "start": 17, "end": 22}}
    assert from_results(schema, [as_code_points], {"text": TEXT}) == [span]
    inside = {**result, "value": {"start": 19, "end": 24, "labels": ["LOC"]}}
    with pytest.raises(InvalidInput, match="UTF-16"):
        from_results(schema, [inside], {"text": TEXT})


@given(st.text(alphabet=st.sampled_from(["a", " ", "é", "🙂", "𝔓", "中"]), max_size=30),
       st.data())
def test_utf16_offsets_invert(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    assert code_point_offset(text, utf16_offset(text, index)) == index
    assert len(text[:index].encode("utf-16-le")) // 2 == utf16_offset(text, index)


def test_results_of_another_type_are_refused_naming_them() -> None:
    schema = parse_schema({"type": "bounding_boxes", "labels": ["car"]})
    with pytest.raises(InvalidInput, match=r"“polygonlabels”.*rectanglelabels"):
        from_results(schema, [{"type": "polygonlabels", "value": {"points": []}}], {})


@pytest.mark.parametrize(("url", "ref"), [
    ("media:7", "media:7"),
    ("/api/v1/media/12", "media:12"),
    ("http://label.example.org/api/v1/media/12", "media:12"),
    ("http://elsewhere.example/api/v1/media/12", "http://elsewhere.example/api/v1/media/12"),
    ("/data/upload/3/8a7b6c5d-street%201.png", "street 1.png"),
    ("https://ls.example/data/upload/3/plain.png", "plain.png"),
    ("/data/local-files/?d=shots/day/cam.jpg", "cam.jpg"),
    ("https://cdn.example/cat.png", "https://cdn.example/cat.png"),
    ("cat.png", "cat.png"),
])
def test_image_addresses_of_label_studio_become_references(url: str, ref: str) -> None:
    assert image_ref(url, own_host="label.example.org") == ref


SPANS = parse_schema({"type": "spans", "labels": ["PER"]})


def _task(text: str, *annotations: tuple[int, bool]) -> dict[str, Any]:
    return {"data": {"text": text}, "annotations": [
        {"ground_truth": truth, "result": [{"type": "labels", "value": {
            "start": 0, "end": end, "labels": ["PER"]}}]} for end, truth in annotations]}


def test_gold_comes_from_ground_truth_when_the_file_marks_some_else_the_first() -> None:
    unmarked = [_task("Ada Bob", (3, False), (7, False))]
    [row] = rows_from_label_studio(SPANS, unmarked, gold=True)
    assert row["gold"] == [{"start": 0, "end": 3, "label": "PER"}]
    marked = [_task("Ada Bob", (3, False), (7, True)), _task("Cy", (2, False))]
    first, second = rows_from_label_studio(SPANS, marked, gold=True)
    assert first["gold"][0]["end"] == 7 and "gold" not in second
    assert rows_from_label_studio(SPANS, marked, gold=False) == [
        {"data": {"text": "Ada Bob"}}, {"data": {"text": "Cy"}}]
    assert rows_from_label_studio(SPANS, [{"text": "flat"}], gold=True) == [
        {"data": {"text": "flat"}}]


def test_a_bad_task_rejects_the_list_naming_its_row() -> None:
    with pytest.raises(ImportRejected, match="row 2: 'data' must be an object"):
        rows_from_label_studio(SPANS, [{"data": {"text": "a"}}, {"data": "b"}], gold=False)
    with pytest.raises(ImportRejected, match="row 1: its gold annotation"):
        rows_from_label_studio(SPANS, [{"data": {"text": "a"}, "annotations": [
            {"result": "nope"}]}], gold=True)


def test_bio_tags_cover_the_tokens_a_span_touches() -> None:
    text = "Dr. Ada  Lovelace-Byron went to New York."
    spans = [{"start": 4, "end": 17, "label": "PER"}, {"start": 32, "end": 40, "label": "LOC"}]
    assert bio_tags(text, spans) == [
        ("Dr.", "O"), ("Ada", "B-PER"), ("Lovelace-Byron", "I-PER"), ("went", "O"),
        ("to", "O"), ("New", "B-LOC"), ("York.", "I-LOC")]


def _endless(schema: LabelSchema) -> Iterator[dict[str, Any]]:
    for i in itertools.count(1):
        kind = schema.type
        answer: Any = ([{"label": "car", "x": 0.1, "y": 0.1, "width": 0.2, "height": 0.2}]
                       if kind == "bounding_boxes" else
                       [{"start": 0, "end": 2, "label": "PER"}] if kind == "spans" else "a")
        yield {"task_id": i, "data": {"text": "Al is here", "image": "media:1"},
               "answers": [{"worker": "w_1", "answer": answer}], "majority": None,
               "consensus": answer, "confidence": 0.9, "settled": False, "gold": None,
               "media": {"media:1": {"id": 1, "name": "a.png", "width": 10, "height": 10}}}


@pytest.mark.parametrize("name", [n for n in FORMATS if n != "label-studio-config"])
def test_every_writer_streams_an_endless_project(name: str) -> None:
    """A writer hands on output while rows keep coming: it never waits for the last one."""
    fmt = FORMATS[name]
    kind = next(k for k in ("bounding_boxes", "spans", "single_choice") if fmt.fits(k))
    raw = {"type": kind, "labels": ["car", "PER"]} if kind != "single_choice" else {
        "type": kind, "choices": ["a", "b"]}
    schema = parse_schema(raw)
    written = 0
    for piece in fmt.writer(schema, _endless(schema), ExportOptions()):
        written += len(piece)
        if written > 5000:
            break
    assert written > 5000


def test_coco_boxes_are_pixels_and_an_image_without_a_size_has_none() -> None:
    schema = parse_schema({"type": "bounding_boxes", "labels": ["car"]})
    records = [{"task_id": 5, "data": {"image": "https://cdn.example/x.png"},
                "answers": [{"worker": "w_1", "answer": [
                    {"label": "car", "x": 0.1, "y": 0.1, "width": 0.5, "height": 0.5}]}],
                "consensus": None, "confidence": None, "gold": None, "media": {}}]
    document = json.loads("".join(coco_lines(schema, records, ExportOptions())))
    assert document["annotations"] == []
    assert document["images"] == [{"id": 5, "file_name": "x.png", "width": None,
                                   "height": None, "coco_url": "https://cdn.example/x.png"}]
