"""fairlabel's side of benchmarks/formats.py: a real `fairlabel serve`, imports and exports over
HTTP, the server's memory sampled while each export streams."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from loopbench.client import one_shot
from loopbench.common import HOST, log, make_tasks
from loopbench.procs import Server, free_port

CHOICES = ["Positive", "Negative", "Neutral"]


def make_accounts(url: str, media_dir: Path, workers: int) -> tuple[str, list[str]]:
    """A requester with money deposited and ``workers`` workers, with API tokens (in process,
    on the server's database)."""
    from fairlabel.bootstrap import bootstrap
    from fairlabel.config import Settings
    from fairlabel.domain.accounts import Role
    from fairlabel.domain.money import Money
    from fairlabel.services import accounts, pay

    container = bootstrap(Settings(database_url=url, media_dir=str(media_dir),
                                   sweep_seconds=0))
    try:
        now = container.clock()
        admin = accounts.add_user(container.db, email="admin@bench.example",
                                  password="bench-password", role=Role.ADMIN, now=now)
        tokens = []
        for i in range(workers + 1):
            role = Role.REQUESTER if i == 0 else Role.WORKER
            email = f"{role.value}{i}@bench.example"
            accounts.add_user(container.db, email=email, password="bench-password", role=role,
                              now=now)
            tokens.append(accounts.create_token(container.db, email=email, name="b", now=now))
        pay.deposit(container.db, admin, requester_email="requester0@bench.example",
                    amount=Money(10**10, "USD"), policy=container.charter, now=now)
        return tokens[0], tokens[1:]
    finally:
        container.close()


def start_server(a: argparse.Namespace, run_dir: Path) -> tuple[Server, str, Path]:
    db = run_dir / "fairlabel.db"
    media = run_dir / "media"
    url = f"sqlite:///{db}"
    env = dict(os.environ, FAIRLABEL_DATABASE_URL=url, FAIRLABEL_MEDIA_DIR=str(media),
               FAIRLABEL_SWEEP_SECONDS="0")
    port = free_port()
    srv = Server("fairlabel", [a.fairlabel, "serve", "--host", HOST, "--port", str(port)],
                 env, port, run_dir / "fairlabel.log")
    srv.start()
    srv.wait_ready("/openapi.json", 120)
    return srv, url, media


def create_project(port: int, token: str, name: str, tasks: list[dict[str, Any]],
                   *, launch: bool) -> tuple[int, float]:
    """A single-choice project like Label Studio's; its tasks imported in one POST (timed)."""
    H = {"Authorization": f"Bearer {token}"}
    st, pj = one_shot(port, "POST", "/api/v1/projects", {
        "name": name, "instructions": "Is the review positive, negative or neutral?",
        "schema": {"type": "single_choice", "choices": CHOICES}, "redundancy": 1,
        "pay_per_task": {"amount_minor": 1, "currency": "USD"}}, H)
    assert st == 201, pj
    pid = int(pj["id"])
    body = json.dumps(tasks).encode()
    t0 = time.perf_counter()
    st, out = one_shot(port, "POST", f"/api/v1/projects/{pid}/tasks", body,
                       {**H, "Content-Type": "application/json"})
    took = time.perf_counter() - t0
    assert st == 201, out
    if launch:
        st, out = one_shot(port, "POST", f"/api/v1/projects/{pid}/fund",
                           {"amount": {"amount_minor": 10**7, "currency": "USD"}}, H)
        assert st == 200, out
        st, out = one_shot(port, "POST", f"/api/v1/projects/{pid}/launch", None, H)
        assert st == 200, out
    return pid, took


def answer_all(port: int, tokens: list[str], pid: int) -> tuple[int, float]:
    """Every worker (one thread each, one connection each) answers until nothing is left."""
    done: list[int] = []

    def work(token: str) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        H = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        count = 0
        for _ in range(1_000_000):  # bounded: stops on the first 204
            conn.request("GET", f"/api/v1/projects/{pid}/next", headers=H)
            r = conn.getresponse()
            lease = r.read()
            if r.status != 200:
                break
            body = json.loads(lease)
            choice = CHOICES[body["task"]["id"] % 3]
            conn.request("POST", f"/api/v1/assignments/{body['assignment_id']}/submit",
                         body=json.dumps({"answer": choice}), headers=H)
            r = conn.getresponse()
            r.read()
            count += r.status == 201
        conn.close()
        done.append(count)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=work, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done), time.perf_counter() - t0


def download(srv: Server, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """GET ``path``, reading the body as it streams; seconds, bytes and the server's memory
    (summed RSS: before, and the highest sample while it streamed)."""
    assert srv.monitor is not None
    srv.monitor.sample(refresh_tree=True)
    before = srv.monitor.rss_max_kib(time.perf_counter() - 0.01) or 0
    conn = http.client.HTTPConnection(HOST, srv.port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    size = 0
    while chunk := r.read(1 << 16):
        size += len(chunk)
    took = time.perf_counter() - t0
    conn.close()
    srv.monitor.sample()
    peak = srv.monitor.rss_max_kib(t0) or before
    assert r.status == 200, (path, r.status)
    return {"s": round(took, 3), "bytes": size, "rss_before_mib": round(before / 1024, 1),
            "rss_peak_mib": round(peak / 1024, 1)}


def bench_fairlabel(a: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    res: dict[str, Any] = {}
    srv, url, media = start_server(a, run_dir)
    try:
        requester, workers = make_accounts(url, media, a.answer_workers)
        H = {"Authorization": f"Bearer {requester}"}
        tasks = make_tasks(a.tasks, 1)
        pid, res["import_s"] = create_project(srv.port, requester, "import", tasks,
                                              launch=False)
        log(f"fairlabel: imported {a.tasks} tasks in {res['import_s']:.3f} s (one POST)")
        annotated, _ = create_project(srv.port, requester, "annotated",
                                      make_tasks(a.annotated, 2), launch=True)
        res["answers"], took = answer_all(srv.port, workers, annotated)
        log(f"fairlabel: {res['answers']} answers through next/submit in {took:.1f} s")
        res["exports"] = {}
        for label, project in (("annotated", annotated), ("all", pid)):
            first = download(srv, f"/api/v1/projects/{project}/export?format=jsonl", H)
            res[f"first_export_{label}_s"] = first["s"]
            log(f"fairlabel: first export of {label} (its consensus fitted, the libraries "
                f"loaded): {first['s']:.3f} s; not counted below")
            for fmt in a.formats:
                got = download(srv, f"/api/v1/projects/{project}/export?format={fmt}", H)
                res["exports"][f"{label}/{fmt}"] = got
                log(f"fairlabel: export {label} ({a.annotated if label == 'annotated' else a.tasks}"
                    f" tasks) {fmt}: {got['s']:.3f} s, {got['bytes'] / 1e6:.1f} MB, server RSS "
                    f"{got['rss_before_mib']} -> {got['rss_peak_mib']} MiB")
        if a.flat_tasks:
            res["flat"] = flat(srv, requester, a)
    finally:
        res.update({k: v for k, v in srv.stop().items() if k != "log_findings"})
    return res


def flat(srv: Server, requester: str, a: argparse.Namespace) -> dict[str, Any]:
    """The export's memory against the project's size: the same formats on a project
    ``flat_tasks`` large (imported in chunks of --tasks)."""
    pid, _ = create_project(srv.port, requester, "large", make_tasks(a.tasks, 3), launch=False)
    H = {"Authorization": f"Bearer {requester}", "Content-Type": "application/json"}
    for k in range(1, a.flat_tasks // a.tasks):
        st, out = one_shot(srv.port, "POST", f"/api/v1/projects/{pid}/tasks",
                           json.dumps(make_tasks(a.tasks, 3 + k)).encode(), H)
        assert st == 201, out
    out: dict[str, Any] = {"tasks": (a.flat_tasks // a.tasks) * a.tasks}
    for fmt in a.formats:
        out[fmt] = got = download(srv, f"/api/v1/projects/{pid}/export?format={fmt}", H)
        log(f"fairlabel: export {out['tasks']} tasks {fmt}: {got['s']:.3f} s, "
            f"{got['bytes'] / 1e6:.1f} MB, server RSS {got['rss_before_mib']} -> "
            f"{got['rss_peak_mib']} MiB")
    return out
