"""The public registry of every automated system that decides about workers (charter rule 9).

For each: what it decides, what it reads, its main parameters and their weight, and how to
contest what it did. The figures are the platform's settings in force, so the registry says
what the running instance does, not what a document once promised.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.messages import N_, Msg
from fairlabel.domain.money import Money
from fairlabel.domain.review import (
    CONSENSUS_MIN_CONFIDENCE,
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

_APPEAL = N_("Open your decisions page (or POST /api/v1/decisions/{{id}}/appeal) and appeal: a "
              "moderator upholds or overturns it with a written reason, and if no one decides "
              "within {days} days it is overturned in your favour.")


@dataclass(frozen=True, slots=True)
class Parameter:
    name: Msg
    value: Msg
    weight: Msg  # how much it counts in the outcome, in words


@dataclass(frozen=True, slots=True)
class AutomatedSystem:
    """One automated system; its texts are messages, said in the reader's language (``str()``
    of each is the English, for the API)."""

    rule: str  # name@version, as recorded on its decisions
    decides: Msg
    reads: tuple[Msg, ...]
    parameters: tuple[Parameter, ...]
    contest: Msg
    proposes_only: bool = False  # restricts access only through a moderator

    @property
    def name(self) -> str:
        return self.rule.split("@")[0]

    @property
    def version(self) -> int:
        return int(self.rule.split("@")[1])


def _floors(policy: CharterPolicy) -> Msg:
    """The hourly floors in force, each written for the reader (``12,00 €/h, 15,00 $US/h``)."""
    floors = sorted(policy.floors.by_currency.items())
    if not floors:
        return Msg("none")
    fields = {f"floor{i}": Money(v, c) for i, (c, v) in enumerate(floors)}
    template = ", ".join("{" + name + "}/h" for name in fields)  # only values: no words
    return Msg(template, fields)


def registry(policy: CharterPolicy) -> list[AutomatedSystem]:
    days = policy.appeal_deadline.total_seconds() / 86400
    appeal = Msg(_APPEAL, {"days": days})
    review_hours = policy.review_window.total_seconds() / 3600
    measured = policy.min_answers_for_rate
    share = str(FAST_SHARE)  # a fraction, "1/10", written the same in every language
    return [
        AutomatedSystem(
            TOPUP_RULE, Msg("Tops every answer of a project up to the hourly pay floor at the "
                            "project's median working time, and raises the price for future "
                            "tasks."),
            (Msg("each answer's working time (lease issued → submitted)"),
             Msg("the price per task"),
             Msg("the floor table (currency, worker country, project floor)")),
            (Parameter(Msg("hourly floor"), _floors(policy),
                       Msg("decisive: pay never ends below it")),
             Parameter(Msg("answers before measuring"), Msg.text(str(measured)),
                       Msg("a threshold: no median, no top-up yet"))),
            Msg("Top-ups only ever add pay. {appeal}", {"appeal": appeal})),
        AutomatedSystem(
            AUTO_APPROVAL_RULE, Msg("Approves every answer not reviewed when the review window "
                                    "ends: its pay becomes available."),
            (Msg("when the answer was submitted"), Msg("whether the requester reviewed it")),
            (Parameter(Msg("review window"), Msg("{hours} h", {"hours": review_hours}),
                       Msg("decisive")),),
            Msg("It only ever approves. A requester's rejection is a decision you can appeal.")),
        AutomatedSystem(
            WITHHOLD_RULE, Msg("Decides whether a requester's rejection may withhold the "
                               "answer's pay. Without evidence the rejection still pays."),
            (Msg("the worker's gold score on the project"),
             Msg("the project's stated gold threshold and minimum of gold items"),
             Msg("the answer beside the gold answer of a gold task, or beside the task's "
                 "consensus, its confidence and the other workers' answers"),
             Msg("the answer's working time"),
             Msg("the project's measured median working time")),
            (Parameter(Msg("gold accuracy"),
                       Msg("below the project's stated threshold over at least its minimum of "
                           "gold items, and this answer shown wrong: it does not meet the gold "
                           "answer, or the task's consensus of confidence at least {confidence} "
                           "(or the project's confidence target when higher) that another "
                           "worker's answer meets",
                           {"confidence": CONSENSUS_MIN_CONFIDENCE}),
                       Msg("sufficient only with the answer shown wrong")),
             Parameter(Msg("working time"),
                       Msg("under {share} of the median (measured over at least {count} "
                           "answers)", {"share": share, "count": measured}),
                       Msg("sufficient alone"))),
            Msg("The evidence is stored with the rejection. {appeal}", {"appeal": appeal})),
        AutomatedSystem(
            FAST_ANSWERS_RULE, Msg("Proposes blocking a worker from a project when most of "
                                   "their recent answers were impossibly fast. A moderator "
                                   "confirms or declines."),
            (Msg("the working times of the worker's answers on the project in the last 7 days"),
             Msg("the project's measured median working time")),
            (Parameter(Msg("recent answers"), Msg("at least {count}", {"count": FAST_MIN_ANSWERS}),
                       Msg("a threshold")),
             Parameter(Msg("fast answers"),
                       Msg("more than half under {share} of the median", {"share": share}),
                       Msg("decisive for the proposal"))),
            Msg("Nothing happens until a moderator confirms. {appeal}", {"appeal": appeal}),
            proposes_only=True),
        AutomatedSystem(
            GOLD_BLOCK_RULE, Msg("Proposes blocking a worker from a project when their accuracy "
                                 "on control (gold) items is below the project's stated "
                                 "threshold. A moderator confirms or declines."),
            (Msg("the worker's answers to the project's gold items"),
             Msg("the project's stated threshold and minimum of gold items")),
            (Parameter(Msg("gold accuracy"), Msg("below the project's stated threshold"),
                       Msg("decisive")),
             Parameter(Msg("gold items answered"), Msg("at least the project's minimum"),
                       Msg("a threshold"))),
            Msg("Nothing happens until a moderator confirms. {appeal}", {"appeal": appeal}),
            proposes_only=True),
        AutomatedSystem(
            QUALIFICATION_RULE, Msg("Grades a project's qualification test: a worker who "
                                    "answers enough of its gold items right may take the "
                                    "project's work; one who fails may try again later, on "
                                    "items not seen before."),
            (Msg("the worker's answers to the test's gold items"),
             Msg("the project's pass mark, test size and waiting time before a retry")),
            (Parameter(Msg("pass mark"), Msg("the project's, stated before work starts"),
                       Msg("decisive")),
             Parameter(Msg("retry"), Msg("after the project's waiting time"),
                       Msg("a threshold"))),
            Msg("A test is paid at the floor like any work. {appeal}", {"appeal": appeal})),
        AutomatedSystem(
            APPEAL_DEADLINE_RULE, Msg("Overturns, in the worker's favour, every appeal no "
                                      "moderator decided before its deadline."),
            (Msg("when the appeal was filed"),),
            (Parameter(Msg("deadline"), Msg("{days} days", {"days": days}), Msg("decisive")),),
            Msg("It only ever decides for the worker.")),
        AutomatedSystem(
            OVERLONG_PAUSE_RULE, Msg("Ends a project paused for longer than its notice period, "
                                     "and pays notice pay to its recent workers."),
            (Msg("when the project was paused"), Msg("its notice period"),
             Msg("each worker's earnings on it in the last 14 days")),
            (Parameter(Msg("pause"), Msg("longer than the project's notice period"),
                       Msg("decisive")),),
            appeal),
    ]
