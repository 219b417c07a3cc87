"""The public registry of every automated system that decides about workers (charter rule 9).

For each: what it decides, what it reads, its main parameters and their weight, and how to
contest what it did. The figures are the platform's settings in force, so the registry says
what the running instance does, not what a document once promised.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.money import Money
from fairlabel.domain.review import (
    FAST_ANSWERS_RULE,
    FAST_MIN_ANSWERS,
    FAST_SHARE,
    GOLD_BLOCK_RULE,
    WITHHOLD_RULE,
)

TOPUP_RULE = "pay_floor@1"
AUTO_APPROVAL_RULE = "auto_approval@1"
APPEAL_DEADLINE_RULE = "appeal_deadline@1"
OVERLONG_PAUSE_RULE = "overlong_pause@1"
QUALIFICATION_RULE = "qualification@1"

_APPEAL = ("Open your decisions page (or POST /api/v1/decisions/{{id}}/appeal) and appeal: a "
           "moderator upholds or overturns it with a written reason, and if no one decides "
           "within {days} days it is overturned in your favour.")


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    value: str
    weight: str  # how much it counts in the outcome, in words


@dataclass(frozen=True, slots=True)
class AutomatedSystem:
    rule: str  # name@version, as recorded on its decisions
    decides: str
    reads: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    contest: str
    proposes_only: bool = False  # restricts access only through a moderator

    @property
    def name(self) -> str:
        return self.rule.split("@")[0]

    @property
    def version(self) -> int:
        return int(self.rule.split("@")[1])


def registry(policy: CharterPolicy) -> list[AutomatedSystem]:
    days = f"{policy.appeal_deadline.total_seconds() / 86400:g}"
    appeal = _APPEAL.format(days=days)
    floors = ", ".join(f"{Money(v, c)}/h" for c, v in sorted(policy.floors.by_currency.items()))
    review_hours = f"{policy.review_window.total_seconds() / 3600:g}"
    return [
        AutomatedSystem(
            TOPUP_RULE, "Tops every answer of a project up to the hourly pay floor at the "
            "project's median working time, and raises the price for future tasks.",
            ("each answer's working time (lease issued → submitted)", "the price per task",
             "the floor table (currency, worker country, project floor)"),
            (Parameter("hourly floor", floors or "none", "decisive: pay never ends below it"),
             Parameter("answers before measuring", str(policy.min_answers_for_rate),
                       "a threshold: no median, no top-up yet")),
            "Top-ups only ever add pay. " + appeal),
        AutomatedSystem(
            AUTO_APPROVAL_RULE, "Approves every answer not reviewed when the review window "
            "ends: its pay becomes available.",
            ("when the answer was submitted", "whether the requester reviewed it"),
            (Parameter("review window", f"{review_hours} h", "decisive"),),
            "It only ever approves. A requester's rejection is a decision you can appeal."),
        AutomatedSystem(
            WITHHOLD_RULE, "Decides whether a requester's rejection may withhold the answer's "
            "pay. Without evidence the rejection still pays.",
            ("the worker's gold score on the project", "the project's stated gold "
             "threshold and minimum of gold items", "the answer's working time",
             "the project's measured median working time"),
            (Parameter("gold accuracy", "below the project's stated threshold over at least "
                       "its minimum of gold items", "sufficient alone"),
             Parameter("working time", f"under {FAST_SHARE} of the median (measured over at "
                       f"least {policy.min_answers_for_rate} answers)", "sufficient alone")),
            "The evidence is stored with the rejection. " + appeal),
        AutomatedSystem(
            FAST_ANSWERS_RULE, "Proposes blocking a worker from a project when most of their "
            "recent answers were impossibly fast. A moderator confirms or declines.",
            ("the working times of the worker's answers on the project in the last 7 days",
             "the project's measured median working time"),
            (Parameter("recent answers", f"at least {FAST_MIN_ANSWERS}", "a threshold"),
             Parameter("fast answers", f"more than half under {FAST_SHARE} of the median",
                       "decisive for the proposal")),
            "Nothing happens until a moderator confirms. " + appeal, proposes_only=True),
        AutomatedSystem(
            GOLD_BLOCK_RULE, "Proposes blocking a worker from a project when their accuracy "
            "on control (gold) items is below the project's stated threshold. A moderator "
            "confirms or declines.",
            ("the worker's answers to the project's gold items", "the project's stated "
             "threshold and minimum of gold items"),
            (Parameter("gold accuracy", "below the project's stated threshold", "decisive"),
             Parameter("gold items answered", "at least the project's minimum", "a threshold")),
            "Nothing happens until a moderator confirms. " + appeal, proposes_only=True),
        AutomatedSystem(
            QUALIFICATION_RULE, "Grades a project's qualification test: a worker who answers "
            "enough of its gold items right may take the project's work; one who fails may "
            "try again later, on items not seen before.",
            ("the worker's answers to the test's gold items", "the project's pass mark, test "
             "size and waiting time before a retry"),
            (Parameter("pass mark", "the project's, stated before work starts", "decisive"),
             Parameter("retry", "after the project's waiting time", "a threshold")),
            "A test is paid at the floor like any work. " + appeal),
        AutomatedSystem(
            APPEAL_DEADLINE_RULE, "Overturns, in the worker's favour, every appeal no "
            "moderator decided before its deadline.",
            ("when the appeal was filed",),
            (Parameter("deadline", f"{days} days", "decisive"),),
            "It only ever decides for the worker."),
        AutomatedSystem(
            OVERLONG_PAUSE_RULE, "Ends a project paused for longer than its notice period, "
            "and pays notice pay to its recent workers.",
            ("when the project was paused", "its notice period",
             "each worker's earnings on it in the last 14 days"),
            (Parameter("pause", "longer than the project's notice period", "decisive"),),
            appeal),
    ]
