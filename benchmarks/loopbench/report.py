"""The summary: per-phase and per-server tables, TARGETS with PASS/FAIL, server log findings."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

# Label Studio 1.23.2 measured on this machine class (label_studio.md, run A: 10.8 answers/s
# at 8 clients, 433 MiB peak RSS); used only when LS is not run (see benchmarks/README.md).
LS_REFERENCE = {"answer_rate_8_clients": 10.8, "peak_rss_mib": 433}


def _lat(ph: dict[str, Any], key: str) -> str:
    lat = ph.get("latency", {}).get(key)
    if not lat or not lat.get("n"):
        return "-"
    return f"{lat['p50_ms']:.1f}/{lat['p95_ms']:.1f}"


def _num(v: float | None, width: int, digits: int) -> str:
    return f"{v:>{width}.{digits}f}" if isinstance(v, (int, float)) else f"{'-':>{width}}"


def _other_pct(ph: dict[str, Any]) -> float | None:
    if ph.get("other_cpu_s") is None or not ph.get("wall_s"):
        return None
    # Small negative values are sampling error (CPU is read at 1/100 s granularity).
    return max(0.0, 100.0 * ph["other_cpu_s"] / ph["wall_s"] / (os.cpu_count() or 1))


def _phase(res: dict[str, Any], c: int) -> dict[str, Any] | None:
    for ph in res.get("phases", []) or []:
        if ph.get("clients") == c:
            return ph
    return None


def _phase_row(name: str, ph: dict[str, Any]) -> str:
    if name == "hello":
        unit, nx, sb, op = "req", "-", "-", _lat(ph, "request")
    elif name == "pgbench":
        avg = ph.get("latency_avg_ms")
        unit, nx, sb, op = "tx", "-", "-", f"avg {avg:.1f}" if avg is not None else "-"
    elif name == "labelstudio":
        unit, nx, sb, op = "annotation", "-", _lat(ph, "annotation"), _lat(ph, "annotation")
    else:
        unit, nx, sb, op = "cycle", _lat(ph, "next"), _lat(ph, "submit"), _lat(ph, "cycle")
    return (f"{name:<12} {ph['clients']:>3} {ph['ok_per_s'] or 0:>9.1f} {unit:<11} {nx:>14} "
            f"{sb:>15} {op:>15} {ph['errors']:>4} {ph.get('server_cpu_ms_per_op') or 0:>9.2f} "
            f"{_num(ph.get('db_cpu_ms_per_op'), 8, 2)} "
            f"{ph.get('client_cpu_ms_per_op') or 0:>9.3f} "
            f"{_num(_other_pct(ph), 6, 0)} "
            f"{ph.get('server_rss_max_sampled_mib') or 0:>7.1f}")


def _phase_table(backends: dict[str, Any]) -> list[str]:
    """One row per phase of each backend, then the op p50 per fifth of each phase."""
    hdr = (f"{'backend':<12} {'cli':>3} {'ops/s':>9} {'unit':<11} {'next p50/p95':>14} "
           f"{'submit p50/p95':>15} {'op p50/p95 ms':>15} {'err':>4} {'srv ms/op':>9} "
           f"{'db ms/op':>8} {'cli ms/op':>9} {'other%':>6} {'RSS MiB':>7}")
    lines = [hdr, "-" * len(hdr)]
    for name, res in backends.items():
        if res.get("skipped") or res.get("failed"):
            lines.append(f"{name:<12} {'skipped' if res.get('skipped') else 'FAILED'}: "
                         f"{res.get('skipped') or res.get('failed')}")
            continue
        lines += [_phase_row(name, ph) for ph in res.get("phases", [])]
    lines.append("")
    lines.append("  (srv/db/cli ms/op: CPU per op of the server tree, of the PostgreSQL backends "
                 "serving it, of this client; other%: CPU of everything else on the machine during "
                 "the phase, % of all cores: noise)")
    drift = []
    for res in backends.values():
        for ph in res.get("phases", []) or []:
            if any(ph.get("op_p50_ms_by_fifth") or []):
                drift.append(f"  {ph['phase']:<18} {ph['op_p50_ms_by_fifth']}")
    if drift:
        lines.append("op p50 (ms) per fifth of each phase, in start order (growth = slows down "
                     "as work accumulates):")
        lines += drift
    return lines


def _server_table(backends: dict[str, Any]) -> list[str]:
    """One row per backend that started: start-up, memory, CPU, imports, log lines."""
    hdr2 = (f"{'backend':<12} {'start-up s':>10} {'peak RSS MiB (VmHWM sum / sampled)':>36} "
            f"{'procs':>5} {'server CPU s':>12} {'db CPU s':>8} {'import s (per phase)':<28} "
            f"{'log lines':>9}")
    lines = [hdr2, "-" * len(hdr2)]
    for name, res in backends.items():
        if res.get("skipped") or "startup_s" not in res:
            continue
        if name == "labelstudio":
            imp = f"{res.get('import_s')} ({res.get('import_tasks')} tasks)"
        else:
            imp = ", ".join(str(ph.get("import_s")) for ph in res.get("phases", [])
                            if "import_s" in ph) or "-"
        rss = (f"{res.get('server_peak_rss_vmhwm_sum_mib')} / "
               f"{res.get('server_peak_rss_sampled_mib')}")
        lines.append(f"{name:<12} {res['startup_s']:>10.2f} {rss:>36} "
                     f"{res.get('server_processes', '-'):>5} "
                     f"{res.get('server_cpu_total_s', 0):>12.1f} "
                     f"{_num(res.get('db_cpu_total_s'), 8, 1)} {imp:<28} "
                     f"{res.get('log_findings', {}).get('matching_lines', 0):>9}")
    return lines


def _server_notes(backends: dict[str, Any], a: argparse.Namespace) -> list[str]:
    """Start-up runs, memory checkpoints, LS GET next, client cost, a noisy-machine warning."""
    lines = []
    for name, res in backends.items():
        if len(res.get("startup_runs_s") or []) > 1:
            lines.append(f"{name} start-up runs (each on a fresh database, in order; median "
                         f"above): {res['startup_runs_s']} s")
    for name, res in backends.items():
        if res.get("rss_checkpoints_mib"):
            cp = res["rss_checkpoints_mib"]
            lines.append(f"{name} RSS MiB now / peak-so-far: " + ", ".join(
                f"{k} {v['rss']}/{v['vmhwm_so_far']}" for k, v in cp.items()))
    if "labelstudio" in backends and backends["labelstudio"].get("next_seq"):
        ns = backends["labelstudio"]["next_seq"]
        lines.append(f"labelstudio GET next (sequential, {ns['ok']} calls): p50/p95 "
                     f"{_lat(ns, 'next')} ms")
    hc = backends.get("hello", {}).get("client_cost")
    if hc:
        lines.append("")
        lines.append(f"client cost at {a.compare_clients} clients against hello-world "
                     "(client CPU ms per request; lower is cheaper):")
        for kind, d in hc.items():
            lines.append(f"  {kind:<12} {d.get('client_cpu_ms_per_op')} ms/req, "
                         f"{d.get('ok_per_s')} req/s")
    noisy = [f"{ph['phase']} {_other_pct(ph):.0f}%" for res in backends.values()
             for ph in res.get("phases", []) or [] if (_other_pct(ph) or 0) > 25]
    if noisy:
        lines.append("")
        lines.append("WARNING: other processes on this machine used more than 25% of all cores "
                     "during: " + ", ".join(noisy) + ". Rates there are depressed and latencies "
                     "inflated; compare ratios within the run, or re-run on a quiet machine.")
    return lines


def _rate_target(name: str, p8: dict[str, Any], ls_rate: float | None,
                 d: dict[str, Any]) -> str:
    """Cycle rate at 8 clients against Label Studio's answer rate (measured or reference)."""
    if ls_rate:
        d["rate_vs_ls_at_8"] = round(p8["ok_per_s"] / ls_rate, 1)
        basis = f"LS measured now: {ls_rate}/s"
    else:
        d["rate_vs_ls_at_8_reference"] = round(
            p8["ok_per_s"] / LS_REFERENCE["answer_rate_8_clients"], 1)
        basis = (f"LS NOT RUN - vs reference {LS_REFERENCE['answer_rate_8_clients']}/s "
                 "from label_studio.md")
    x = d.get("rate_vs_ls_at_8", d.get("rate_vs_ls_at_8_reference"))
    return (f"  {name:<8} cycle rate / LS answer rate @8 clients: "
            f"{p8['ok_per_s']}/s / {ls_rate or LS_REFERENCE['answer_rate_8_clients']}"
            f"/s = {x}x   (target >= 20x: {'PASS' if x >= 20 else 'FAIL'}; {basis})")


def _hello_fractions(name: str, res: dict[str, Any], hello: dict[str, Any],
                     out: list[str]) -> dict[int, dict[str, float]]:
    """Each phase's rate as a share of hello-world's at the same client count."""
    fr = {}
    for ph in res["phases"]:
        hp = _phase(hello, ph["clients"])
        if hp and hp.get("ok_per_s") and ph.get("ok_per_s"):
            c = ph["clients"]
            f1 = ph["ok_per_s"] / hp["ok_per_s"]
            f2 = 2 * ph["ok_per_s"] / hp["ok_per_s"]
            fr[c] = {"cycles_per_hello_req": round(f1, 3),
                     "requests_per_hello_req": round(f2, 3)}
            out.append(f"  {name:<8} @{c:>2} clients: cycles/s / hello req/s = "
                       f"{ph['ok_per_s']}/{hp['ok_per_s']} = {f1:.1%};  "
                       f"requests/s (2 x cycles/s) / hello req/s = {f2:.1%}")
    return fr


def _backend_targets(name: str, res: dict[str, Any], ls_rate: float | None,
                     ls_rss: float | None, hello: dict[str, Any], pgbench: dict[str, Any],
                     out: list[str]) -> dict[str, Any]:
    """One fairlabel backend against the targets: lines appended to ``out``, figures returned."""
    d: dict[str, Any] = {}
    p8 = _phase(res, 8)
    if p8 and p8.get("ok"):
        out.append(_rate_target(name, p8, ls_rate, d))
    p32 = _phase(res, 32)
    if p32 and p32.get("latency", {}).get("cycle", {}).get("n"):
        v = p32["latency"]["cycle"]["p95_ms"]
        d["p95_cycle_ms_at_32"] = v
        out.append(f"  {name:<8} p95 cycle latency @32 clients: {v} ms   "
                   f"(target < 100 ms: {'PASS' if v < 100 else 'FAIL'})")
    rss = res.get("server_peak_rss_vmhwm_sum_mib")
    if rss:
        d["peak_rss_mib"] = rss
        rel = f"; LS measured now: {ls_rss} MiB = {round(ls_rss / rss, 2)}x" if ls_rss else ""
        out.append(f"  {name:<8} server peak RSS (VmHWM, {res.get('server_processes')} "
                   f"process(es)): {rss} MiB   (target < 144 MiB: "
                   f"{'PASS' if rss < 144 else 'FAIL'}{rel})")
    d["startup_s"] = res.get("startup_s")
    d["startup_runs_s"] = res.get("startup_runs_s")
    out.append(f"  {name:<8} start-up on a fresh database: {res.get('startup_s')} s median of "
               f"{res.get('startup_runs_s')}   "
               f"(target < 2 s: {'PASS' if res.get('startup_s', 99) < 2 else 'FAIL'})")
    d["fraction_of_hello"] = _hello_fractions(name, res, hello, out)
    d["fraction_of_pgbench"] = _pgbench_fractions(name, res, pgbench, out)
    return d


def _pgbench_fractions(name: str, res: dict[str, Any], pgbench: dict[str, Any],
                       out: list[str]) -> dict[int, float]:
    """Each phase's cycle rate as a share of pgbench's simple-update transactions/s at the
    same client count (the database's raw ceiling on the same server)."""
    fr = {}
    for ph in res["phases"]:
        pp = _phase(pgbench, ph["clients"])
        if pp and pp.get("ok_per_s") and ph.get("ok_per_s"):
            c = ph["clients"]
            fr[c] = round(ph["ok_per_s"] / pp["ok_per_s"], 3)
            out.append(f"  {name:<8} @{c:>2} clients: cycles/s / pgbench simple-update tx/s = "
                       f"{ph['ok_per_s']}/{pp['ok_per_s']} = {fr[c]:.1%}")
    return fr


def _targets(backends: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The TARGETS section: the figures per fairlabel backend, and its lines."""
    t: dict[str, Any] = {}
    out = ["", "TARGETS"]
    ls = backends.get("labelstudio", {})
    ls8 = _phase(ls, 8) if not ls.get("skipped") else None
    ls_rate = ls8["ok_per_s"] if ls8 and ls8.get("ok") else None
    ls_rss = ls.get("server_peak_rss_vmhwm_sum_mib")
    hello = backends.get("hello", {})
    pgbench = backends.get("pgbench", {})
    if pgbench.get("skipped"):
        out.append(f"  pgbench: skipped - {pgbench['skipped']}")
    for name in ("sqlite", "postgres"):
        res = backends.get(name)
        if not res or res.get("skipped") or res.get("failed") or not res.get("phases"):
            continue
        t[name] = _backend_targets(name, res, ls_rate, ls_rss, hello, pgbench, out)
    if len(out) == 2:
        out.append("  (no fairlabel backend ran)")
    return t, out


def _log_findings(backends: dict[str, Any]) -> list[str]:
    """Server log lines matching error patterns, and the errors the clients saw."""
    lines = ["", "SERVER LOGS (lines matching error patterns)"]
    for name, res in backends.items():
        lf = res.get("log_findings")
        if not lf:
            continue
        lines.append(f"  {name}: {lf['matching_lines']} matching lines ({lf['log']})")
        for s in lf["samples"]:
            lines.append(f"      {s}")
        for ph in res.get("phases", []) or []:
            if ph.get("error_counts"):
                lines.append(f"      client errors [{ph['phase']}]: "
                             f"{json.dumps(ph['error_counts'])} "
                             f"of {json.dumps(ph['status_counts'])}")
            for s in ph.get("error_samples", [])[:5]:
                lines.append(f"      client saw [{ph['phase']}] {s}")
    return lines


def summarize(results: dict[str, Any], a: argparse.Namespace) -> dict[str, Any]:
    """Print the summary of a run; return the figures measured against the targets."""
    backends = results["backends"]
    targets, target_lines = _targets(backends)
    lines = [*_phase_table(backends), "", *_server_table(backends),
             *_server_notes(backends, a), *target_lines, *_log_findings(backends)]
    print("\n" + "=" * 30 + " SUMMARY " + "=" * 30)
    for k, v in results.get("uvicorn_calls", {}).items():
        print(f"uvicorn.run in {k}: {v}")
    print(f"machine: {os.cpu_count()} CPUs; client library {a.client}; uvicorn workers "
          f"{a.workers}; {a.tasks} tasks/phase, redundancy {a.redundancy}; phases capped at "
          f"{a.cycles} cycles / {a.hello_requests} hello requests / {a.ls_annotations} LS "
          f"annotations or {a.phase_seconds} s. 'ops/s' = cycles/s (fairlabel: one GET next + "
          f"one POST submit), requests/s (hello), annotations/s (LS). Latencies in ms.")
    print("\n".join(lines), flush=True)
    return targets
