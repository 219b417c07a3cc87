"""The reader's language and time zone, and money, numbers and times written and read for
them (adapters/i18n)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import (
    Reader,
    accepted_languages,
    choose_language,
    reader_for,
    reading_as,
)
from fairlabel.domain.errors import InvalidInput, NotFound
from fairlabel.domain.messages import Msg
from fairlabel.domain.money import MAX_AMOUNT_MINOR, Money


def reader(language: str, zone: str | None = "UTC", header: str | None = None) -> Reader:
    return reader_for(account_language=language, account_time_zone=zone, chosen_language=None,
                      browser_time_zone=None, accept_language=header)


def test_accept_language_is_read_by_preference() -> None:
    assert accepted_languages("en;q=0.5, fr-CA, es;q=0.8") == ["fr-ca", "es", "en"]
    assert accepted_languages("fr;q=0, de") == ["de"]
    assert accepted_languages("x" * 10_000) == ["x" * 500]  # read only so far
    assert accepted_languages(None) == []


def test_the_account_wins_then_the_page_then_the_browser() -> None:
    assert choose_language("es", "fr", "fr") == "es"
    assert choose_language(None, "fr", "es") == "fr"
    assert choose_language(None, None, "de, es-MX;q=0.9") == "es"
    assert choose_language(None, "klingon", "de") == "en"


def test_the_time_zone_comes_from_the_account_then_the_browser_else_utc() -> None:
    assert reader("fr", "Africa/Nairobi").time_zone_name == "Africa/Nairobi"
    chosen = reader_for(account_language=None, account_time_zone=None, chosen_language=None,
                        browser_time_zone="America/Caracas", accept_language=None)
    assert chosen.time_zone_name == "America/Caracas"
    assert reader("fr", "Mars/Olympus").time_zone_name == "UTC"
    assert reader("fr", "../../etc/passwd").time_zone_name == "UTC"


def test_a_browser_region_of_the_same_language_sets_the_formats() -> None:
    assert str(reader("fr", header="fr-CA").locale) == "fr_CA"
    assert str(reader("fr", header="en-GB").locale) == "fr_FR"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "$1,234.50"), ("fr", "1\u202f234,50\u00a0$US"), ("es", "1.234,50\u00a0US$")])
def test_money_is_written_in_the_readers_locale(language: str, expected: str) -> None:
    with reading_as(reader(language)):
        assert formats.money(Money(123_450, "USD")) == expected


def test_money_keeps_its_currencys_decimals() -> None:
    with reading_as(reader("fr")):
        assert formats.money(Money(120, "JPY")) == "120\u00a0JPY"
        assert formats.money(Money(-5, "EUR")) == "-0,05\u00a0€"


def test_times_are_shown_in_the_readers_zone_with_its_name() -> None:
    moment = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)
    with reading_as(reader("fr", "Africa/Nairobi")):
        assert formats.when(moment) == "7 déc. 2026, 00:30 EAT"
        assert formats.day(moment) == "7 déc. 2026"
    with reading_as(reader("en", "America/Caracas")):
        assert formats.when(moment) == "Dec 6, 2026, 5:30\u202fPM -04"


@pytest.mark.parametrize("typed", ["0,10", "0.10", " 0,1 ", "$0.10", "0,10 $", "0.10 USD",
                                   "0,10 $US"])
def test_a_price_is_read_as_people_type_it(typed: str) -> None:
    with reading_as(reader("fr")):
        assert formats.parse_money(typed, "USD").amount_minor == 10


@pytest.mark.parametrize(("language", "typed", "minor"), [
    ("fr", "1 234,50", 123_450), ("fr", "1\u202f234,50", 123_450), ("en", "1,234.50", 123_450),
    ("en", "1,234", 123_400), ("fr", "1.234,50", 123_450), ("en", "1,234,567", 123_456_700),
])
def test_thousands_separators_are_read_where_they_cannot_be_decimals(
        language: str, typed: str, minor: int) -> None:
    with reading_as(reader(language)):
        assert formats.parse_money(typed, "USD").amount_minor == minor


@pytest.mark.parametrize("typed", ["1e3", "0,1,2", "abc", "", "1,2345", "1.234.5"])
def test_what_is_not_an_amount_is_refused_in_plain_words(typed: str) -> None:
    with reading_as(reader("en")), pytest.raises(InvalidInput) as refused:
        formats.parse_money(typed, "USD")
    assert "amount" in refused.value.message or "decimals" in refused.value.message


@given(minor=st.integers(-MAX_AMOUNT_MINOR, MAX_AMOUNT_MINOR),
       currency=st.sampled_from(["USD", "EUR", "JPY", "KWD", "MGA"]),
       language=st.sampled_from(["en", "fr", "es"]))
def test_money_written_for_a_reader_reads_back_exactly(minor: int, currency: str,
                                                        language: str) -> None:
    with reading_as(reader(language)):
        shown = formats.money(Money(minor, currency))
        assert formats.parse_money(shown, currency) == Money(minor, currency)


def test_a_domain_message_is_said_in_the_readers_language_with_its_values() -> None:
    message = Msg("{refused}: {reason}", {"refused": "Refusé", "reason": "trop tard"})
    with reading_as(reader("fr")):
        assert formats.say(message) == "Refusé : trop tard"
    assert str(message) == "Refusé: trop tard"


def test_an_error_carries_its_template_and_values() -> None:
    error = NotFound("no project {project_id}", project_id=7)
    assert error.message == "no project 7" and str(error) == "no project 7"
    assert error.msg == Msg("no project {project_id}", {"project_id": 7})


def test_what_a_person_typed_is_never_formatted() -> None:
    typed = Msg.text("{not a field} 100%")
    with reading_as(reader("fr")):
        assert formats.say(typed) == "{not a field} 100%"


def test_a_message_round_trips_through_storage() -> None:
    message = Msg("pay {amount} from {at}", {"amount": Money(1250, "EUR"),
                                             "at": datetime(2026, 12, 6, tzinfo=UTC), "n": 3})
    assert Msg.from_json(message.to_json()) == message


def test_the_browsers_region_tags_leave_nothing_behind_in_the_server() -> None:
    """Any request's ``Accept-Language`` chooses the reader's locale: distinct made-up region
    tags (one per request, from anyone) must not each leave an entry in a cache for the life
    of the server, ours or Babel's. A real region still gives its own locale."""
    import gc
    import tracemalloc

    def read(header: str) -> str:
        return str(reader_for(account_language=None, account_time_zone=None,
                              chosen_language=None, browser_time_zone=None,
                              accept_language=header).locale)

    assert read("fr-CA,fr;q=0.9") == "fr_CA"
    read("en-warm")  # what is loaded once is loaded before measuring
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(3_000):
            assert read(f"en-x{i}") == "en_US"
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert kept < 128 * 1024, f"{kept} bytes kept for 3,000 made-up region tags"
    assert read("es-MX") == "es_MX" and read("es-419,es;q=0.8") == "es_419"
