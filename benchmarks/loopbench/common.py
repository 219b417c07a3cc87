"""Paths, the loopback host, logging and task texts shared by the benchmark modules."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent  # benchmarks/
REPO = HERE.parent
WORK = HERE / ".work"
HOST = "127.0.0.1"  # loopback only, never configurable to anything else
WORDS = (
    "the", "service", "was", "quick", "and", "friendly", "but", "the", "food", "arrived", "cold",
    "and", "the", "bill", "was", "higher", "than", "expected", "overall", "I", "would", "come",
    "back", "again", "maybe", "next", "week", "delivery", "package", "broken", "refund", "support",
    "great", "terrible", "average", "okay", "fine",
)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def make_tasks(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    return [{"data": {"text": f"Review {i}: " + " ".join(
        rnd.choice(WORDS) for _ in range(rnd.randint(15, 40)))}} for i in range(n)]
