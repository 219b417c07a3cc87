"""The Spanish catalog: its translations keep the texts' fields, it counts two plural forms
(one, other), and a message reaches a Spanish reader in Spanish with Spanish amounts."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime

from tools.messages.check import problems
from tools.messages.extract import extract

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.catalogs import translations
from fairlabel.adapters.i18n.context import Reader, reader_for, reading_as
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import Money


def spanish() -> AbstractContextManager[Reader]:
    return reading_as(reader_for(account_language="es", account_time_zone="America/Bogota",
                                 chosen_language=None, browser_time_zone=None,
                                 accept_language=None))


def test_every_spanish_translation_keeps_the_fields_of_its_text() -> None:
    wrong = [p for p in problems(extract(), "es") if p.what != "not translated"]
    assert not wrong, "\n".join(map(str, wrong[:40]))


def test_spanish_has_one_form_for_one_and_another_for_the_rest() -> None:
    table = translations("es")
    said = {n: table.ngettext("%(num)d day", "%(num)d days", n) % {"num": n}
            for n in (0, 1, 2, 1_000_000)}
    assert said == {0: "0 días", 1: "1 día", 2: "2 días", 1_000_000: "1000000 días"}


def test_a_message_is_said_in_spanish_with_spanish_amounts() -> None:
    with spanish():
        said = formats.say(Msg("the price is already {price}", {"price": Money(1050, "EUR")}))
        deadline = formats.say(Msg(
            "no moderator decided before the deadline ({deadline}); rule {rule} overturns it "
            "in your favour", {"deadline": datetime(2026, 11, 16, 9, 30, tzinfo=UTC),
                               "rule": "appeal_deadline@1"}))
    assert said == "el precio ya es 10,50\u00a0€"
    assert deadline.startswith("ningún moderador decidió") and "4:30" in deadline
