"""The export formats read by the real readers (pycocotools, spaCy, pyarrow, datasets), and
Label Studio task JSON back into the platform, through the API on both databases."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.domain.accounts import Role
from fairlabel.services import accounts
from tests.conftest import Accounts
from tests.support.formats import export, launch, png, project, upload, work
from tests.support.work import bearer

BOXES = {"type": "bounding_boxes", "labels": ["car", "person"]}
SPANS = {"type": "spans", "labels": ["PER", "LOC"]}
RANKING = {"type": "ranking"}
TEXTS = ["Ada Lovelace lived in London 🙂 and Paris",
         "🚀 Grace Hopper came from New York",
         "Nobody here"]
GOLD_TEXT = "Alan Turing left London"


def _car(data: dict[str, Any], shift: float = 0.0) -> list[dict[str, Any]]:
    return [{"label": "car", "x": 0.1 + shift, "y": 0.2, "width": 0.3, "height": 0.4},
            {"label": "person", "x": 0.6, "y": 0.1, "width": 0.2, "height": 0.5}]


def _names(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every capitalised pair of words as PER, the known cities as LOC."""
    text, spans = data["text"], []
    for city in ("London", "Paris", "New York"):
        if city in text:
            spans.append({"start": text.index(city), "end": text.index(city) + len(city),
                          "label": "LOC"})
    for person in ("Ada Lovelace", "Grace Hopper", "Alan Turing"):
        if person in text:
            spans.append({"start": text.index(person), "end": text.index(person) + len(person),
                          "label": "PER"})
    return spans


@pytest.fixture
def requester(people: Accounts) -> str:
    return people.make(Role.REQUESTER)[1]


@pytest.fixture
def box_project(client: TestClient, container: Container, requester: str,
                people: Accounts) -> int:
    """Three street images (one without anything on it, one an external URL is not: all
    uploaded), three workers; one draws a shifted car."""
    pid = project(client, requester, BOXES)
    media = upload(client, requester, pid, {"a.png": png(200, 100), "b.png": png(64, 48),
                                             "c.png": png(10, 10, (0, 0, 0))})
    launch(client, container, requester, pid, [
        {"data": {"image": "a.png"}}, {"data": {"image": media["b.png"]["ref"]}},
        {"data": {"image": "c.png", "note": "empty street"}},
        {"data": {"image": "a.png"}, "gold": _car({})}])
    for shift in (0.0, 0.0, 0.05):
        token = people.make(Role.WORKER)[1]
        work(client, token, pid,
             lambda data, s=shift: [] if data.get("note") else _car(data, s))
    return pid


def test_coco_export_loads_in_pycocotools_with_the_right_counts(
        client: TestClient, requester: str, box_project: int, tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    path = tmp_path / "coco.json"
    path.write_bytes(export(client, requester, box_project, "coco"))
    coco = COCO(str(path))
    assert len(coco.getImgIds()) == 4 and len(coco.getCatIds()) == 2
    anns = coco.loadAnns(coco.getAnnIds())
    workers = [a for a in anns if a["source"] == "worker"]
    consensus = [a for a in anns if a["source"] == "consensus"]
    assert len(workers) == 3 * 2 * 2  # three workers, two boxes, on the two images with cars
    assert len(consensus) == 2 * 2 and all(a["score"] > 0.5 for a in consensus)
    assert len({a["id"] for a in anns}) == len(anns)
    [first] = [i for i in coco.loadImgs(coco.getImgIds()) if i["file_name"] == "a.png"][:1]
    assert (first["width"], first["height"]) == (200, 100)
    car = next(a for a in consensus if a["image_id"] == first["id"] and a["category_id"] == 1)
    assert car["bbox"] == [20.0, 20.0, 60.0, 40.0] and car["area"] == 2400.0
    assert coco.loadCats(1)[0]["name"] == "car"
    only = json.loads(export(client, requester, box_project, "coco", boxes="consensus"))
    assert {a["source"] for a in only["annotations"]} == {"consensus"}


def test_a_format_that_does_not_fit_the_task_type_is_refused_saying_which_do(
        client: TestClient, requester: str, people: Accounts, box_project: int) -> None:
    for fmt in ("spans-jsonl", "conll"):
        refused = client.get(f"/api/v1/projects/{box_project}/export?format={fmt}",
                             headers=bearer(requester))
        assert refused.status_code == 422
        assert "coco" in refused.json()["message"] and "spans" in refused.json()["message"]
    unknown = client.get(f"/api/v1/projects/{box_project}/export?format=yolo",
                         headers=bearer(requester))
    assert unknown.status_code == 422 and unknown.json()["message"]
    other = people.make(Role.REQUESTER)[1]
    worker = people.make(Role.WORKER)[1]
    for token, status in ((other, 404), (worker, 403)):
        assert client.get(f"/api/v1/projects/{box_project}/export?format=coco",
                          headers=bearer(token)).status_code == status


@pytest.fixture
def span_project(client: TestClient, container: Container, requester: str,
                 people: Accounts) -> int:
    pid = project(client, requester, SPANS)
    gold = {"data": {"text": GOLD_TEXT}, "gold": _names({"text": GOLD_TEXT})}
    launch(client, container, requester, pid, [*({"data": {"text": t}} for t in TEXTS), gold])
    for careless in (False, False, True):
        token = people.make(Role.WORKER)[1]
        work(client, token, pid, lambda data, c=careless: _names(data)[:1] if c
             else _names(data))
    return pid


def test_spans_jsonl_loads_in_spacy_without_a_missing_span(
        client: TestClient, requester: str, span_project: int) -> None:
    import spacy

    nlp = spacy.blank("en")
    lines = [json.loads(line) for line in
             export(client, requester, span_project, "spans-jsonl").splitlines()]
    assert [line["text"] for line in lines] == [*TEXTS, GOLD_TEXT]
    assert [line["meta"]["source"] for line in lines] == ["consensus"] * 3 + ["gold"]
    checked = 0
    for line in lines:
        doc = nlp.make_doc(line["text"])
        assert line["spans"] == sorted(_names({"text": line["text"]}),
                                       key=lambda s: s["start"])
        for span in [*line["spans"], *(s for a in line["answers"] for s in a["spans"])]:
            found = doc.char_span(span["start"], span["end"], label=span["label"])
            assert found is not None and found.text == line["text"][span["start"]:span["end"]]
            checked += 1
    assert checked > 10


def test_conll_parses_back_into_the_consensus_spans(
        client: TestClient, requester: str, span_project: int) -> None:
    blocks = export(client, requester, span_project, "conll").decode().split("\n\n")
    assert blocks[-1] == "" and len(blocks) == len(TEXTS) + 2
    for text, block in zip([*TEXTS, GOLD_TEXT], blocks, strict=False):
        rows = [line.split(" ", 1) for line in block.splitlines()]
        assert [token for token, _ in rows] == text.split()
        words, entities = text.split(), []
        for i, (_, tag) in enumerate(rows):
            if tag.startswith("B-"):
                entities.append([tag[2:], [words[i]]])
            elif tag.startswith("I-"):
                entities[-1][1].append(words[i])
        expected = sorted(_names({"text": text}), key=lambda s: s["start"])
        assert [(label, " ".join(w)) for label, w in entities] == [
            (s["label"], text[s["start"]:s["end"]]) for s in expected]


def test_parquet_opens_with_pyarrow_and_datasets(
        client: TestClient, requester: str, span_project: int, tmp_path: Path) -> None:
    from datasets import load_dataset

    path = tmp_path / "export.parquet"
    path.write_bytes(export(client, requester, span_project, "parquet"))
    table = pq.read_table(path)
    assert table.num_rows == len(TEXTS) + 1
    assert json.loads(table.column("gold").to_pylist()[-1]) == sorted(
        _names({"text": GOLD_TEXT}), key=lambda s: s["start"])
    assert table.column_names == ["task_id", "data", "answers", "consensus", "confidence",
                                  "gold"]
    dataset = load_dataset("parquet", data_files=str(path), split="train",
                           cache_dir=str(tmp_path / "cache"))
    assert len(dataset) == len(TEXTS) + 1
    row = dataset[0]
    assert json.loads(row["data"])["text"] == TEXTS[0] and len(row["answers"]) == 3
    assert json.loads(row["consensus"]) == sorted(_names({"text": TEXTS[0]}),
                                                  key=lambda s: s["start"])


def _tasks(client: TestClient, token: str, pid: int) -> list[tuple[Any, Any]]:
    lines = export(client, token, pid, "jsonl").splitlines()
    return [(r["data"], r["gold"]) for r in map(json.loads, lines)]


@pytest.mark.parametrize("kind", ["boxes", "spans"])
def test_a_label_studio_export_reimports_unchanged(
        client: TestClient, requester: str, kind: str, request: pytest.FixtureRequest) -> None:
    pid = request.getfixturevalue("box_project" if kind == "boxes" else "span_project")
    before = _tasks(client, requester, pid)
    exported = json.loads(export(client, requester, pid, "label-studio"))
    assert len(exported) == len(before)
    assert all(a["completed_by"]["email"].startswith("w_")
               for t in exported for a in t["annotations"] if not a["ground_truth"])
    again = client.post(f"/api/v1/projects/{pid}/tasks?format=label-studio&gold=true",
                        json=exported, headers=bearer(requester))
    assert again.status_code == 201, again.text
    assert again.json()["imported"] == len(before)
    assert _tasks(client, requester, pid) == before + before


def test_label_studio_images_are_urls_of_the_api_and_its_config_matches(
        client: TestClient, requester: str, box_project: int) -> None:
    from xml.etree import ElementTree

    tasks = json.loads(export(client, requester, box_project, "label-studio"))
    url = tasks[0]["data"]["image"]
    assert url.startswith("http://testserver/api/v1/media/")
    image = client.get(url, headers=bearer(requester))
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    box = tasks[0]["annotations"][0]["result"][0]
    assert (box["type"], box["original_width"], box["original_height"]) == (
        "rectanglelabels", 200, 100)
    assert tasks[0]["predictions"][0]["model_version"] == "fairlabel-consensus"
    config = ElementTree.fromstring(export(client, requester, box_project,
                                           "label-studio-config"))
    names = {e.get("name") for e in config.iter()}
    assert {box["from_name"], box["to_name"]} <= names


def test_a_bad_label_studio_import_names_its_row_and_imports_nothing(
        client: TestClient, requester: str, span_project: int) -> None:
    count = len(_tasks(client, requester, span_project))
    tasks = [{"data": {"text": "Ada"}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 3, "labels": ["PER"]}}]}]},
        {"data": {"text": "Bob"}, "annotations": [{"result": [
            {"type": "choices", "value": {"choices": ["x"]}}]}]}]
    refused = client.post(f"/api/v1/projects/{span_project}/tasks?format=label-studio&gold=true",
                          json=tasks, headers=bearer(requester))
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("row 2:") and "choices" in refused.json()[
        "message"]
    as_csv = client.post(f"/api/v1/projects/{span_project}/tasks?format=label-studio",
                         content=b"text\nAda\n", headers={**bearer(requester),
                                                          "Content-Type": "text/csv"})
    assert as_csv.status_code == 422 and "JSON" in as_csv.json()["message"]
    assert len(_tasks(client, requester, span_project)) == count
    plain = client.post(f"/api/v1/projects/{span_project}/tasks?format=label-studio",
                        json=tasks, headers=bearer(requester))
    assert plain.status_code == 201 and plain.json()["columns"] == ["text"]


def test_a_ranking_export_round_trips_and_ranks_in_label_studio_shape(
        client: TestClient, container: Container, requester: str, people: Accounts) -> None:
    pid = project(client, requester, RANKING)
    rows = [{"data": {"prompt": f"Q{i}", "responses": ["good", "fine", "bad"]}}
            for i in range(2)]
    rows.append({"data": {"prompt": "Qg", "responses": ["x", "y"]},
                 "gold": {"order": [1, 0], "rationale": "y is right"}})
    launch(client, container, requester, pid, rows)
    for order in ([0, 1, 2], [0, 1, 2], [1, 0, 2]):
        work(client, people.make(Role.WORKER)[1], pid,
             lambda data, o=order: {"order": o[:len(data["responses"])]})
    before = _tasks(client, requester, pid)
    tasks = json.loads(export(client, requester, pid, "label-studio"))
    prediction = tasks[0]["predictions"][0]["result"][0]
    assert prediction["type"] == "ranker"
    assert prediction["value"] == {"ranker": {"label": ["0", "1", "2"]}}
    assert tasks[0]["data"]["ranking_items"][2] == {"id": "2", "title": "Response 3",
                                                    "body": "bad"}
    again = client.post(f"/api/v1/projects/{pid}/tasks?format=label-studio&gold=true",
                        json=tasks, headers=bearer(requester))
    assert again.status_code == 201, again.text
    assert _tasks(client, requester, pid) == before + before


def test_every_format_is_streamed(client: TestClient, requester: str,
                                  span_project: int) -> None:
    for fmt in ("jsonl", "csv", "label-studio", "spans-jsonl", "conll", "parquet"):
        with client.stream("GET", f"/api/v1/projects/{span_project}/export?format={fmt}",
                           headers=bearer(requester)) as response:
            assert response.status_code == 200
            assert "content-length" not in response.headers  # chunked: no length known first
            assert f"project-{span_project}." in response.headers["content-disposition"]
            assert sum(len(c) for c in response.iter_bytes()) > 0
    parquet = export(client, requester, span_project, "parquet")
    assert pq.ParquetFile(io.BytesIO(parquet)).metadata.num_rows == len(TEXTS) + 1


def test_the_requester_page_imports_label_studio_tasks_and_lists_the_formats_that_fit(
        client: TestClient, requester: str, span_project: int, container: Container) -> None:
    from bs4 import BeautifulSoup

    from tests.e2e.test_pages import csrf, sign_in

    owner = accounts.user_for_token(container.db, requester)
    assert owner is not None
    sign_in(client, owner.email)
    page_url = f"/requester/projects/{span_project}"
    page = BeautifulSoup(client.get(page_url).text, "html.parser")
    formats = [a["href"].rsplit("=", 1)[1] for a in page.select(".export-formats a")]
    assert formats == ["label-studio", "label-studio-config", "spans-jsonl", "conll",
                       "parquet"]
    file = json.dumps([{"data": {"text": "Ada wrote"}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 0, "end": 3, "labels": ["PER"]}}]}]}]).encode()
    uploaded = client.post(f"{page_url}/upload", data={
        "csrf_token": csrf(client, page_url), "file_format": "label-studio", "gold": "true"},
        files={"file": ("export.json", file, "application/json")})
    assert "Imported 1 tasks" in uploaded.text
    last = json.loads(export(client, requester, span_project, "jsonl").splitlines()[-1])
    assert last["gold"] == [{"start": 0, "end": 3, "label": "PER"}]
