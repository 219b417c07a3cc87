"""What a language's catalog lacks, and translations whose fields differ from the text's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog

from fairlabel.adapters.i18n.catalogs import catalog as language_catalog

_FIELDS = re.compile(r"\{(\w+)\}|%\((\w+)\)s")


def fields(text: str) -> frozenset[str]:
    return frozenset(a or b for a, b in _FIELDS.findall(text))


@dataclass(frozen=True)
class Problem:
    language: str
    message: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.language}: {self.what}: {self.message!r} ({self.where})"


def problems(extracted: Catalog, language: str) -> list[Problem]:
    known = language_catalog(language)
    found: list[Problem] = []
    for message in extracted:
        if not message.id:
            continue
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:2])
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = known.get(message.id, context=message.context)
        if translated is None or not translated.string or translated.fuzzy:
            found.append(Problem(language, ids[0], where, "not translated"))
            continue
        strings = translated.string if isinstance(translated.string, tuple) else (
            translated.string,)
        if any(fields(s) != fields(ids[0]) for s in strings if s):
            found.append(Problem(language, ids[0], where,
                                 "the translation's {fields} differ from the text's"))
    return found
