"""Label Studio from its own venv: start-up, import, GET next and POST annotation phases."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .client import CLIENTS, one_shot
from .common import HOST, log, make_tasks
from .phase import Rec, WorkerFn, run_phase
from .procs import Server, checkpoint, free_port

LS_CLASSES = ["Positive", "Negative", "Neutral"]
LS_LABEL_CONFIG = """<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" showInline="true">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral"/>
  </Choices>
</View>"""
LS_INSTALL_HINT = ("python3 -m venv benchmarks/.work/ls-venv && "
                   "benchmarks/.work/ls-venv/bin/pip install 'label-studio==1.23.*'")


def ls_worker_factory(task_ids: list[int]) -> WorkerFn:
    def worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
        bad = 0
        for _ in range(len(task_ids) + 1):
            k = claim()
            if k is None or k >= len(task_ids) or bad > 50:
                return
            payload = json.dumps({"result": [{
                "from_name": "sentiment", "to_name": "text", "type": "choices",
                "value": {"choices": [LS_CLASSES[k % 3]]}}], "lead_time": 1.0}).encode()
            sent = rec.send(conn, "POST annotation", "POST",
                            f"/api/tasks/{task_ids[k]}/annotations/", payload)
            if sent is None:
                bad += 1
                continue
            st, data, start, took = sent
            if st == 201:
                rec.succeeded("annotation", start, took)
            else:
                rec.error("POST annotation", st, data)
                bad += 1

    return worker


def ls_next_worker(pid: int) -> WorkerFn:
    def worker(i: int, conn: Any, rec: Rec, claim: Callable[[], int | None]) -> None:
        for _ in range(1_000_000):
            if claim() is None:
                return
            sent = rec.send(conn, "GET next", "GET", f"/api/projects/{pid}/next/")
            if sent is None:
                continue
            st, data, start, took = sent
            if st == 200:
                rec.succeeded("next", start, took)
            else:
                rec.error("GET next", st, data)

    return worker


def bench_labelstudio(a: argparse.Namespace, run_dir: Path,
                      res: dict[str, Any]) -> dict[str, Any]:
    exe = Path(a.ls_venv) / "bin" / "label-studio"
    if not exe.exists():
        reason = f"no Label Studio at {exe}; install with: {LS_INSTALL_HINT}"
        log(f"labelstudio: SKIPPED - {reason}")
        res["skipped"] = reason
        return res
    ver = _ls_version(a)
    res["version"] = ver
    data_dir = run_dir / "ls-data"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    srv, H = _ls_server(exe, data_dir, run_dir, res)
    log(f"labelstudio {ver}: starting on a fresh data dir (first start runs its migrations; "
        f"30-70 s)")
    srv.start()
    try:
        res["startup_s"] = round(srv.wait_ready("/health", a.ls_startup_timeout), 3)
        log(f"labelstudio: first 200 from /health {res['startup_s']} s after spawn")
        checkpoint(srv, res, "after_startup")
        _wait_for_token_user(srv.port, H)
        pid, task_ids = _ls_project(a, srv, H, res)
        _ls_phases(a, srv, H, res, pid, task_ids)
    finally:
        res.update(srv.stop())
        if not a.keep_data:
            shutil.rmtree(data_dir, ignore_errors=True)
    return res


def _ls_version(a: argparse.Namespace) -> str:
    try:
        return subprocess.run([str(Path(a.ls_venv) / "bin" / "python"), "-c",
                               "import importlib.metadata as m; print(m.version('label-studio'))"],
                              capture_output=True, timeout=60).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def _ls_server(exe: Path, data_dir: Path, run_dir: Path,
               res: dict[str, Any]) -> tuple[Server, dict[str, str]]:
    """The Label Studio server (not started yet) and the headers of its token user."""
    token = "b3nch" + "0" * 35  # 40 chars, like LS's legacy tokens
    env = dict(os.environ, LABEL_STUDIO_USERNAME="bench@example.com",
               LABEL_STUDIO_PASSWORD="bench-password-123", LABEL_STUDIO_USER_TOKEN=token,
               SENTRY_DSN="", FRONTEND_SENTRY_DSN="", COLLECT_ANALYTICS="false",
               LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true")
    port = free_port()
    argv = [str(exe), "start", "--no-browser", "--internal-host", HOST, "--port", str(port),
            "--data-dir", str(data_dir), "--enable-legacy-api-token"]
    res["argv"] = argv
    srv = Server("labelstudio", argv, env, port, run_dir / "labelstudio.log")
    return srv, {"Authorization": f"Token {token}"}


def _wait_for_token_user(port: int, H: dict[str, str]) -> None:
    st, v = (0, None)
    for _ in range(60):  # the token user may land a moment after /health answers
        st, v = one_shot(port, "GET", "/api/version", None, H)
        if st == 200:
            break
        time.sleep(0.5)
    if st != 200:
        raise RuntimeError(f"LS /api/version with token -> {st}: {str(v)[:300]}")


def _ls_project(a: argparse.Namespace, srv: Server, H: dict[str, str],
                res: dict[str, Any]) -> tuple[int, list[int]]:
    """A project with enough tasks for every phase, imported in one POST: its id and task ids."""
    port = srv.port
    st, pj = one_shot(port, "POST", "/api/projects/", {
        "title": "bench", "label_config": LS_LABEL_CONFIG}, H)
    if st != 201:
        raise RuntimeError(f"LS POST /api/projects/ -> {st}: {str(pj)[:300]}")
    pid = pj["id"]
    n_tasks = max(a.ls_tasks, a.ls_annotations * len(a.ls_client_counts))
    body = json.dumps(make_tasks(n_tasks, 1)).encode()
    t0 = time.perf_counter()
    st, ij = one_shot(port, "POST", f"/api/projects/{pid}/import?return_task_ids=true",
                      body, H)
    res["import_s"] = round(time.perf_counter() - t0, 3)
    res["import_tasks"] = n_tasks
    if st != 201:
        raise RuntimeError(f"LS import -> {st}: {str(ij)[:300]}")
    task_ids = list(ij.get("task_ids") or [])
    log(f"  LS project {pid}: imported {n_tasks} tasks in {res['import_s']} s (one POST)")
    checkpoint(srv, res, "after_import")
    if len(task_ids) < a.ls_annotations * len(a.ls_client_counts):
        raise RuntimeError(f"LS import returned {len(task_ids)} task ids")
    return pid, task_ids


def _ls_phases(a: argparse.Namespace, srv: Server, H: dict[str, str], res: dict[str, Any],
               pid: int, task_ids: list[int]) -> None:
    """Sequential GET next, then one POST annotation phase per client count."""
    port = srv.port
    cls = CLIENTS[a.client]
    if a.ls_next_calls:
        res["next_seq"] = run_phase("labelstudio GET next c=1", [cls(port, H, a.req_timeout)],
                                    ls_next_worker(pid), a.ls_next_calls, a.phase_seconds,
                                    srv)
    res["phases"] = []
    off = 0
    for c in a.ls_client_counts:
        ids = task_ids[off:off + a.ls_annotations]
        off += a.ls_annotations
        ph = run_phase(f"labelstudio c={c}", [cls(port, H, a.req_timeout) for _ in range(c)],
                       ls_worker_factory(ids), len(ids), a.phase_seconds, srv)
        res["phases"].append(ph)
        checkpoint(srv, res, f"after_c{c}")
