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
        (True, "shuffle"), (True, "combined"), (True, "paraphrase"),
        (True, "paraphrase_combined"), (False, "template_domain"),
        (False, "task_type"), (False, "language"), (False, "other_project"),
    }


def test_paraphrase_swaps_about_a_third_of_the_content_words() -> None:
    import random
    import re

    from tools.continuation_eval.variants import STOPWORDS, paraphrase

    samples = [{"text": "the customer waited twenty minutes for cold soup and a rude waiter",
                "n": 3}] * 40
    out = paraphrase(samples, random.Random(1))
    content = [w for s in samples for w in re.findall(r"[a-z]+", s["text"])
               if w not in STOPWORDS and len(w) > 2]
    kept = [w for s in out for w in re.findall(r"[a-z]+", s["text"])
            if w not in STOPWORDS and len(w) > 2]
    swapped = 1 - len([w for w in kept if w in set(content)]) / len(content)
    assert 0.2 <= swapped <= 0.4
    assert all(s["n"] == 3 for s in out)
