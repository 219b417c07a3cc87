"""The evaluation file's text and the summary printed after writing it."""

from __future__ import annotations

import json

from .records import Pair


def render(seed: int, pairs: list[Pair]) -> str:
    """The file's content: ``{"seed": ..., "pairs": [...]}``, one-space indent, UTF-8 text."""
    return json.dumps({"seed": seed, "pairs": pairs}, ensure_ascii=False, indent=1) + "\n"


def kind_counts(pairs: list[Pair]) -> list[str]:
    """One line per ``continuation/<kind>`` and ``distinct/<kind>``: how many pairs."""
    kinds: dict[str, int] = {}
    for pair in pairs:
        label = f"{'continuation' if pair['continuation'] else 'distinct'}/{pair['kind']}"
        kinds[label] = kinds.get(label, 0) + 1
    return [f"{label:32s} {n:4d}" for label, n in sorted(kinds.items())]
