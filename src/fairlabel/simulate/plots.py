"""The report's PNG plots, drawn with matplotlib's Agg canvas (no display, no global state).

Each plot is written without a software tag or date in its metadata, so the same log gives
byte-identical files.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from fairlabel.domain.money import minor_units
from fairlabel.simulate.answers import AnswerPay
from fairlabel.simulate.figures import (
    Report,
    escrow_totals,
    week_count,
    weekly_income,
    weekly_income_nominal,
)
from fairlabel.simulate.log import RunLog

PLOTS = {
    "weekly_income.png": "Workers' income per week, with and without the charter",
    "hours_below_floor.png": "Hours paid below the floor per strategy, with and without",
    "escrow.png": "Money held in projects over the run, per strategy",
    "available_delay.png": "Time from an answer to its pay being available",
}
"""Each plot's file name and title, in the order the report links them."""

_METADATA: dict[str, str | None] = {"Software": None}


def _save(figure: Figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=100, metadata=_METADATA)


def _major(amount_minor: int, currency: str) -> float:
    scale: int = 10 ** int(minor_units(currency))
    return amount_minor / scale


def write_plots(log: RunLog, report: Report, pays: list[AnswerPay], out: Path) -> None:
    """Write every plot of :data:`PLOTS` into ``out``."""
    currency = log.currency
    figure = Figure(figsize=(8, 4))
    axes = figure.add_subplot()
    weeks = range(1, week_count(log) + 1)
    charter = [sum(s[w - 1] for s in weekly_income(log).values()) for w in weeks]
    nominal = [sum(s[w - 1] for s in weekly_income_nominal(log, pays).values()) for w in weeks]
    axes.plot(list(weeks), [_major(v, currency) for v in charter], label="with the charter")
    axes.plot(list(weeks), [_major(v, currency) for v in nominal], label="without the charter",
              linestyle="--")
    axes.set(xlabel="week of the run", ylabel=f"income of all workers ({currency})",
             title=PLOTS["weekly_income.png"])
    axes.legend()
    _save(figure, out / "weekly_income.png")

    figure = Figure(figsize=(8, 4))
    axes = figure.add_subplot()
    names = list(report.by_strategy)
    places = list(range(len(names)))
    axes.bar([p - 0.2 for p in places],
             [report.by_strategy[n].hours_below_floor for n in names], width=0.4,
             label="with the charter")
    axes.bar([p + 0.2 for p in places],
             [report.by_strategy[n].hours_below_floor_nominal for n in names], width=0.4,
             label="without the charter")
    axes.set_xticks(places, names, rotation=20)
    axes.set(ylabel="measured hours paid below the floor", title=PLOTS["hours_below_floor.png"])
    axes.legend()
    _save(figure, out / "hours_below_floor.png")

    figure = Figure(figsize=(8, 4))
    axes = figure.add_subplot()
    for name in names:
        requesters = {r.user_id for r in log.requesters if r.strategy == name}
        series = escrow_totals(log, requesters)
        days = [(at - log.started).total_seconds() / 86400 for at, _ in series]
        axes.plot(days, [_major(held, currency) for _, held in series], label=name)
    axes.set(xlabel="day of the run", ylabel=f"held in projects ({currency})",
             title=PLOTS["escrow.png"])
    if names:
        axes.legend()
    _save(figure, out / "escrow.png")

    figure = Figure(figsize=(8, 4))
    axes = figure.add_subplot()
    delays = [(p.available_at - p.answer.submitted_at).total_seconds() / 3600
              for p in pays if p.available_at is not None]
    axes.hist(delays, bins=40)
    axes.set(xlabel="hours from submitting an answer to its pay being available",
             ylabel="answers", title=PLOTS["available_delay.png"])
    _save(figure, out / "available_delay.png")

