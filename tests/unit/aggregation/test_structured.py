"""What the structured consensus methods share: input rules, worker agreement, the registry,
and the documented example."""

from __future__ import annotations

import doctest
import re
from pathlib import Path
from typing import Any

import pytest

from fairlabel.aggregation import (
    STRUCTURED_METHODS,
    BoxConsensus,
    RankingConsensus,
    SpanConsensus,
    StructuredResult,
)
from fairlabel.aggregation.structured import group_by_task

DOCS = Path(__file__).resolve().parents[3] / "docs" / "aggregation.md"


def test_grouping_sorts_and_keeps_the_last_answer_of_a_pair() -> None:
    groups, dropped = group_by_task(
        ["b", 2, "b", "a", "b"], ["y", "x", "x", "x", "y"], ["b-y", "2-x", "b-x", "a-x", "b-y2"])
    assert dropped == 1
    assert [(g.task, g.workers, g.answers) for g in groups] == [
        (2, ("x",), ("2-x",)), ("a", ("x",), ("a-x",)), ("b", ("x", "y"), ("b-x", "b-y2"))]


@pytest.mark.parametrize(("tasks", "workers", "answers", "message"), [
    ([], [], [], "no answers"),
    (["t"], ["a", "b"], [[]], "differ in length"),
    ([None], ["a"], [[]], "missing values"),
])
def test_bad_columns(tasks: list[Any], workers: list[Any], answers: list[Any],
                     message: str) -> None:
    for model in (BoxConsensus(), SpanConsensus(), RankingConsensus()):
        with pytest.raises(ValueError, match=message):
            model.fit(tasks, workers, answers)


def test_worker_agreement_is_the_mean_over_their_answers() -> None:
    tasks = ["t1", "t1", "t1", "t2", "t2", "t2"]
    workers = ["a", "b", "c", "a", "b", "c"]
    orders = [[0, 1, 2], [0, 1, 2], [2, 1, 0], [1, 0], [1, 0], [1, 0]]
    result = RankingConsensus().fit(tasks, workers, orders).result_
    assert isinstance(result, StructuredResult)
    assert result.agreement == pytest.approx({"t1": 2 / 3, "t2": 1.0})
    assert result.worker_agreement == pytest.approx({"a": 1.0, "b": 1.0, "c": 0.5})


def test_unfitted_model_has_no_result() -> None:
    with pytest.raises(AttributeError):
        _ = BoxConsensus().result_


def test_registry_maps_the_task_types() -> None:
    expected = {"bounding_boxes": BoxConsensus, "spans": SpanConsensus,
                "ranking": RankingConsensus}
    assert expected == STRUCTURED_METHODS


def test_the_documented_example_runs_as_shown() -> None:
    text = DOCS.read_text()
    section = text[text.index("## Structured answers"):text.index("## Module map")]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1 and blocks[0].count(">>>") >= 10
    test = doctest.DocTestParser().get_doctest(blocks[0], {}, "aggregation.md", str(DOCS), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
