"""`fairlabel aggregate` end to end: output format, gold scoring, input errors, real data."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from click.testing import Result

from fairlabel.aggregation import METHODS
from tests.support.cli import run_cli

REPO_ROOT = Path(__file__).resolve().parents[2]

LABELS = """worker,task,label
w1,t2,cat
w2,t2,cat
w3,t2,dog
w1,t1,dog
w2,t1,dog
w3,t1,dog
w1,t3,bird
w2,t3,bird
w3,t3,cat
"""
GOLD = "task,label\nt1,dog\nt2,dog\nt3,bird\nt-unanswered,cat\n"


def datasets_dir() -> Path:
    """FAIRLABEL_DATASETS_DIR, else ../shared/datasets next to the repository."""
    configured = os.environ.get("FAIRLABEL_DATASETS_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "datasets"


def run(*args: str | Path) -> Result:
    return run_cli(["aggregate", *map(str, args)])


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def labels_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "labels.csv", LABELS)


@pytest.fixture
def gold_csv(tmp_path: Path) -> Path:
    return write(tmp_path / "gold.csv", GOLD)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_writes_task_label_confidence_in_first_appearance_order(labels_csv: Path) -> None:
    result = run(labels_csv, "--method", "mv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "task,label,confidence"
    assert rows(result.stdout) == [
        {"task": "t2", "label": "cat", "confidence": "0.6667"},
        {"task": "t1", "label": "dog", "confidence": "1.0000"},
        {"task": "t3", "label": "bird", "confidence": "0.6667"},
    ]


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_runs(method: str, labels_csv: Path) -> None:
    result = run(labels_csv, "--method", method, "--seed", "3")
    assert result.exit_code == 0, result.output
    labels = {row["task"]: row["label"] for row in rows(result.stdout)}
    assert list(labels) == ["t2", "t1", "t3"]
    assert labels["t1"] == "dog"  # unanimous
    assert all(0.0 <= float(row["confidence"]) <= 1.0 for row in rows(result.stdout))
    assert method in result.stderr


def test_gold_with_out_prints_accuracy_on_stdout(
    labels_csv: Path, gold_csv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    result = run(labels_csv, "--method", "mv", "--gold", gold_csv, "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["accuracy: 0.6667", "scored: 3"]
    assert len(rows(out.read_text(encoding="utf-8"))) == 3


def test_gold_without_out_keeps_stdout_clean_csv(labels_csv: Path, gold_csv: Path) -> None:
    result = run(labels_csv, "--method", "mv", "--gold", gold_csv)
    assert result.exit_code == 0, result.output
    assert "accuracy" not in result.stdout
    assert len(rows(result.stdout)) == 3
    assert "accuracy: 0.6667" in result.stderr.splitlines()
    assert "scored: 3" in result.stderr.splitlines()


def test_columns_in_other_order_and_repeated_answers(tmp_path: Path) -> None:
    text = "label,task,worker\ncat,t1,w1\ndog,t1,w2\ndog,t1,w1\n"
    result = run(write(tmp_path / "l.csv", text), "--method", "mv")
    assert result.exit_code == 0, result.output
    assert rows(result.stdout) == [{"task": "t1", "label": "dog", "confidence": "1.0000"}]
    assert "1 repeated answers replaced" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"worker,task,label\n", "no data rows"),
        (b"worker,task\nw1,t1\n", "missing column(s) label"),
        (b"worker,task,label,comment\nw1,t1,x,hi\n", "unknown column(s) comment"),
        (b"worker,item,label\nw1,t1,x\n", "missing column(s) task"),
        (b"worker,task,label\nw1,t1\n", "line 2: 2 field(s), expected 3"),
        (b"worker,task,label\nw1,,x\n", "empty `task`"),
        (b"worker,task,label\nw1,t1,\xff\n", "not UTF-8"),
    ],
)
def test_bad_labels_file_exits_2_with_a_clear_message(
    tmp_path: Path, content: bytes, message: str
) -> None:
    result = run(write(tmp_path / "labels.csv", content))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_missing_and_directory_paths_exit_2(tmp_path: Path, labels_csv: Path) -> None:
    missing = run(tmp_path / "nope.csv")
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr and "No such file" in missing.stderr
    directory = run(tmp_path)
    assert directory.exit_code == 2
    assert "cannot read" in directory.stderr
    unwritable = run(labels_csv, "--out", tmp_path / "no-dir" / "out.csv")
    assert unwritable.exit_code == 2
    assert "cannot write" in unwritable.stderr


@pytest.mark.parametrize(
    ("gold", "message"),
    [
        ("task,label\nt1,dog\nt1,cat\n", "two different gold labels"),
        ("task,label\nelsewhere,dog\n", "none of the 1 tasks"),
        ("task,truth\nt1,dog\n", "missing column(s) label"),
    ],
)
def test_bad_gold_file_exits_2(labels_csv: Path, tmp_path: Path, gold: str, message: str) -> None:
    result = run(labels_csv, "--gold", write(tmp_path / "gold.csv", gold))
    assert result.exit_code == 2
    assert message in result.stderr


def test_unknown_method_is_a_usage_error(labels_csv: Path) -> None:
    result = run(labels_csv, "--method", "magic")
    assert result.exit_code == 2
    assert "magic" in result.stderr


def test_dawid_skene_on_a_real_data_set(tmp_path: Path) -> None:
    folder = datasets_dir() / "snow_rte"
    if not (folder / "labels.csv").is_file():
        pytest.skip(
            f"real data set not found at {folder}: set FAIRLABEL_DATASETS_DIR to the folder "
            "holding snow_rte/ (see ../shared/datasets/README.md)"
        )
    out = tmp_path / "rte.csv"
    result = run(folder / "labels.csv", "--gold", folder / "gold.csv", "--out", out)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1] == "scored: 800"
    accuracy = float(lines[0].removeprefix("accuracy: "))
    assert accuracy >= 0.9225  # crowd-kit 1.4.2 Dawid-Skene: 0.9275
    assert len(rows(out.read_text(encoding="utf-8"))) == 800
