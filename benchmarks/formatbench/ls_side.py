"""Label Studio's side of benchmarks/formats.py, and a Label Studio started for the round trip
(benchmarks/ls_roundtrip.py): its own venv, a fresh data dir, SQLite, its token user."""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from loopbench.client import one_shot
from loopbench.common import log, make_tasks
from loopbench.labelstudio import (
    LS_INSTALL_HINT,
    LS_LABEL_CONFIG,
    _ls_server,
    _ls_version,
    _wait_for_token_user,
)
from loopbench.procs import Server

from formatbench.fairlabel_side import CHOICES, download


def ls_missing(a: argparse.Namespace) -> str | None:
    exe = Path(a.ls_venv) / "bin" / "label-studio"
    return None if exe.exists() else f"no Label Studio at {exe}; install with: {LS_INSTALL_HINT}"


@contextmanager
def label_studio(a: argparse.Namespace, run_dir: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    """A running Label Studio and its token user's headers; stopped (and its data dir removed)
    on leaving."""
    data_dir = run_dir / "ls-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    srv, H = _ls_server(Path(a.ls_venv) / "bin" / "label-studio", data_dir, run_dir, {})
    log(f"Label Studio {_ls_version(a)}: starting on a fresh data dir (30-70 s)")
    srv.start()
    try:
        srv.wait_ready("/health", a.ls_startup_timeout)
        _wait_for_token_user(srv.port, H)
        yield srv, H
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def ls_project(srv: Server, H: dict[str, str], title: str, config: str) -> int:
    st, pj = one_shot(srv.port, "POST", "/api/projects/", {"title": title,
                                                           "label_config": config}, H)
    if st != 201:
        raise RuntimeError(f"LS POST /api/projects/ -> {st}: {str(pj)[:300]}")
    return int(pj["id"])


def ls_import(srv: Server, H: dict[str, str], pid: int, tasks: list[Any]) -> float:
    t0 = time.perf_counter()
    st, out = one_shot(srv.port, "POST", f"/api/projects/{pid}/import", json.dumps(tasks).encode(),
                       {**H, "Content-Type": "application/json"})
    took = time.perf_counter() - t0
    if st != 201:
        raise RuntimeError(f"LS import -> {st}: {str(out)[:500]}")
    return took


def _annotated(n: int) -> list[dict[str, Any]]:
    return [{**task, "annotations": [{"result": [{
        "from_name": "sentiment", "to_name": "text", "type": "choices",
        "value": {"choices": [CHOICES[i % 3]]}}]}]}
        for i, task in enumerate(make_tasks(n, 2))]


def bench_label_studio(a: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    res: dict[str, Any] = {}
    with label_studio(a, run_dir) as (srv, H):
        pid = ls_project(srv, H, "import", LS_LABEL_CONFIG)
        res["import_s"] = ls_import(srv, H, pid, make_tasks(a.tasks, 1))
        log(f"Label Studio: imported {a.tasks} tasks in {res['import_s']:.3f} s (one POST)")
        annotated = ls_project(srv, H, "annotated", LS_LABEL_CONFIG)
        took = ls_import(srv, H, annotated, _annotated(a.annotated))
        log(f"Label Studio: imported {a.annotated} tasks with an annotation each in {took:.1f} s")
        res["exports"] = {}
        for label, project, everything in (("annotated", annotated, False), ("all", pid, True)):
            path = f"/api/projects/{project}/export?exportType=JSON"
            got = download(srv, path + ("&download_all_tasks=true" if everything else ""),
                           {"Authorization": H["Authorization"]})
            res["exports"][f"{label}/JSON"] = got
            log(f"Label Studio: export {label} JSON: {got['s']:.3f} s, "
                f"{got['bytes'] / 1e6:.1f} MB, server RSS {got['rss_before_mib']} -> "
                f"{got['rss_peak_mib']} MiB")
    return res
