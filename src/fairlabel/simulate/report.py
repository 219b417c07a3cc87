"""The report of a simulated run: ``report.json``, ``report.md`` and PNG plots.

:func:`figures` (from :mod:`fairlabel.simulate.figures`) computes every figure from the
:class:`~fairlabel.simulate.log.RunLog` alone; :func:`write_report` writes them. The same log
always gives the same files: no time of writing, keys in a fixed order, plots without a
software tag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from fairlabel.domain.money import format_minor
from fairlabel.simulate.answers import answer_pay
from fairlabel.simulate.figures import RelaunchCounts, Report, StrategyFigures, figures
from fairlabel.simulate.log import RunLog
from fairlabel.simulate.plots import PLOTS, write_plots

__all__ = ["MEANINGS", "Report", "StrategyFigures", "figures", "markdown", "report_from_json",
           "report_to_json", "write_report"]

MEANINGS: dict[str, str] = {
    "answers": "answers submitted",
    "worker_hours": "measured hours of those answers (lease to submission)",
    "hours_below_floor": "measured hours of answers paid less than the floor at their "
                         "project's median time (1 minor unit of tolerance; an answer whose "
                         "pay was withheld with cause — wrong, or a spammer's — does not count)",
    "answers_below_floor": "answers paid below the floor, as above",
    "paid_minor": "what workers received: answers' pay net of withholdings, and notice pay",
    "immediate_ends": "projects ended at once (without notice)",
    "notice_owed_minor": "notice pay the charter owes for ends at once: each worker's daily "
                         "average over the last 14 days times the notice days",
    "notice_paid_minor": "notice pay the workers' ledgers received",
    "relaunches": "relaunches of old work attempted",
    "relaunches_refused": "relaunches the platform refused to launch",
    "relaunches_launched": "relaunches that went live",
    "relaunches_linked": "relaunches the platform linked to the old project",
    "rejections": "answers requesters tried to reject (once each, however many tries)",
    "rejections_refused": "rejections the platform refused",
    "rejections_withheld": "rejections that withheld the answer's pay",
    "rejections_overturned": "withholding rejections overturned on appeal",
    "decisions": "decisions about workers recorded by the platform",
    "decisions_unexplained": "decisions recorded without an explanation",
    "appeals": "decisions appealed",
    "appeals_late": "appeals decided after their deadline, or undecided and past it at the end",
    "escrow_peak_minor": "most money held in projects at one daily sample",
    "escrow_mean_minor": "mean money held in projects over the daily samples",
    "income_volatility_median": "median over workers of the coefficient of variation of their "
                                "weekly income",
    "available_hours_p50": "median hours from submitting an answer to its pay being available",
    "available_hours_p95": "95th percentile of the same",
    "answers_never_available": "answers whose pay never became available by the end of the run",
    "requesters": "requester accounts following the strategy",
    "projects": "projects of those requesters",
    "workers": "workers who answered (overall: every simulated worker)",
}
"""One line per figure shown in ``report.md`` (the ``_nominal`` figures are its right-hand
column: the same run without the charter)."""

_Without = Callable[[StrategyFigures], int | float | None]
WITHOUT: dict[str, _Without] = {
    "hours_below_floor": lambda f: f.hours_below_floor_nominal,
    "answers_below_floor": lambda f: f.answers_below_floor_nominal,
    "paid_minor": lambda f: f.paid_nominal_minor,
    "notice_owed_minor": lambda f: 0,
    "notice_paid_minor": lambda f: 0,
    "relaunches_refused": lambda f: 0,
    "relaunches_linked": lambda f: 0,
    "rejections_refused": lambda f: 0,
    "rejections_withheld": lambda f: f.rejections,
    "rejections_overturned": lambda f: 0,
    "income_volatility_median": lambda f: f.income_volatility_median_nominal,
}
"""What the same run gives without the charter: nominal prices, no top-ups, no notice pay,
every attempted rejection withholding, nothing refused or linked."""

_RUN_FIELDS = ("seed", "currency", "floor_hourly_minor", "started", "ended", "days", "workers",
               "requesters", "answers", "wall_seconds", "ledger_verified")


def _figures_json(block: StrategyFigures, currency: str) -> dict[str, Any]:
    data = asdict(block)
    data["currency"] = currency
    return data


def report_to_json(report: Report) -> dict[str, Any]:
    """The report as JSON values, keys in a fixed order; money in minor units of
    ``currency`` (each figures block names it too), times in ISO 8601 UTC."""
    data: dict[str, Any] = {}
    for name in _RUN_FIELDS:
        value = getattr(report, name)
        data[name] = value.isoformat() if isinstance(value, datetime) else value
    data["overall"] = _figures_json(report.overall, report.currency)
    data["by_strategy"] = {name: _figures_json(block, report.currency)
                           for name, block in report.by_strategy.items()}
    return data


def _figures_from_json(data: dict[str, Any]) -> StrategyFigures:
    values = {f.name: data[f.name] for f in fields(StrategyFigures)}
    values["relaunches_by_variant"] = {name: RelaunchCounts(**counts) for name, counts
                                       in data["relaunches_by_variant"].items()}
    return StrategyFigures(**values)


def report_from_json(data: dict[str, Any]) -> Report:
    """The report back from :func:`report_to_json`'s output."""
    run = {name: data[name] for name in _RUN_FIELDS}
    run["started"] = datetime.fromisoformat(data["started"])
    run["ended"] = datetime.fromisoformat(data["ended"])
    return Report(**run, overall=_figures_from_json(data["overall"]),
                  by_strategy={name: _figures_from_json(block)
                               for name, block in data["by_strategy"].items()})


def _shown(name: str, value: int | float | None, currency: str) -> str:
    if value is None:
        return "—"
    if name.endswith("_minor"):
        return format_minor(int(value), currency)
    if isinstance(value, float):
        return f"{value:.3f}" if "volatility" in name else f"{value:.2f}"
    return str(value)


def markdown(report: Report, command: str | None = None) -> str:
    """``report.md``: the run's facts (with ``command``, the command line that made it), a
    table per figure with and without the charter, the relaunches by variant, and links to
    the plots."""
    currency = report.currency
    lines = ["# A simulated platform year: the report", ""]
    if command is not None:
        lines.append(f"- command: `{command}`")
    lines += [f"- seed: {report.seed}",
             f"- simulated: {report.started.isoformat()} to {report.ended.isoformat()} "
             f"({report.days:.1f} days)",
             f"- workers: {report.workers}; requesters: {report.requesters}; "
             f"answers: {report.answers}",
             f"- floor: {format_minor(report.floor_hourly_minor, currency)} per hour",
             f"- wall time: {report.wall_seconds:.1f} s",
             f"- ledger verified: {'yes' if report.ledger_verified else 'NO'}", "",
             "Each table sets the figure with the charter beside the same run without it: "
             "nominal prices alone, no top-ups, no notice pay, every rejection withholding "
             "pay (— where the figure has no such counterpart).", ""]
    blocks = [report.overall, *report.by_strategy.values()]
    for name, meaning in MEANINGS.items():
        without = WITHOUT.get(name)
        lines += [f"## {name}", "", meaning[0].upper() + meaning[1:] + ".", "",
                  "| strategy | with the charter | without the charter |",
                  "|---|---:|---:|"]
        for block in blocks:
            value = getattr(block, name)
            other = _shown(name, without(block), currency) if without else "—"
            lines.append(f"| {block.strategy} | {_shown(name, value, currency)} | {other} |")
        lines.append("")
    lines += ["## Relaunches by variant", "",
              "A relaunch counts under each variant it used.", "",
              "| variant | attempted | refused | launched | linked |", "|---|---:|---:|---:|---:|"]
    for variant, counts in report.overall.relaunches_by_variant.items():
        lines.append(f"| {variant} | {counts.attempted} | {counts.refused} | {counts.launched} "
                     f"| {counts.linked} |")
    lines += ["", "## Plots", ""]
    lines += [f"- [{title}]({name})" for name, title in PLOTS.items()]
    return "\n".join(lines) + "\n"


def write_report(log: RunLog, out: Path, command: str | None = None) -> None:
    """Write ``report.json``, ``report.md`` (saying ``command``, when given) and the plots
    of :data:`PLOTS` into ``out`` (created if missing; files of an earlier report there are
    replaced)."""
    pays = answer_pay(log)  # the costliest part, shared by the figures and the plots
    report = figures(log, pays)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8")
    (out / "report.md").write_text(markdown(report, command), encoding="utf-8")
    write_plots(log, report, pays, out)

