"""The gettext catalogs: ``locale/<language>/LC_MESSAGES/*.po``, read once per process.

The ``.po`` files are the source of truth (translators edit them; ``make messages`` brings
them up to date with the code); they are compiled in memory at start-up, so that no build step
and no binary file stands between an edit and the page.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "en"
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
"""The languages the pages speak, English first (the language of the templates)."""

LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def catalog(language: str) -> Catalog:
    """Every message of a language's ``.po`` files, in one catalog (fuzzy entries dropped)."""
    merged = Catalog(locale=language, domain="messages")
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        data = path.read_bytes()
        part = read_po(io.BytesIO(data), locale=language)
        # The plural rule the translators wrote for (the .po header: French has two forms),
        # rather than Babel's CLDR rule for the locale (three for French, the second for
        # millions), which would leave every plural of 2 or more untranslated.
        if b"\nPlural-Forms:" in data or b'"Plural-Forms:' in data:
            merged.mime_headers = [("Plural-Forms", part.plural_forms)]
        for message in part:
            if message.id and message.string and not message.fuzzy:
                merged[message.id] = message
    return merged


@cache
def translations(language: str) -> NullTranslations:
    """gettext translations for a language (English and unknown languages: none)."""
    if language == DEFAULT_LANGUAGE or language not in LANGUAGES:
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog(language))
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def script_message_ids(scripts: Path) -> frozenset[str]:
    """The texts the pages' scripts translate: every ``t("…")`` in the ``.js`` files."""
    from babel.messages.extract import extract

    found: set[str] = set()
    for path in sorted(scripts.rglob("*.js")):
        with path.open("rb") as handle:
            for _line, message, _comments, _context in extract(
                    "javascript", handle, keywords={"t": None}):
                if isinstance(message, str):
                    found.add(message)
    return frozenset(found)


@cache
def script_catalog(language: str, scripts: Path) -> dict[str, str]:
    """What a page's scripts need of a language's catalog: their texts and translations."""
    table = translations(language)
    return {message: table.gettext(message) for message in sorted(script_message_ids(scripts))
            if table.gettext(message) != message}
