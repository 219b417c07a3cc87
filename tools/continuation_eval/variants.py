"""Task pools and the edits that make a variant of a project: reword, rename choices."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from typing import Any

from .records import Domain, Family, Project

POOL = 60
"""Tasks drawn from a domain's templates."""
SAMPLE = 30
"""Tasks a project shows (the other 30 of the pool are the ``resample`` case)."""

SYNONYMS = {
    "read": "go through", "each": "every", "choose": "select", "select": "pick",
    "carefully": "attentively", "label": "tag", "text": "passage", "answer": "response",
    "task": "item", "please": "kindly", "do not": "don't", "if": "when", "should": "must",
    "write": "type", "rate": "score", "decide": "determine", "whether": "if",
    "contains": "includes", "mark": "flag", "unsure": "uncertain", "only": "just",
    "good": "fine", "bad": "poor", "use": "apply", "example": "instance",
}
EXTRA_SENTENCES = [
    "Take your time and re-read anything that is unclear.",
    "Your answers are reviewed by a second worker from time to time.",
    "Thank you for helping us build a better data set.",
]
NEW_NAMES = ["Nova", "Orbit", "Helix", "Lumen", "Vega", "Atlas", "Quill", "Sable"]


def fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    """Fill ``{slot}`` placeholders with random entries."""
    return re.sub(r"\{(\w+)\}", lambda m: rng.choice(slots[m.group(1)]), template)


def make_pool(domain: Domain, rng: random.Random) -> list[dict[str, Any]]:
    """Draw ``POOL`` tasks from a domain's templates."""
    pool = []
    for _ in range(POOL):
        task: dict[str, Any] = {}
        for name, templates in domain["fields"].items():
            n = rng.randint(1, min(3, len(templates)))
            task[name] = " ".join(fill(t, domain["slots"], rng) for t in rng.sample(templates, n))
        pool.append(task)
    return pool


def reword(text: str, rng: random.Random) -> str:
    """Synonym swaps, sentence reorder, one sentence removed and one added."""
    for word, other in SYNONYMS.items():
        text = re.sub(rf"(?<!{{)\b{word}\b(?!}})", other, text, flags=re.I)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    head, rest = sentences[0], sentences[1:]
    rng.shuffle(rest)
    if len(rest) > 3:
        rest.pop(rng.randrange(len(rest)))
    rest.insert(rng.randrange(len(rest) + 1), rng.choice(EXTRA_SENTENCES))
    return " ".join([head, *rest])


def rename_choices(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """Rename (prefix/case/synonym) and reorder the choices of a choice schema."""
    if "choices" not in schema:
        return schema
    styles: list[Callable[[str], str]] = [
        lambda c: c.upper(), lambda c: f"label {c}", lambda c: c.replace(" ", "_") + "!"]
    style = rng.choice(styles)
    choices = [style(c) for c in schema["choices"]]
    rng.shuffle(choices)
    return {**schema, "choices": choices}


def project(family: Family, domain: Domain, name: str,
            samples: list[dict[str, Any]], *, redundancy: int = 3,
            instructions: str | None = None, schema: dict[str, Any] | None = None
            ) -> Project:
    """One project record."""
    text = instructions if instructions is not None else family["instructions"]
    return {
        "name": name,
        "redundancy": redundancy,
        "instructions": text.format(name=name, **domain.get("vars", {})),
        "schema": schema if schema is not None else family["schema"],
        "task_samples": samples,
    }
