"""The continuation guard's evaluation set is exactly what ``tools/continuation_eval`` builds."""

from __future__ import annotations

import json
from importlib import resources

from tools.continuation_eval.output import render
from tools.continuation_eval.pairs import SEED, build


def test_the_packaged_evaluation_set_is_what_the_tool_builds() -> None:
    packaged = resources.files("fairlabel.continuation").joinpath("data/evaluation.json")
    assert packaged.read_text(encoding="utf-8") == render(SEED, build())


def test_the_build_is_deterministic_and_covers_every_kind() -> None:
    pairs = json.loads(render(SEED, build()))["pairs"]
    assert pairs == build()
    kinds = {(p["continuation"], p["kind"]) for p in pairs}
    assert kinds == {
        (True, "rename"), (True, "reword"), (True, "resample"), (True, "choices"),
        (True, "shuffle"), (True, "combined"), (False, "template_domain"),
        (False, "task_type"), (False, "language"), (False, "other_project"),
    }
