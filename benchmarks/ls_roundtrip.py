"""Label Studio export round trip: fairlabel's `label-studio` export of a project of every task
type, imported into Label Studio 1.23 itself, checked through Label Studio's API, then
Label Studio's own export imported back into fairlabel and checked unchanged.

Per task type, fairlabel (in process, on a fresh SQLite file) makes a project with images it
draws itself where the type shows images, three workers' answers and a gold task; exports it
as Label Studio tasks and its labeling config (`label-studio-config`). Label Studio (its own
venv, a fresh data dir) gets a user per worker (the export names each worker by a pseudonymous
e-mail), a project with that config, and the tasks in one import. Its API must then show every
task, every annotation under the right annotator (the gold answer as a ground-truth
annotation by the importing user), every result as exported and the consensus as a
prediction. Finally Label Studio's JSON export is imported back into the fairlabel project
with gold=true: the new tasks must equal the originals — data, images and gold answers.

A benchmark-side check, not a CI test: it needs Label Studio (benchmarks/README.md). It prints
one line per task type and PASS/FAIL, and exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from formatbench.ls_side import label_studio, ls_import, ls_missing, ls_project
from formatbench.projects import KINDS, answered_project, container_at, people
from loopbench.client import one_shot
from loopbench.common import WORK, log
from loopbench.procs import Server

from fairlabel.adapters.container import Container
from fairlabel.adapters.io.exports import FORMATS, ExportOptions
from fairlabel.adapters.io.label_studio.importer import rows_from_label_studio
from fairlabel.domain.accounts import User
from fairlabel.services import exports, projects

BASE = "http://127.0.0.1:8000"
"""The address images are exported under (Label Studio does not fetch them on import)."""


def _export(container: Container, user: User, pid: int, fmt: str) -> str:
    chosen = FORMATS[fmt]
    dataset = exports.export_dataset(container.db, user, pid, media=chosen.media,
                                     now=container.clock() if chosen.consensus else None)
    pieces = chosen.writer(dataset.schema, dataset.records, ExportOptions(base_url=BASE))
    return "".join(p if isinstance(p, str) else p.decode() for p in pieces)


def _results(results: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    return sorted((r["type"], r["from_name"], r["to_name"],
                   json.dumps(r["value"], sort_keys=True)) for r in results)


def _members(srv: Server, H: dict[str, str], emails: set[str]) -> dict[int, str]:
    """Label Studio's users by id, after adding those of ``emails`` it lacks."""
    st, users = one_shot(srv.port, "GET", "/api/users/", None, H)
    known = {u["email"] for u in users}
    for email in sorted(emails - known):
        st, out = one_shot(srv.port, "POST", "/api/users/", {
            "email": email, "username": email.split("@")[0], "first_name": "",
            "last_name": ""}, H)
        if st not in (200, 201):
            raise RuntimeError(f"LS POST /api/users/ -> {st}: {str(out)[:300]}")
    st, users = one_shot(srv.port, "GET", "/api/users/", None, H)
    return {int(u["id"]): u["email"] for u in users}


def check(ours: list[dict[str, Any]], theirs: list[dict[str, Any]],
          members: dict[int, str], me: str) -> list[str]:
    """What differs between our export and what Label Studio holds (empty: nothing)."""
    problems = []
    if len(ours) != len(theirs):
        return [f"{len(ours)} tasks exported, {len(theirs)} in Label Studio"]
    for number, (task, held) in enumerate(zip(ours, theirs, strict=True), start=1):
        got = sorted((members.get(a["completed_by"], "?"), bool(a["ground_truth"]),
                      str(_results(a["result"]))) for a in held["annotations"])
        want = sorted((a["completed_by"]["email"] if "completed_by" in a else me,
                       a["ground_truth"], str(_results(a["result"])))
                      for a in task["annotations"])
        if got != want:
            problems.append(f"task {number}: annotations differ: {got} != {want}")
        if [_results(p["result"]) for p in held["predictions"]] != [
                _results(p["result"]) for p in task["predictions"]]:
            problems.append(f"task {number}: predictions differ")
        if held["data"] != task["data"]:
            problems.append(f"task {number}: data differs")
    return problems


def _prediction(srv: Server, H: dict[str, str], found: Any) -> dict[str, Any]:
    if isinstance(found, dict):
        return found
    st, prediction = one_shot(srv.port, "GET", f"/api/predictions/{found}/", None, H)
    if st != 200:
        raise RuntimeError(f"LS GET /api/predictions/{found}/ -> {st}: {str(prediction)[:300]}")
    return dict(prediction)


def _tasks(container: Container, user: User, pid: int) -> list[tuple[Any, Any]]:
    lines = _export(container, user, pid, "jsonl").splitlines()
    return [(r["data"], r["gold"]) for r in map(json.loads, lines)]


def round_trip(kind: str, container: Container, requester: User, workers: list[User],
               srv: Server, H: dict[str, str]) -> list[str]:
    pid = answered_project(container, requester, workers, kind)
    before = _tasks(container, requester, pid)
    ours = json.loads(_export(container, requester, pid, "label-studio"))
    config = _export(container, requester, pid, "label-studio-config")
    emails = {a["completed_by"]["email"] for t in ours for a in t["annotations"]
              if "completed_by" in a}
    members = _members(srv, H, emails)
    me = next(e for e in members.values() if e.startswith("bench@"))
    ls_pid = ls_project(srv, H, kind, config)
    ls_import(srv, H, ls_pid, ours)
    st, theirs = one_shot(srv.port, "GET", f"/api/projects/{ls_pid}/export?exportType=JSON"
                          "&download_all_tasks=true", None, H)
    if st != 200:
        return [f"LS export -> {st}: {str(theirs)[:300]}"]
    st, summary = one_shot(srv.port, "GET", f"/api/projects/{ls_pid}", None, H)
    theirs = sorted(theirs, key=lambda t: t["id"])
    for task in theirs:  # its export lists predictions by id
        task["predictions"] = [_prediction(srv, H, p) for p in task["predictions"]]
    problems = check(ours, theirs, members, me)
    annotations = sum(len(t["annotations"]) for t in ours)
    if summary.get("total_annotations_number") != annotations:
        problems.append(f"Label Studio counts {summary.get('total_annotations_number')} "
                        f"annotations, {annotations} exported")
    schema = projects.get_project(container.db, requester, pid).project.terms.schema
    rows = rows_from_label_studio(schema, theirs, gold=True,
                                  own_host=BASE.split("//", 1)[1])
    projects.import_tasks(container.db, requester, pid, rows, max_rows=1000,
                          now=container.clock())
    after = _tasks(container, requester, pid)
    if after != before + before:
        problems.append(f"re-imported tasks differ: {after[len(before):]} != {before}")
    log(f"{kind}: {len(ours)} tasks, {annotations} annotations, "
        f"{sum(len(t['predictions']) for t in ours)} predictions in Label Studio project "
        f"{ls_pid}; re-imported {len(rows)} tasks: {'PASS' if not problems else 'FAIL'}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ls-venv", default=str(WORK / "ls-venv"))
    ap.add_argument("--ls-startup-timeout", type=float, default=300.0)
    ap.add_argument("--kinds", default=",".join(KINDS), help="task types to check")
    a = ap.parse_args(argv)
    missing = ls_missing(a)
    if missing:
        log(f"SKIPPED - {missing}")
        return 0
    run_dir = WORK / f"ls-roundtrip-{time.strftime('%Y%m%d-%H%M%S')}"
    run_dir.mkdir(parents=True, exist_ok=True)
    container = container_at(run_dir)
    failures: dict[str, list[str]] = {}
    try:
        requester, workers = people(container)
        with label_studio(a, run_dir) as (srv, H):
            for kind in a.kinds.split(","):
                problems = round_trip(kind, container, requester, workers, srv, H)
                if problems:
                    failures[kind] = problems
    finally:
        container.close()
    for kind, problems in failures.items():
        for problem in problems[:5]:
            print(f"FAIL {kind}: {problem}")
    print("PASS: every task type round-trips through Label Studio" if not failures else
          f"FAIL: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
