"""Import and export of a 10,000-task project, fairlabel beside Label Studio in the same run.

fairlabel: a real `fairlabel serve` on a fresh SQLite file. A single-choice project (the same
generated review texts as Label Studio gets) is created and its --tasks tasks imported in one
POST; a second project of --annotated tasks is answered once each through next/submit. Then
each --formats export of both projects is downloaded as it streams, with the server's memory
(summed RSS of its process tree, sampled every 0.25 s) before and at its highest during the
download; with --flat-tasks, the same on a project that many tasks large, which shows whether
an export's memory grows with the project.

Label Studio 1.23 (from its own venv, benchmarks/.work/ls-venv; see benchmarks/README.md): a
fresh data dir, the same --tasks imported in one POST; --annotated tasks imported with an
annotation each; then its JSON export of the annotated project, and of the large one with
download_all_tasks=true.

Only 127.0.0.1 is contacted; both servers are stopped at the end. It prints figures and the
ratios (Label Studio's time / fairlabel's), and exits 0 unless it crashes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from formatbench.fairlabel_side import bench_fairlabel
from formatbench.ls_side import bench_label_studio, ls_missing
from loopbench.common import REPO, WORK, log


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=10_000, help="tasks of the imported project")
    ap.add_argument("--annotated", type=int, default=3_000,
                    help="tasks of the project answered once each before it is exported")
    ap.add_argument("--answer-workers", type=int, default=4,
                    help="fairlabel workers answering the annotated project (threads)")
    ap.add_argument("--formats", default="jsonl,csv,label-studio,parquet",
                    help="fairlabel export formats to time")
    ap.add_argument("--flat-tasks", type=int, default=0,
                    help="also export a project this large (a multiple of --tasks; 0: skip)")
    ap.add_argument("--fairlabel", default=str(REPO / ".venv" / "bin" / "fairlabel"))
    ap.add_argument("--ls-venv", default=str(WORK / "ls-venv"))
    ap.add_argument("--ls-startup-timeout", type=float, default=300.0)
    ap.add_argument("--skip-ls", action="store_true", help="measure fairlabel only")
    ap.add_argument("--out", help="write every figure as JSON here")
    a = ap.parse_args(argv)
    a.formats = [f.strip() for f in a.formats.split(",") if f.strip()]
    return a


def _ratio(theirs: float | None, ours: float | None) -> str:
    if not theirs or not ours:
        return "-"
    return f"{theirs / ours:.1f}x"


def report(fl: dict[str, Any], ls: dict[str, Any], a: argparse.Namespace) -> None:
    print()
    print(f"{'measure':<44}{'fairlabel':>12}{'Label Studio':>14}{'LS / fl':>9}")
    ls_import = ls.get("import_s")
    print(f"{f'import {a.tasks} tasks, one POST (s)':<44}{fl['import_s']:>12.3f}"
          f"{ls_import or float('nan'):>14.3f}{_ratio(ls_import, fl['import_s']):>9}")
    for label, size in (("annotated", a.annotated), ("all", a.tasks)):
        theirs = ls.get("exports", {}).get(f"{label}/JSON", {})
        for fmt in a.formats:
            ours = fl["exports"][f"{label}/{fmt}"]
            name = f"export {size} {'answered ' if label == 'annotated' else ''}tasks, {fmt} (s)"
            print(f"{name:<44}{ours['s']:>12.3f}{theirs.get('s', float('nan')):>14.3f}"
                  f"{_ratio(theirs.get('s'), ours['s']):>9}")
    print()
    print("server memory while exporting (summed RSS, MiB: before -> highest sample)")
    for key, got in fl["exports"].items():
        print(f"  fairlabel {key:<24} {got['rss_before_mib']:>7} -> {got['rss_peak_mib']}")
    for key, got in ls.get("exports", {}).items():
        print(f"  Label Studio {key:<21} {got['rss_before_mib']:>7} -> {got['rss_peak_mib']}")
    if "flat" in fl:
        size = fl["flat"]["tasks"]
        for fmt in a.formats:
            got = fl["flat"][fmt]
            print(f"  fairlabel {size} tasks/{fmt:<14} {got['rss_before_mib']:>7} -> "
                  f"{got['rss_peak_mib']}  ({got['s']:.2f} s, {got['bytes'] / 1e6:.1f} MB)")


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    run_dir = WORK / f"formats-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir.mkdir(parents=True, exist_ok=True)
    log(f"run dir (server logs, data): {run_dir}")
    fl = bench_fairlabel(a, run_dir)
    missing = None if not a.skip_ls else "--skip-ls"
    missing = missing or ls_missing(a)
    ls: dict[str, Any] = {}
    if missing:
        log(f"Label Studio: SKIPPED - {missing}")
        ls["skipped"] = missing
    else:
        ls = bench_label_studio(a, run_dir)
    report(fl, ls, a)
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"params": vars(a), "fairlabel": fl, "label_studio": ls}, f, indent=2,
                      default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
