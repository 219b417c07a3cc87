"""``python -m tools.messages [--check]``: see the package's docstring."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po

from tools.messages.check import problems
from tools.messages.extract import LANGUAGES, LOCALE_DIR, extract


def update() -> None:
    template = extract()
    with (LOCALE_DIR / "messages.pot").open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=True, width=100)
    for language in LANGUAGES:
        path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            from babel.messages.catalog import Catalog
            catalog = Catalog(locale=language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.project, catalog.version, catalog.fuzzy = "fairlabel", "", False
        with path.open("wb") as out:
            write_po(out, catalog, omit_header=False, sort_output=True, width=100,
                     ignore_obsolete=True, include_previous=False)
        missing = list(problems(template, language))
        print(f"{language}: {len(template)} texts, {len(missing)} to translate ({path})")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        template = extract()
        found = [p for language in ("fr",) for p in problems(template, language)]
        for problem in found:
            print(problem)
        print(f"{len(template)} texts; {len(found)} problems in French")
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
