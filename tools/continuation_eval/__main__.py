"""Write (or ``--check``) the continuation guard's evaluation set.

Run from the repository root::

    .venv/bin/python -m tools.continuation_eval            # writes the package data file
    .venv/bin/python -m tools.continuation_eval --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .output import kind_counts, render
from .pairs import SEED, build

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_ROOT / "src" / "fairlabel" / "continuation" / "data" / "evaluation.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.continuation_eval",
        description="Build the continuation guard's evaluation set (deterministic, seeded).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="file to write (default: the package's data/evaluation.json)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 unless --out holds exactly what would be "
                             "written")
    args = parser.parse_args(argv)
    pairs = build()
    text = render(SEED, pairs)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else None
        if current != text:
            print(f"{args.out} differs from what the tool builds; run it without --check")
            return 1
        print(f"{args.out} is up to date ({len(pairs)} pairs)")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    for line in kind_counts(pairs):
        print(line)
    print(f"{len(pairs)} pairs written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
