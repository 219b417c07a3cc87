"""Money, numbers, dates and messages written for the reader (:mod:`.context`), with Babel.

``12.5`` USD reads ``$12.50`` in English and ``12,50 $US`` in French; a time is shown in the
reader's time zone with the zone's name beside it; a domain message is translated, then its
values are written in the reader's locale.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from babel.dates import format_date, format_time, format_timedelta, get_datetime_format
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

from fairlabel.adapters.i18n.context import current, gettext
from fairlabel.domain.messages import Msg, Value
from fairlabel.domain.money import Money, minor_units, parse_amount

Style = Literal["full", "long", "medium", "short"]


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # stored times are UTC; never guess another zone
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(current().time_zone)


def money(value: Money | None, *, per: str | None = None) -> str:
    """``Money(1234, "USD")`` as ``$12.34`` (en) or ``12,34 $US`` (fr)."""
    if value is None:
        return "—"
    exponent = minor_units(value.currency)
    amount = Decimal(value.amount_minor).scaleb(-exponent)
    text = format_currency(amount, value.currency, locale=current().locale,
                           currency_digits=True)
    return text if per is None else f"{text} / {per}"


def money_minor(amount_minor: int, currency: str) -> str:
    return money(Money(amount_minor, currency))


def number(value: float | int | None, decimals: int | None = None) -> str:
    if value is None:
        return "—"
    if decimals is None:
        return format_decimal(value, locale=current().locale)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=current().locale)


def percent(share: float | None, decimals: int = 0) -> str:
    """``0.125`` as ``12.5 %`` / ``12,5 %`` (a share between 0 and 1)."""
    if share is None:
        return "—"
    return format_percent(round(share, decimals + 2), locale=current().locale,
                          decimal_quantization=False)


def when(moment: datetime | None, style: Style = "medium") -> str:
    """A date and time in the reader's time zone, with the zone: ``6 déc. 2026, 14:05 EAT``."""
    if moment is None:
        return "—"
    local, locale = _local(moment), current().locale
    pattern = str(get_datetime_format(style, locale=locale)).replace("'", "")
    text = pattern.format(format_time(local, format="short", locale=locale),
                          format_date(local.date(), format=style, locale=locale))
    return f"{text} {local.tzname()}"


def day(moment: datetime | date | None, style: Style = "medium") -> str:
    """The date alone, in the reader's time zone: ``Dec 6, 2026`` / ``6 déc. 2026`` (a
    ``date`` without a time, such as a project's expected end, is shown as it is)."""
    if moment is None:
        return "—"
    if not isinstance(moment, datetime):
        return format_date(moment, format=style, locale=current().locale)
    return format_date(_local(moment).date(), format=style, locale=current().locale)


def clock_time(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = _local(moment)
    return f"{format_time(local, format='short', locale=current().locale)} {local.tzname()}"


def duration(seconds: float | timedelta) -> str:
    """``90`` s as ``2 minutes`` / ``2 minutes`` — a rough length in words."""
    delta = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
    return format_timedelta(delta, locale=current().locale)


def value(item: Value) -> str:
    """One field of a message, written for the reader."""
    if isinstance(item, Money):
        return money(item)
    if isinstance(item, datetime):
        return when(item)
    if isinstance(item, Msg):
        return say(item)
    if isinstance(item, bool) or item is None:
        return str(item) if item is not None else "—"
    if isinstance(item, int | float):
        return number(item)
    return str(item)


def say(message: Msg | str) -> str:
    """A domain message in the reader's language, its values in their locale."""
    if isinstance(message, str):
        return gettext(message) if message else message
    if message.literal:
        return message.template
    translated = gettext(message.template)
    if not message.params:
        return translated
    fields = {k: value(v) for k, v in message.params.items()}
    try:
        return translated.format(**fields)
    except (KeyError, IndexError, ValueError):  # a broken translation: say it in English
        return message.template.format(**fields)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_GROUPED = {sep: re.compile(rf"[+-]?\d{{1,3}}(?:{re.escape(sep)}\d{{3}})+") for sep in ".,"}


def _without_grouping(typed: str) -> str:
    """Drop thousands separators where they can only be that: both marks present (the last
    one separates the decimals), one mark repeated in groups of three, or the reader's own
    group mark before exactly three digits ("1,234" to an English reader)."""
    marks = [c for c in typed if c in ".,"]
    if not marks:
        return typed
    last = marks[-1]
    if len(set(marks)) == 2:
        group = "," if last == "." else "."
        whole, _, decimals = typed.rpartition(last)
        if _GROUPED[group].fullmatch(whole):
            return whole.replace(group, "") + "." + decimals
        return typed
    if len(marks) > 1 and _GROUPED[last].fullmatch(typed):
        return typed.replace(last, "")
    if len(marks) == 1 and last == get_group_symbol(current().locale) \
            and _GROUPED[last].fullmatch(typed):
        return typed.replace(last, "")
    if len(marks) == 1 and last == get_decimal_symbol(current().locale):
        return typed.replace(last, ".")  # the reader's own decimal mark: never ambiguous
    return typed


def parse_money(text: str, currency: str) -> Money:
    """Money as people type it: ``0,10``, ``0.10``, ``1 234,50``, ``1,234.50``, ``$0.10``,
    ``0,10 €``.

    Spaces (also the narrow ones French puts between thousands) and the currency's symbol or
    code are ignored, and so are thousands separators where they cannot be decimals (see
    :func:`_without_grouping`); the rest is read by
    :func:`~fairlabel.domain.money.parse_amount`, which takes a point or a comma before the
    decimals and refuses what could mean two things.
    """
    typed = (text or "")[:64]
    locale = current().locale
    for mark in sorted({currency, get_currency_symbol(currency, locale=locale),
                        get_currency_symbol(currency, locale="en_US")}, key=len, reverse=True):
        typed = typed.replace(mark, "")
    return parse_amount(_without_grouping(_SPACES.sub("", typed)), currency)
