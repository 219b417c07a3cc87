"""The new-project form: every field read in its own units, every problem found at once.

The page asks in the units people think in (minutes, days, percentages, money as they type it);
this module reads each field, says what is wrong with it in those units and in plain words,
and builds the :class:`~fairlabel.domain.projects.ProjectTerms` that the use case checks again.
Fields that belong to another task type than the chosen one are ignored: the page's script
hides and disables them, and without the script they are sent but not read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from babel.dates import format_date, parse_date

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import current
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.commitments import Commitment
from fairlabel.domain.errors import DomainError
from fairlabel.domain.label_schema import MAX_FREE_TEXT, MAX_LABELS, parse_schema
from fairlabel.domain.label_schema.base import MAX_LABEL_LENGTH
from fairlabel.domain.messages import N_
from fairlabel.domain.money import Money, minor_units
from fairlabel.domain.projects import (
    MAX_INSTRUCTIONS,
    MAX_NAME,
    MAX_REDUNDANCY,
    ProjectTerms,
)
from fairlabel.domain.quality import (
    MAX_QUALIFICATION_SIZE,
    MAX_RETRY_HOURS,
    Qualification,
    QualityTerms,
)

TYPES: tuple[tuple[str, str], ...] = (
    ("single_choice", N_("Single choice")), ("multi_choice", N_("Multiple choice")),
    ("rating", N_("Rating scale")), ("free_text", N_("Free text")),
    ("pairwise", N_("Pairwise preference (RLHF)")),
    ("bounding_boxes", N_("Bounding boxes on images")),
    ("spans", N_("Text spans (names, places)")), ("ranking", N_("Ranking of responses (RLHF)")))
"""The task types the form offers, with their names (translated on the page)."""

CATEGORICAL = ("single_choice", "multi_choice", "rating", "free_text", "pairwise")
METHOD_GROUPS: tuple[tuple[tuple[str, ...], str, tuple[tuple[str, str], ...]], ...] = (
    (CATEGORICAL, N_("Choices, ratings, text, pairs"),
     (("ds", N_("Dawid–Skene")), ("ods", N_("One-coin Dawid–Skene")), ("glad", "GLAD"),
      ("mace", "MACE"), ("wmv", N_("Weighted majority")), ("mv", N_("Majority vote")))),
    (("bounding_boxes",), N_("Boxes"), (("iou", N_("Boxes matched by IoU, median")),)),
    (("spans",), N_("Spans"), (("span", N_("Majority per span")),
                               ("token", N_("Majority per token (BIO)")))),
    (("ranking",), N_("Rankings"), (("borda", N_("Borda count")),
                                    ("pl", N_("Plackett–Luce")))),
)
"""The consensus methods, grouped by the task types they apply to."""

MAX_LEASE_MINUTES = 24 * 60
MAX_NOTICE_DAYS = 365
MAX_RATING_STEPS = 100
GOLD_THRESHOLDS = {"bounding_boxes": "gold_iou", "spans": "gold_f1", "ranking": "gold_tau"}
"""The gold threshold field of each structured task type (the schema's name, too)."""

_WHOLE = re.compile(r"[+-]?\d{1,18}")
_DECIMAL = re.compile(r"[+-]?(\d{1,9}([.,]\d{0,9})?|[.,]\d{1,9})")


def defaults(policy: CharterPolicy) -> dict[str, str]:
    """What the form holds before anything is typed, written for the reader."""
    currencies = currencies_of(policy)
    return {
        "type": "single_choice", "redundancy": "3", "lease_minutes": "15",
        "currency": "USD" if "USD" in currencies else (currencies or ["USD"])[0],
        "notice_days": str(policy.min_notice_days), "rating_min": "1", "rating_max": "5",
        "max_length": "2000", "gold_iou": formats.number(0.5), "gold_f1": formats.number(0.8),
        "gold_tau": formats.number(0.6), "gold_percent": "0", "qual_size": "0",
        "qual_pass_percent": "80", "qual_retry_hours": "24", "min_answers": "2",
    }


def currencies_of(policy: CharterPolicy) -> list[str]:
    """The currencies a project may pay in: those the platform has an hourly floor for."""
    return sorted(c for c, floor in policy.floors.by_currency.items() if floor > 0)


def example_amount(currency: str) -> str:
    """An amount to show in an empty money field, written as the reader writes it."""
    try:
        places = minor_units(currency)
    except DomainError:
        places = 2
    return formats.number(0.1 if places else 10, places)


@dataclass
class ProjectForm:
    """What a requester typed, each field's problem (in their language), and problems that
    belong to no single field (key ``""``)."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        return (self.typed.get(name) or "").strip()

    def lines(self, name: str) -> list[str]:
        return [line.strip() for line in self.text(name).splitlines() if line.strip()]

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def whole(self, name: str, default: int, low: int, high: int, *, wrong: str,
              out: str) -> int | None:
        """A whole number; empty means ``default``. ``wrong`` and ``out`` are the messages
        (templates with ``{low}``, ``{high}``, ``{example}``)."""
        typed = "".join(self.text(name).split())
        if not typed:
            return default
        if not _WHOLE.fullmatch(typed):
            self.refuse(name, _(wrong).format(example=default, low=low, high=high))
            return None
        value = int(typed)
        if not low <= value <= high:
            self.refuse(name, _(out).format(example=default, low=low, high=high))
            return None
        return value

    def decimal(self, name: str, default: float | None, *, wrong: str, out: str,
                within: Callable[[float], bool], example: float,
                percent: bool = False) -> float | None:
        """A number with a decimal point or comma ("0,65", "12.5"); empty means ``default``.
        A percentage may carry its sign ("12 %")."""
        typed = "".join(self.text(name).split())
        if percent:
            typed = typed.removesuffix("%")
        if not typed:
            return default
        shown = {"example": formats.number(example)}
        if not _DECIMAL.fullmatch(typed):
            self.refuse(name, _(wrong).format(**shown))
            return None
        value = float(typed.replace(",", "."))
        if not within(value):
            self.refuse(name, _(out).format(**shown))
            return None
        return value / 100 if percent else value


def read(typed: dict[str, str], policy: CharterPolicy, *, today: date) -> tuple[
        ProjectTerms | None, ProjectForm]:
    """The project's terms from the form, or None and every problem found."""
    form = ProjectForm(typed)
    kind = form.text("type")
    if kind not in dict(TYPES):
        form.refuse("type", _("Choose a task type."))
    name = form.text("name")
    if not name:
        form.refuse("name", _("Give the project a name: workers see it in their list."))
    elif len(name) > MAX_NAME:
        form.refuse("name", _("At most {limit} characters; this name has {count}.").format(
            limit=MAX_NAME, count=len(name)))
    instructions = typed.get("instructions") or ""
    if len(instructions) > MAX_INSTRUCTIONS:
        form.refuse("instructions", _("At most {limit} characters; these instructions have "
                                      "{count}.").format(limit=MAX_INSTRUCTIONS,
                                                         count=len(instructions)))
    schema = _schema(form, kind)
    redundancy = form.whole(
        "redundancy", 3, 1, MAX_REDUNDANCY,
        wrong=N_("Write a whole number of workers, such as {example}."),
        out=N_("Between {low} and {high} workers per task."))
    pay = _pay(form, policy)
    lease = form.whole("lease_minutes", 15, 1, MAX_LEASE_MINUTES,
                       wrong=N_("Write a whole number of minutes, such as {example}."),
                       out=N_("Between {low} and {high} minutes."))
    commitment = _commitment(form, policy, today)
    quality = _quality(form, kind, redundancy)
    if form.errors or schema is None or pay is None or lease is None or redundancy is None \
            or commitment is None or quality is None:
        return None, form
    try:
        terms = ProjectTerms(name=name, instructions=instructions, schema=parse_schema(schema),
                             redundancy=redundancy, pay_per_task=pay, lease_seconds=lease * 60,
                             commitment=commitment, quality=quality)
    except DomainError as error:  # checked again by the rules: said at the top
        form.refuse("", formats.say(error.msg))
        return None, form
    return terms, form


def _labels(form: ProjectForm, name: str, *, at_least: int, few: str) -> list[str]:
    labels = form.lines(name)
    if len(labels) < at_least:
        form.refuse(name, _(few))
    elif len(labels) > MAX_LABELS:
        form.refuse(name, _("At most {limit} lines; there are {count}.").format(
            limit=MAX_LABELS, count=len(labels)))
    elif long := next((label for label in labels if len(label) > MAX_LABEL_LENGTH), None):
        form.refuse(name, _("Each line is at most {limit} characters: “{start}…” is "
                            "longer.").format(limit=MAX_LABEL_LENGTH, start=long[:30]))
    elif twice := next((label for i, label in enumerate(labels) if label in labels[:i]), None):
        form.refuse(name, _("Each line must be different: “{line}” is there twice.").format(
            line=twice))
    return labels


def _schema(form: ProjectForm, kind: str) -> dict[str, Any] | None:
    """The label schema of the chosen type, from that type's fields only."""
    schema: dict[str, Any] = {"type": kind}
    if kind in ("single_choice", "multi_choice"):
        schema["choices"] = _labels(form, "choices", at_least=2, few=N_(
            "Write at least two choices, one per line."))
    elif kind in ("bounding_boxes", "spans"):
        schema["labels"] = _labels(form, "labels", at_least=1, few=N_(
            "Write at least one label, one per line."))
    elif kind == "rating":
        low = form.whole("rating_min", 1, -10**6, 10**6,
                         wrong=N_("Write a whole number, such as {example}."),
                         out=N_("Write a whole number, such as {example}."))
        high = form.whole("rating_max", 5, -10**6, 10**6,
                          wrong=N_("Write a whole number, such as {example}."),
                          out=N_("Write a whole number, such as {example}."))
        if low is not None and high is not None:
            if high <= low:
                form.refuse("rating_max", _("The highest rating must be above the lowest "
                                            "({low}).").format(low=low))
            elif high - low > MAX_RATING_STEPS:
                form.refuse("rating_max", _("At most {steps} steps from the lowest to the "
                                            "highest rating.").format(steps=MAX_RATING_STEPS))
        schema.update({"min": low, "max": high})
    elif kind == "free_text":
        schema["max_length"] = form.whole(
            "max_length", 2000, 1, MAX_FREE_TEXT,
            wrong=N_("Write a whole number of characters, such as {example}."),
            out=N_("Between {low} and {high} characters."))
    if kind in GOLD_THRESHOLDS:
        name = GOLD_THRESHOLDS[kind]
        if kind == "ranking":
            threshold = form.decimal(
                name, None, example=0.6, within=lambda v: -1 <= v <= 1,
                wrong=N_("Write a number from -1 to 1, such as {example}."),
                out=N_("Write a number from -1 to 1, such as {example}."))
        else:
            threshold = form.decimal(
                name, None, example=0.5 if kind == "bounding_boxes" else 0.8,
                within=lambda v: 0 < v <= 1,
                wrong=N_("Write a number above 0 and at most 1, such as {example}."),
                out=N_("Write a number above 0 and at most 1, such as {example}."))
        if threshold is not None:
            schema[name] = threshold
    return None if any(v is None for v in schema.values()) else schema


def _pay(form: ProjectForm, policy: CharterPolicy) -> Money | None:
    currency = form.text("currency").upper()
    try:
        minor_units(currency)
        policy.floors.require(currency)
    except DomainError as error:
        form.refuse("currency", formats.say(error.msg))
        return None
    if not form.text("pay"):
        form.refuse("pay", _("Write the pay per task, such as {example}.").format(
            example=example_amount(currency)))
        return None
    try:
        pay = formats.parse_money(form.text("pay"), currency)
    except DomainError as error:
        form.refuse("pay", formats.say(error.msg))
        return None
    if pay.amount_minor <= 0:
        form.refuse("pay", _("The pay per task must be more than zero."))
        return None
    return pay


def _commitment(form: ProjectForm, policy: CharterPolicy, today: date) -> Commitment | None:
    notice = form.whole(
        "notice_days", policy.min_notice_days, policy.min_notice_days, MAX_NOTICE_DAYS,
        wrong=N_("Write a whole number of days, such as {example}."),
        out=N_("Between {low} and {high} days: workers are promised at least {low} days of "
               "notice on this platform."))
    typed = form.text("ends_on")
    ends_on: date | None = None
    if typed:
        try:
            ends_on = date.fromisoformat(typed)
        except ValueError:
            try:  # a browser without a date picker sends what was typed: read it as written
                ends_on = parse_date(typed, locale=current().locale)
            except (ValueError, IndexError):
                ends_on = None
        if ends_on is None:
            form.refuse("ends_on", _("Write a date, such as {example}.").format(
                example=_day(date(today.year, 12, 31), "short")))
        elif ends_on < today:
            form.refuse("ends_on", _("The expected end cannot be in the past: choose {today} "
                                     "or later.").format(today=_day(today)))
            ends_on = None
    if notice is None or (typed and ends_on is None):
        return None
    return Commitment(notice_days=notice, ends_on=ends_on)


def _day(day: date, style: str = "medium") -> str:
    return format_date(day, format=style, locale=current().locale)


def _quality(form: ProjectForm, kind: str, redundancy: int | None) -> QualityTerms | None:
    def percent(name: str, default: float | None, low: float, high: float, *,
                low_open: bool = False, high_open: bool = False, example: float,
                out: str) -> float | None:
        return form.decimal(
            name, default, percent=True, example=example, out=out,
            wrong=N_("Write a percentage, such as {example}."),
            within=lambda v: (low < v if low_open else low <= v)
            and (v < high if high_open else v <= high))

    gold = percent("gold_percent", 0.0, 0, 50, example=10, out=N_("Between 0 and 50 %."))
    threshold = percent("gold_min_percent", None, 0, 100, low_open=True, example=70,
                        out=N_("Above 0 and at most 100 %."))
    size = form.whole("qual_size", 0, 0, MAX_QUALIFICATION_SIZE,
                      wrong=N_("Write a whole number of items, such as {example}."),
                      out=N_("Between {low} and {high} items (0: no test)."))
    mark = percent("qual_pass_percent", 0.8, 0, 100, low_open=True, example=80,
                   out=N_("Above 0 and at most 100 %."))
    retry = form.whole("qual_retry_hours", 24, 0, MAX_RETRY_HOURS,
                       wrong=N_("Write a whole number of hours, such as {example}."),
                       out=N_("Between {low} and {high} hours."))
    method = _method(form, kind)
    target, least = None, 2
    if kind in CATEGORICAL:  # adaptive redundancy: categorical answers only
        target = percent("confidence_target", None, 50, 100, high_open=True, example=95,
                         out=N_("From 50 % up to, but not including, 100 %."))
        least = form.whole("min_answers", 2, 1, MAX_REDUNDANCY,
                           wrong=N_("Write a whole number of answers, such as {example}."),
                           out=N_("Between {low} and {high} answers.")) or 2
        if target is not None and redundancy is not None and least > redundancy:
            form.refuse("min_answers", _("At most the number of workers per task "
                                         "({redundancy}).").format(redundancy=redundancy))
    if gold is None or mark is None or size is None or retry is None or method is None \
            or "gold_min_percent" in form.errors or "confidence_target" in form.errors:
        return None
    try:
        return QualityTerms(
            gold_rate=gold, gold_min_accuracy=threshold,
            qualification=Qualification(size, mark, retry) if size else None,
            consensus_method=method, confidence_target=target, min_answers=least)
    except DomainError as error:
        form.refuse("", formats.say(error.msg))
        return None


def _method(form: ProjectForm, kind: str) -> str | None:
    """The chosen consensus method, if it applies to the task type ("": its default)."""
    method = form.text("consensus_method")
    if not method:
        return ""
    for types, group, methods in METHOD_GROUPS:
        if kind in types:
            if method in dict(methods):
                return method
            form.refuse("consensus_method", _(
                "This method is not for this task type: choose one listed under “{group}”, "
                "or the task type's default.").format(group=_(group)))
            return None
    return method
