#!/usr/bin/env python3
"""Draw the benchmark's PNG plots from its saved JSON (so they can be redrawn at any time).

    .venv/bin/python benchmarks/plots.py benchmarks/results/2026-12-06      # a results folder
    .venv/bin/python benchmarks/plots.py --loop loop.json --growth g1.json g2.json --out-dir D

A results folder is what `make bench` (benchmarks/bench_all.py) writes: loop.json (loop.py
--out), growth*.json (growth.py --out; several sizes are drawn together). Draws:

  cycles_per_client.png  cycles/s against clients per fairlabel backend, beside hello-world
                         (requests/s, the stack's ceiling), pgbench simple-update
                         (transactions/s, the database's ceiling) and Label Studio
                         (answers/s; its reference rate, labelled so, when it did not run).
  growth_latency.png     next and submit p50/p95 against database size, per backend.

Needs matplotlib (`pip install -e '.[plots]'`; `make bench` installs it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

COLORS = {"sqlite": "tab:blue", "postgres": "tab:orange", "hello": "tab:gray",
          "pgbench": "tab:green", "labelstudio": "tab:red"}


def _load(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _points(res: dict[str, Any]) -> tuple[list[int], list[float]]:
    phases = [p for p in res.get("phases", []) or [] if p.get("ok_per_s")]
    phases.sort(key=lambda p: p["clients"])
    return [p["clients"] for p in phases], [p["ok_per_s"] for p in phases]


def plot_loop(loop: dict[str, Any], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from loopbench.report import LS_REFERENCE

    fig, ax = plt.subplots(figsize=(9, 6.5))
    backends = loop.get("backends", {})
    labels = {"sqlite": "fairlabel on SQLite (cycles/s)",
              "postgres": "fairlabel on PostgreSQL (cycles/s)",
              "hello": "hello-world ceiling (requests/s)",
              "pgbench": "pgbench simple-update, same server (transactions/s)"}
    for name in ("hello", "pgbench", "sqlite", "postgres"):
        res = backends.get(name)
        if not res or res.get("skipped") or res.get("failed"):
            continue
        x, y = _points(res)
        if not x:
            continue
        style = "--" if name in ("hello", "pgbench") else "-"
        ax.plot(x, y, style, marker="o", color=COLORS[name], label=labels[name])
        for xi, yi in zip(x, y, strict=True):
            ax.annotate(f"{yi:,.0f}", (xi, yi), textcoords="offset points", xytext=(4, 4),
                        fontsize=8, color=COLORS[name])
    ls = backends.get("labelstudio")
    x, y = _points(ls) if ls and not ls.get("skipped") and not ls.get("failed") else ([], [])
    if x:
        ax.plot(x, y, "-", marker="s", color=COLORS["labelstudio"],
                label="Label Studio 1.23 (answers/s)")
    else:
        ref = LS_REFERENCE["answer_rate_8_clients"]
        ax.plot([8], [ref], marker="s", linestyle="none", color=COLORS["labelstudio"],
                label=f"Label Studio 1.23.2: reference {ref}/s at 8 clients "
                      "(label_studio.md; not run now)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ticks = sorted({c for r in backends.values() if isinstance(r, dict)
                    for c in _points(r)[0]} | {8})
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(t) for t in ticks])
    ax.set_xlabel("concurrent clients")
    ax.set_ylabel("operations per second (log)")
    started = loop.get("started", "")[:16]
    ax.set_title(f"Labeling loop: next + submit cycles/s ({started}, "
                 f"{loop.get('cpus')} CPUs shared by client and servers)", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    fig.tight_layout()
    path = out / "cycles_per_client.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def growth_points(growths: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per backend: one point per measured database (fresh and grown of each file), with its
    size, label and the next/submit latencies of its phase with the fewest clients."""
    pts: dict[str, list[dict[str, Any]]] = {}
    for g in growths:
        for backend, r in g.get("backends", {}).items():
            for kind in ("fresh", "grown"):
                run = r.get(kind)
                if not run or not run.get("phases"):
                    continue
                ph = min(run["phases"], key=lambda p: p["clients"])
                lat = ph.get("latency", {})
                if kind == "fresh":
                    label = "fresh"
                else:
                    c = run.get("counts", {})
                    label = (f"{c.get('project_tasks', 0) / 1e6:g}M tasks, "
                             f"{c.get('answers_total', 0) / 1e6:g}M answers")
                pts.setdefault(backend, []).append({
                    "size_mib": run.get("db_size_mib") or 0.1, "label": label,
                    "clients": ph["clients"],
                    **{f"{k}_{q}": lat.get(k, {}).get(f"{q}_ms")
                       for k in ("next", "submit") for q in ("p50", "p95")}})
    for v in pts.values():
        v.sort(key=lambda p: p["size_mib"])
    return pts


def plot_growth(growths: list[dict[str, Any]], out: Path) -> Path | None:
    pts = growth_points(growths)
    if not pts:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
    for ax, key in zip(axes, ("next", "submit"), strict=True):
        for backend, p in pts.items():
            x = [q["size_mib"] for q in p]
            for qn, style in (("p50", "-"), ("p95", ":")):
                y = [q[f"{key}_{qn}"] for q in p]
                ax.plot(x, y, style, marker="o", color=COLORS.get(backend, "black"),
                        label=f"{backend} {qn}")
            for q in p:
                ax.annotate(q["label"], (q["size_mib"], q[f"{key}_p50"] or 0), fontsize=7,
                            textcoords="offset points", xytext=(4, -10),
                            color=COLORS.get(backend, "black"))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("database size, MiB (log)")
        ax.set_title(f"{'GET next' if key == 'next' else 'POST submit'} latency "
                     f"({p[0]['clients']} client(s))", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("ms (log)")
    fig.suptitle("next and submit against database size (target: p50 within 1.5x of fresh)",
                 fontsize=10)
    fig.tight_layout()
    path = out / "growth_latency.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def draw(folder: Path | None, loop_path: Path | None, growth_paths: list[Path],
         out: Path) -> list[Path]:
    if folder is not None:
        loop_path = loop_path or folder / "loop.json"
        growth_paths = growth_paths or sorted(folder.glob("growth*.json"))
    out.mkdir(parents=True, exist_ok=True)
    drawn = []
    loop = _load(loop_path)
    if loop:
        drawn.append(plot_loop(loop, out))
    growths = [g for g in (_load(p) for p in growth_paths) if g]
    if growths:
        p = plot_growth(growths, out)
        if p:
            drawn.append(p)
    return drawn


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", nargs="?", type=Path,
                    help="a results folder (loop.json, growth*.json); the PNGs go there too")
    ap.add_argument("--loop", type=Path, help="loop.py's JSON")
    ap.add_argument("--growth", type=Path, nargs="*", default=[], help="growth.py's JSON(s)")
    ap.add_argument("--out-dir", type=Path, help="where to write the PNGs")
    a = ap.parse_args(argv)
    if a.folder is None and a.loop is None and not a.growth:
        ap.error("give a results folder, or --loop and/or --growth files")
    out = a.out_dir or a.folder or Path(".")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("matplotlib is not installed: `.venv/bin/pip install -e '.[plots]'` (make bench "
              "does it); the JSON results are complete without the plots", file=sys.stderr)
        return 1
    for p in draw(a.folder, a.loop, a.growth, out):
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
