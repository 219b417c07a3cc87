"""Paths, the loopback host, logging and task texts shared by the benchmark modules."""

from __future__ import annotations

import argparse
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


def add_server_options(ap: argparse.ArgumentParser) -> None:
    """The options of a script that starts `fairlabel serve` and fills it through the CLI and
    the API (growth.py, soak.py): timeouts, the command, the money, PostgreSQL, output."""
    ap.add_argument("--req-timeout", type=float, default=30.0)
    ap.add_argument("--startup-timeout", type=float, default=120.0)
    ap.add_argument("--fairlabel", default=str(REPO / ".venv" / "bin" / "fairlabel"))
    ap.add_argument("--deposit", default="1000000.00")
    ap.add_argument("--fund-per-project", default="50000.00")
    ap.add_argument("--cli-parallel", type=int, default=2)
    ap.add_argument("--pg-port", type=int, default=5432)
    ap.add_argument("--pg-user", default="root")
    ap.add_argument("--pg-admin", default="postgres")
    ap.add_argument("--keep-data", action="store_true")
    ap.add_argument("--out", help="write the results as JSON here")
