"""The pairs ``(old, new)``: the continuation kinds and the distinct kinds, in build order.

Every draw comes from one ``random.Random(SEED)`` in a fixed order, so the output is the
same on every run; changing the order of the draws changes the evaluation set.
"""

from __future__ import annotations

import random
from typing import Any

from .families import FAMILIES, LANGUAGES
from .records import Family, Pair, Project
from .variants import (
    NEW_NAMES,
    POOL,
    SAMPLE,
    make_pool,
    paraphrase,
    project,
    rename_choices,
    reword,
)

SEED = 7


def build() -> list[Pair]:
    """All pairs, deterministic for ``SEED``."""
    rng = random.Random(SEED)
    pairs: list[Pair] = []
    base = {fam["key"]: family_pairs(fam, rng, pairs) for fam in FAMILIES}
    language_pairs(base, rng, pairs)
    other_project_pairs(base, rng, pairs)
    paraphrase_pairs(base, pairs)
    return pairs


def add(pairs: list[Pair], old: Project, new: Project, continuation: bool, kind: str,
        family: str) -> None:
    """Append one pair, numbered in order."""
    pairs.append({"id": len(pairs), "family": family, "kind": kind,
                  "continuation": continuation, "old": old, "new": new})


def family_pairs(fam: Family, rng: random.Random, pairs: list[Pair]) -> Project:
    """The family's base project and its pairs: every continuation kind, then the
    ``template_domain`` and ``task_type`` distinct kinds. Returns the base project."""
    key, name = fam["key"], fam["name"]
    main, other = fam["domains"]
    pool = make_pool(main, rng)
    order = list(range(POOL))
    rng.shuffle(order)
    first = [pool[i] for i in order[:SAMPLE]]
    second = [pool[i] for i in order[SAMPLE:]]
    old = project(fam, main, name, first)
    new_name = rng.choice(NEW_NAMES)
    shuffled = first[:]
    rng.shuffle(shuffled)
    reworded = reword(fam["instructions"], rng)
    renamed = rename_choices(fam["schema"], rng)
    add(pairs, old, project(fam, main, new_name, first, redundancy=5), True, "rename", key)
    add(pairs, old, project(fam, main, name, first, instructions=reworded), True, "reword", key)
    add(pairs, old, project(fam, main, name, second), True, "resample", key)
    if "choices" in fam["schema"]:
        add(pairs, old, project(fam, main, name, first, schema=renamed), True, "choices", key)
    else:
        add(pairs, old, project(fam, main, new_name, shuffled), True, "shuffle", key)
    add(pairs, old, project(fam, main, new_name, second, redundancy=1, instructions=reworded,
                            schema=renamed), True, "combined", key)
    other_pool = make_pool(other, rng)
    add(pairs, old, project(fam, other, rng.choice(NEW_NAMES), rng.sample(other_pool, SAMPLE)),
        False, "template_domain", key)
    add(pairs, old, project(fam, main, rng.choice(NEW_NAMES), first, schema=fam["switch_to"]),
        False, "task_type", key)
    return old


def language_pairs(base: dict[str, Project], rng: random.Random, pairs: list[Pair]) -> None:
    """The ``language`` distinct kind: a family's base project against the same kind of
    work in another language."""
    for lang in LANGUAGES:
        fam = next(f for f in FAMILIES if f["key"] == lang["family"])
        lang_pool = make_pool(lang["domain"], rng)
        new = project(fam, lang["domain"], rng.choice(NEW_NAMES), rng.sample(lang_pool, SAMPLE),
                      instructions=lang["instructions"],
                      schema=lang.get("schema", fam["schema"]))
        add(pairs, base[lang["family"]], new, False, "language", lang["family"])


def other_project_pairs(base: dict[str, Project], rng: random.Random,
                        pairs: list[Pair]) -> None:
    """The ``other_project`` distinct kind: every two base projects of one task type, then
    twelve drawn pairs of different types."""
    by_type: dict[str, list[str]] = {}
    for fam in FAMILIES:
        by_type.setdefault(fam["schema"]["type"], []).append(fam["key"])
    for keys in by_type.values():
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                add(pairs, base[a], base[b], False, "other_project", f"{a}/{b}")
    cross: list[tuple[Any, Any]] = [
        (a["key"], b["key"]) for a in FAMILIES for b in FAMILIES
        if a["schema"]["type"] < b["schema"]["type"]
    ]
    for a_key, b_key in rng.sample(cross, 12):
        add(pairs, base[a_key], base[b_key], False, "other_project", f"{a_key}/{b_key}")


def paraphrase_pairs(base: dict[str, Project], pairs: list[Pair]) -> None:
    """The ``paraphrase`` continuation kinds, last and from their own seeded streams (so that
    the pairs before them stay as they were): the base project's tasks shuffled and
    paraphrased under a new name (``paraphrase``), and that with reworded instructions,
    renamed choices and another redundancy too (``paraphrase_combined``)."""
    for fam in FAMILIES:
        key, old = fam["key"], base[fam["key"]]
        rng = random.Random(f"{SEED}/paraphrase/{key}")
        main = fam["domains"][0]
        samples = paraphrase(old["task_samples"], rng)
        rng.shuffle(samples)
        new_name = rng.choice(NEW_NAMES)
        add(pairs, old, project(fam, main, new_name, samples), True, "paraphrase", key)
        samples = paraphrase(old["task_samples"], rng)
        rng.shuffle(samples)
        add(pairs, old, project(fam, main, rng.choice(NEW_NAMES), samples, redundancy=1,
                                instructions=reword(fam["instructions"], rng),
                                schema=rename_choices(fam["schema"], rng)),
            True, "paraphrase_combined", key)
