"""Review rules: when a rejection may withhold pay, and when a rule proposes a quality block.

Charter rule 6: a rejection withholds pay only with evidence of bad faith that the platform
can check itself — an answer shown wrong (it differs from the gold answer of a gold task, or
from an established consensus of an ordinary task) from a worker whose gold accuracy is below
the project's stated threshold over at least its minimum number of gold items, or a working
time under a tenth of the project's measured median. Any other rejection still pays.

Version 2 (``withhold_evidence@2``): version 1 let a low gold accuracy withhold the pay of
any answer of the worker, right ones included; decisions stored under version 1 keep its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from fairlabel.domain.errors import Conflict
from fairlabel.domain.label_schema import LabelSchema
from fairlabel.domain.messages import Msg

WITHHOLD_RULE = "withhold_evidence@2"
FAST_ANSWERS_RULE = "fast_answers@1"
GOLD_BLOCK_RULE = "gold_accuracy@1"
# An answer is impossibly fast under this share of the project's median working time.
FAST_SHARE = Fraction(1, 10)
# A consensus shows an answer wrong only from this confidence (or the project's confidence
# target when it is higher) and with another worker's answer agreeing with it.
CONSENSUS_MIN_CONFIDENCE = 0.8
# The fast-answers rule looks at a worker's recent answers once there are this many.
FAST_MIN_ANSWERS = 10


@dataclass(frozen=True, slots=True)
class GoldRecord:
    """A worker's gold score on a project and the project's stated quality terms."""

    correct: int
    total: int
    min_accuracy: float | None  # the project's stated threshold; None: no gold rule
    min_items: int

    @property
    def is_below(self) -> bool:
        if self.min_accuracy is None or self.total < max(1, self.min_items):
            return False
        # The threshold as written (0.8 is 4/5), so a worker exactly at it is not below.
        return Fraction(self.correct, self.total) < Fraction(str(self.min_accuracy))

    def figures(self) -> dict[str, Any]:
        return {"gold_correct": self.correct, "gold_total": self.total,
                "gold_min_accuracy": str(self.min_accuracy) if self.min_accuracy is not None
                else None, "gold_min_items": self.min_items}


@dataclass(frozen=True, slots=True)
class TimeRecord:
    """An answer's measured working time beside the project's measured median."""

    worked_ms: int
    median_ms: int | None
    answers_measured: int
    min_answers: int  # how many answers a median needs to count (the pay setting)

    @property
    def median_counts(self) -> bool:
        return self.median_ms is not None and self.answers_measured >= self.min_answers

    @property
    def is_impossible(self) -> bool:
        return (self.median_counts and self.median_ms is not None
                and self.worked_ms < FAST_SHARE * self.median_ms)

    def figures(self) -> dict[str, Any]:
        return {"worked_ms": self.worked_ms, "median_ms": self.median_ms,
                "answers_measured": self.answers_measured,
                "min_answers_for_median": self.min_answers, "fast_share": str(FAST_SHARE)}


@dataclass(frozen=True, slots=True)
class AnswerCheck:
    """What an answer was compared with to show it wrong: the gold answer of a gold task, or
    the stored consensus of an ordinary task (with its confidence and how many other workers'
    answers agree with it), or nothing yet. The gold answer and the consensus themselves are
    not recorded: the worker reads the decision, and moderators see them in the appeal case."""

    compared_with: str | None  # "gold", "consensus", or None: nothing to compare with
    matches: bool = False  # whether the answer meets it (the schema's grading)
    confidence: float | None = None  # the consensus's confidence
    others_agreeing: int = 0  # other workers' answers meeting the consensus
    min_confidence: float = CONSENSUS_MIN_CONFIDENCE

    @property
    def consensus_established(self) -> bool:
        """A consensus other workers reached: confident enough and agreed by another answer."""
        return (self.compared_with == "consensus" and self.confidence is not None
                and self.confidence >= self.min_confidence and self.others_agreeing >= 1)

    @property
    def shown_wrong(self) -> bool:
        if self.compared_with == "gold":
            return not self.matches
        return self.consensus_established and not self.matches

    def figures(self) -> dict[str, Any]:
        found: dict[str, Any] = {"compared_with": self.compared_with,
                                 "answer_matches": self.matches,
                                 "answer_shown_wrong": self.shown_wrong}
        if self.compared_with != "gold":
            found.update({"consensus_confidence": self.confidence,
                          "consensus_min_confidence": self.min_confidence,
                          "other_answers_agreeing": self.others_agreeing})
        return found


def check_answer(schema: LabelSchema, answer: Any, *, gold_answer: Any = None,
                 consensus: Any = None, confidence: float | None = None,
                 other_answers: Sequence[Any] = (),
                 confidence_target: float | None = None) -> AnswerCheck:
    """Compare an answer with the gold answer (a gold task: pass ``gold_answer``), or else with
    the task's stored consensus, by the schema's grading (the same key for categorical types;
    IoU, F1 or Kendall's tau against its threshold for the structured ones).

    ``other_answers`` are the other workers' submitted answers to the task; the consensus
    counts from ``max(CONSENSUS_MIN_CONFIDENCE, confidence_target)``.
    """
    if gold_answer is not None:
        return AnswerCheck("gold", schema.grade(answer, gold_answer))
    floor = max(CONSENSUS_MIN_CONFIDENCE, confidence_target or 0.0)
    if consensus is None:
        return AnswerCheck(None, min_confidence=floor)
    agreeing = sum(1 for other in other_answers if schema.grade(other, consensus))
    return AnswerCheck("consensus", schema.grade(answer, consensus), confidence, agreeing,
                       floor)


class WithholdNotEvidenced(Conflict):
    """A rejection asked to withhold pay without the evidence rule 6 asks for."""

    code = "withhold_not_evidenced"

    def __init__(self, message: Msg, checks: dict[str, Any]) -> None:
        super().__init__(message)
        self.checks = checks

    @property
    def details(self) -> dict[str, object]:
        return {"rule": WITHHOLD_RULE, "checks": self.checks}


def withhold_evidence(time: TimeRecord, gold: GoldRecord | None,
                      answer: AnswerCheck) -> dict[str, Any]:
    """The evidence that lets a rejection withhold pay, to store with the decision.

    Gold accuracy below the threshold counts only for an answer shown wrong (``answer``): a
    low score says nothing about a right answer. A working time under a tenth of the median
    is about the answer itself and counts alone.

    Raises:
        WithholdNotEvidenced: naming the rule and what was checked, when neither holds.
    """
    checks: dict[str, Any] = {"time": time.figures(),
                              "gold": gold.figures() if gold is not None else None,
                              "answer": answer.figures()}
    found = []
    if gold is not None and gold.is_below and answer.shown_wrong:
        found.append("gold_accuracy")
    if time.is_impossible:
        found.append("working_time")
    if found:
        return {"rule": WITHHOLD_RULE, "evidence": found, **checks}
    raise WithholdNotEvidenced(_refusal(time, gold, answer), checks)


def _refusal(time: TimeRecord, gold: GoldRecord | None, answer: AnswerCheck) -> Msg:
    waiting = False
    if gold is None or gold.min_accuracy is None:
        gold_text = Msg("the project states no gold accuracy threshold")
    elif gold.total < gold.min_items:
        gold_text = Msg("the worker answered {total} gold items, fewer than the {needed} the "
                        "project requires", {"total": gold.total, "needed": gold.min_items})
    elif not gold.is_below:
        gold_text = Msg("the worker's gold accuracy is {correct}/{total}, not below the "
                        "project's {threshold}", {"correct": gold.correct, "total": gold.total,
                                                  "threshold": gold.min_accuracy})
    else:
        why = _not_shown_wrong(answer)
        waiting = answer.compared_with != "gold" and not answer.consensus_established
        gold_text = Msg("the worker's gold accuracy is {correct}/{total}, below the project's "
                        "{threshold}, but this answer is not shown wrong: {why}",
                        {"correct": gold.correct, "total": gold.total,
                         "threshold": gold.min_accuracy, "why": why})
    if not time.median_counts:
        time_text = Msg("the project's median working time is not measured yet (it needs "
                        "{needed} answers)", {"needed": time.min_answers})
    else:
        time_text = Msg("the answer took {worked} s, not under a tenth of the median {median} s",
                        {"worked": round(time.worked_ms / 1000, 1),
                         "median": round((time.median_ms or 0) / 1000, 1)})
    then = (Msg("Reject without withholding: the answer is paid; or wait until other workers "
                "have answered this task and its consensus is established, then review it "
                "again within the review window.") if waiting
            else Msg("Reject without withholding: the answer is paid."))
    return Msg("rule {rule}: a rejection withholds pay only with evidence of bad faith (charter "
               "rule 6) — an answer shown wrong (against the gold answer, or against a "
               "consensus other workers reached) from a worker whose gold accuracy is below "
               "the project's threshold over its minimum of gold items, or a working time "
               "under a tenth of the median. Here {gold}, and {time}. {then}",
               {"rule": WITHHOLD_RULE, "gold": gold_text, "time": time_text, "then": then})


def _not_shown_wrong(answer: AnswerCheck) -> Msg:
    if answer.compared_with == "gold":
        return Msg("it meets the gold answer")
    if answer.compared_with is None:
        return Msg("the task has no consensus yet")
    if answer.matches:
        return Msg("it agrees with the task's consensus")
    if answer.confidence is None or answer.confidence < answer.min_confidence:
        return Msg("the task's consensus is not established yet (its confidence is {confidence}, "
                   "below {needed})",
                   {"confidence": round(answer.confidence or 0.0, 2),
                    "needed": answer.min_confidence})
    return Msg("no other worker's answer agrees with the task's consensus yet")


@dataclass(frozen=True, slots=True)
class Proposal:
    """What a rule proposes to a moderator: a restriction with its inputs and explanation."""

    rule: str
    inputs: dict[str, Any]
    explanation: Msg


def propose_for_fast_answers(worked_ms: list[int], *, median_ms: int | None,
                             answers_measured: int, min_answers: int) -> Proposal | None:
    """Rule fast_answers@1: a block is proposed when, of a worker's recent answers (at least
    FAST_MIN_ANSWERS), more than half took under a tenth of the project's median."""
    if median_ms is None or answers_measured < min_answers or len(worked_ms) < FAST_MIN_ANSWERS:
        return None
    fast = sum(1 for ms in worked_ms if ms < FAST_SHARE * median_ms)
    if fast * 2 <= len(worked_ms):
        return None
    return Proposal(FAST_ANSWERS_RULE, {
        "recent_answers": len(worked_ms), "fast_answers": fast, "median_ms": median_ms,
        "answers_measured": answers_measured, "fast_share": str(FAST_SHARE)},
        Msg("{fast} of your last {recent} answers on this project took under a tenth of the "
            "project's median working time ({median} s), which is faster than the task can be "
            "read. A moderator reviews this proposal before it has any effect.",
            {"fast": fast, "recent": len(worked_ms), "median": round(median_ms / 1000, 1)}))


def propose_for_gold(gold: GoldRecord) -> Proposal | None:
    """Rule gold_accuracy@1: a block is proposed when a worker's gold accuracy is below the
    project's stated threshold over at least its minimum number of gold items."""
    if not gold.is_below:
        return None
    return Proposal(GOLD_BLOCK_RULE, gold.figures(),
                    Msg("You answered {correct} of {total} control (gold) items correctly, "
                        "below the project's stated threshold of {threshold}. A moderator "
                        "reviews this proposal before it has any effect.",
                        {"correct": gold.correct, "total": gold.total,
                         "threshold": gold.min_accuracy}))
