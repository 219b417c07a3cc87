"""The reader of the request being answered, and the gettext functions that speak to them.

Pages, templates and error handlers run inside :func:`reading_as`; everything they translate
or format follows that reader. Outside it (the CLI, background jobs) the reader is English in
UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.localedata import locale_identifiers

from fairlabel.adapters.i18n.catalogs import DEFAULT_LANGUAGE, LANGUAGES, translations

MAX_HEADER = 500
"""Accept-Language headers longer than this are read only this far."""


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads the page: a language of :data:`LANGUAGES`, a Babel locale for numbers and
    dates (``fr_FR``, ``es_ES``…), and a time zone."""

    language: str
    locale: Locale
    time_zone: tzinfo

    @property
    def time_zone_name(self) -> str:
        return str(self.time_zone)


def _utc() -> tzinfo:
    return ZoneInfo("UTC")


ENGLISH = Reader(DEFAULT_LANGUAGE, Locale.parse("en_US"), _utc())
_reader: ContextVar[Reader] = ContextVar("reader", default=ENGLISH)


def current() -> Reader:
    return _reader.get()


@contextmanager
def reading_as(reader: Reader) -> Iterator[Reader]:
    token = _reader.set(reader)
    try:
        yield reader
    finally:
        _reader.reset(token)


def set_reader(reader: Reader) -> None:
    """Make ``reader`` the reader for the rest of this request's context."""
    _reader.set(reader)


def gettext(message: str) -> str:
    return translations(current().language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current().language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(translations(current().language).pgettext(context, message))


_ = gettext


def time_zone(name: str | None) -> tzinfo | None:
    """The IANA time zone of that name (``Africa/Nairobi``), or None if there is none."""
    if not name or len(name) > 64 or "\x00" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def accepted_languages(header: str | None) -> list[str]:
    """The languages of an Accept-Language header, most wanted first (``fr-CA`` → ``fr``)."""
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "")[:MAX_HEADER].split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            wanted.append((-quality, index, tag.strip().lower()))
    return [tag for _, _, tag in sorted(wanted)]


def choose_language(account: str | None, chosen: str | None, header: str | None) -> str:
    """The account's language, else the one chosen on the page (cookie), else the browser's
    first language we speak, else English."""
    for candidate in (account, chosen):
        if candidate in LANGUAGES:
            return str(candidate)
    for tag in accepted_languages(header):
        base = tag.split("-")[0].split("_")[0]
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


_USUAL = {"en": "en_US", "fr": "fr_FR", "es": "es_ES"}  # each language's usual locale


def babel_locale(language: str, region_tag: str | None = None) -> Locale:
    """The Babel locale for numbers and dates: the browser's region where it speaks the same
    language (``fr-CA``, ``es-419``), else the language's usual one (``fr_FR``).

    ``region_tag`` comes from any request's ``Accept-Language``: it is used only when it
    names a locale Babel has data for, and only then handed to Babel, whose lookups cache
    every name they are given; so made-up tags (one per request, from anyone) leave nothing
    behind in the server."""
    identifier = _USUAL.get(language, "en_US")
    if region_tag:
        parts = region_tag.replace("-", "_").split("_")
        if len(parts) == 2 and parts[0] == language:
            wanted = f"{language}_{parts[1].upper()}"
            if wanted in _known_locales():
                identifier = wanted
    return _locale(identifier)


@cache
def _known_locales() -> frozenset[str]:
    return frozenset(locale_identifiers())


@cache
def _locale(identifier: str) -> Locale:  # identifiers of _known_locales() only
    return Locale.parse(identifier)


def reader_for(*, account_language: str | None, account_time_zone: str | None,
               chosen_language: str | None, browser_time_zone: str | None,
               accept_language: str | None) -> Reader:
    """Who reads: the account's choices first, then the page's and the browser's."""
    language = choose_language(account_language, chosen_language, accept_language)
    region = next((tag for tag in accepted_languages(accept_language)
                   if tag.split("-")[0] == language and "-" in tag), None)
    zone = time_zone(account_time_zone) or time_zone(browser_time_zone) or _utc()
    return Reader(language, babel_locale(language, region), zone)
