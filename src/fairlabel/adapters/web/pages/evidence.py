"""A decision's inputs as the people it concerns read them: each figure a rule or a person
used, named in words and written in the reader's language (money, times, shares), instead of
a JSON block. The JSON stays one click away for whoever wants the exact record."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.domain.messages import N_
from fairlabel.domain.money import Money

# Inputs that say where the decision applies: shown elsewhere on the card.
SHOWN_ELSEWHERE = frozenset({"assignment_id", "currency", "proposal_id", "rule"})

LABELS = {
    "task_id": N_("Task"),
    "worked_ms": N_("Working time of the answer"),
    "median_ms": N_("Median working time of the project"),
    "answers_measured": N_("Answers the median is measured on"),
    "min_answers_for_median": N_("Answers a median needs to count"),
    "fast_share": N_("“Too fast” means under this share of the median"),
    "recent_answers": N_("Recent answers"),
    "fast_answers": N_("Answers under that time"),
    "reason": N_("Reason given"),
    "moderator_reason": N_("The moderator's reason"),
    "withhold_pay": N_("Pay withheld"),
    "withheld": N_("Amount withheld"),
    "evidence": N_("Evidence found"),
    "gold_correct": N_("Gold questions answered right"),
    "gold_total": N_("Gold questions answered"),
    "gold_min_accuracy": N_("Gold accuracy the project requires"),
    "gold_min_items": N_("Gold questions needed before it counts"),
    "compared_with": N_("The answer was compared with"),
    "answer_matches": N_("The answer meets it"),
    "answer_shown_wrong": N_("The answer is shown wrong"),
    "consensus_confidence": N_("Confidence of the task's consensus"),
    "consensus_min_confidence": N_("Confidence a consensus needs to count"),
    "other_answers_agreeing": N_("Other workers' answers agreeing with the consensus"),
    "correct": N_("Answered right"),
    "answered": N_("Answered"),
    "pass_mark": N_("Pass mark"),
    "retry_after_hours": N_("Hours before another try"),
    "revoked_at": N_("Revoked on"),
    "mode": N_("How the project ended"),
    "ends_at": N_("Ends on"),
    "paused_at": N_("Paused on"),
    "notice_days": N_("Notice (days)"),
    "notice_pay_minor": N_("Notice pay"),
    "floor_hourly_minor": N_("Hourly floor"),
    "fair_price_minor": N_("Fair price per task"),
    "amount_minor": N_("Amount"),
    "answers_topped_up": N_("Answers topped up"),
}

WORDS = {
    "gold_accuracy": N_("gold accuracy below the project's threshold"),
    "working_time": N_("a working time under a tenth of the project's median"),
    "gold": N_("the gold answer of this control task"),
    "consensus": N_("the task's consensus"),
    "notice": N_("with notice"),
    "immediate": N_("at once, with notice pay"),
}


def _seconds(value: Any) -> str:
    return _("{seconds} s").format(seconds=formats.number(float(value) / 1000, 1))


def _share(value: Any) -> str:
    return formats.percent(float(value), 1)


def _moment(value: Any) -> str:
    return formats.when(datetime.fromisoformat(str(value)))


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _words(value: Any) -> str:
    items = value if isinstance(value, list) else [value]
    return "; ".join(_(WORDS[str(v)]) if str(v) in WORDS else str(v) for v in items)


FORMATS: dict[str, Callable[[Any], str]] = {
    "worked_ms": _seconds, "median_ms": _seconds, "fast_share": _share,
    "gold_min_accuracy": _share, "pass_mark": _share, "revoked_at": _moment,
    "ends_at": _moment, "paused_at": _moment, "withhold_pay": _yes_no, "evidence": _words,
    "mode": _words, "compared_with": _words, "consensus_confidence": _share,
    "consensus_min_confidence": _share,
}


def _value(key: str, value: Any, currency: str | None) -> str:
    if value is None:
        return "—"
    try:
        if key.endswith("_minor") and currency and isinstance(value, int):
            return formats.money(Money(value, currency))
        if isinstance(value, Mapping) and {"amount_minor", "currency"} <= set(value):
            return formats.money(Money(int(value["amount_minor"]), str(value["currency"])))
        if key in FORMATS:
            return FORMATS[key](value)
        if isinstance(value, bool):
            return _yes_no(value)
        if isinstance(value, int | float):
            return formats.number(value)
    except (TypeError, ValueError, KeyError):
        pass
    return str(value)


def _label(key: str) -> str:
    return _(LABELS[key]) if key in LABELS else key.replace("_", " ")


def evidence(inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The inputs a decision used, as (what, value) pairs for the reader; nested checks
    (a rule's time and gold figures) are laid flat, in the order they were recorded."""
    currency = inputs.get("currency")
    currency = currency if isinstance(currency, str) else None
    found: list[tuple[str, str]] = []

    def walk(values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            if key in SHOWN_ELSEWHERE:
                continue
            if isinstance(value, Mapping) and not {"amount_minor", "currency"} <= set(value):
                walk(value)
            elif value is not None or key in LABELS:
                found.append((_label(key), _value(key, value, currency)))

    walk(inputs)
    return found


KINDS = {
    "answer_approved": N_("Answer approved"),
    "answer_rejected": N_("Answer rejected"),
    "quality_block": N_("Blocked from a project's work"),
    "qualification_failed": N_("Qualification test failed"),
    "qualification_revoked": N_("Qualification revoked"),
    "removal": N_("Removed from a project"),
    "topup": N_("Pay topped up"),
    "pause": N_("Project paused"),
    "project_ended": N_("Project ended"),
    "back_pay": N_("Back pay for a continuation"),
}

OUTCOMES = {text: text for text in (
    N_("approved: pay available"), N_("rejected: paid"), N_("rejected: pay withheld"),
    N_("ending with notice"), N_("ended now, with notice pay"), N_("project paused"),
    N_("removed from the project"), N_("qualification revoked"),
    N_("proposal declined: nothing changes"), N_("qualification test failed"),
    N_("blocked from the project's work"), N_("back pay for a confirmed continuation"))}

ROLES = {
    "rule": N_("an automated rule"),
    "requester": N_("the requester"),
    "moderator": N_("a moderator"),
    "admin": N_("the operator"),
}


def kind_name(kind: str) -> str:
    """What a decision is about, as a heading (``answer_rejected`` → "Answer rejected")."""
    return _(KINDS[kind]) if kind in KINDS else kind.replace("_", " ").capitalize()


def role_name(role: str) -> str:
    return _(ROLES[role]) if role in ROLES else _("a person")


def outcome(kind: str, text: str, inputs: Mapping[str, Any]) -> str:
    """A decision's outcome in the reader's language (the English text is what is kept)."""
    if text in OUTCOMES:
        return _(OUTCOMES[text])
    if text.startswith("proposed:"):
        return _("proposed: {what}; a moderator decides").format(what=kind_name(kind).lower())
    if text.startswith("confirmed:"):
        return _("confirmed: {what}").format(what=kind_name(kind).lower())
    amount, currency = inputs.get("amount_minor"), inputs.get("currency")
    if text.startswith("topped up") and isinstance(amount, int) and isinstance(currency, str):
        return _("topped up {amount}").format(amount=formats.money(Money(amount, currency)))
    return text
