"""Messages that reach people: an English template and the values it speaks of.

The domain writes what it has to say once, in English, as a template with named fields
(``"You are paid {amount} for the notice"``) and the values themselves (a :class:`Money`, a
``datetime``, a number, a name). It never formats money or dates for a reader: the adapters
translate the template into the reader's language and write each value in the reader's
locale and time zone. ``str(message)`` is the plain English text, for logs, the CLI and the
API.

Messages are kept (a decision's explanation, an inbox message) as :meth:`Msg.to_json`, so
that a worker who changes language later reads old decisions in the new one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from string import Formatter
from typing import Any, TypeAlias

from fairlabel.domain.money import Money

Value: TypeAlias = "str | int | float | Money | datetime | Msg | None"
"""What a message's field may hold: a text, a number, money, a moment, or another message
(the reason a row of a file was refused, said in the same language as the rest)."""


def N_(template: str) -> str:
    """Mark a template for the catalogs without translating it (gettext's ``N_``)."""
    return template


def fields_of(template: str) -> frozenset[str]:
    """The named fields a template uses (``{amount}`` → ``amount``)."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def shown(value: object, limit: int = 80) -> str:
    """A value someone sent, as a message quotes it: text as it is, anything else (a number, a
    list, an object) as JSON; cut at ``limit`` characters."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except ValueError:  # a circular value: it can still be named
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(value: Value) -> str:
    """A value written for the English text: money as ``12.34 USD``, times in UTC."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # 40.0 reads "40", as the reader's locale writes it
    if value is None:
        return "—"
    return str(value)


@dataclass(frozen=True, slots=True)
class Msg:
    """A template with ``{name}`` fields and their values; ``literal`` text is never
    translated nor formatted (what a person typed, or text kept before messages had
    templates)."""

    template: str
    params: Mapping[str, Value] = field(default_factory=dict)
    literal: bool = False

    @classmethod
    def text(cls, text: str) -> Msg:
        return cls(text, {}, literal=True)

    def __str__(self) -> str:
        if self.literal or not self.params:
            return self.template
        return self.template.format(**{k: plain(v) for k, v in self.params.items()})

    def to_json(self) -> dict[str, Any]:
        """What is kept: the template and each value, money and times tagged."""
        return {"t": self.template, "literal": self.literal,
                "p": {k: _encode(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Msg:
        params = {k: _decode(v) for k, v in dict(data.get("p") or {}).items()}
        return cls(str(data["t"]), params, literal=bool(data.get("literal", False)))


def _encode(value: Value) -> Any:
    if isinstance(value, Money):
        return {"money": value.amount_minor, "currency": value.currency}
    if isinstance(value, datetime):
        return {"at": value.isoformat()}
    if isinstance(value, Msg):
        return {"msg": value.to_json()}
    return value


def _decode(value: Any) -> Value:
    if isinstance(value, dict):
        if "money" in value:
            return Money(int(value["money"]), str(value["currency"]))
        if "at" in value:
            return datetime.fromisoformat(str(value["at"]))
        if "msg" in value:
            return Msg.from_json(value["msg"])
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)
