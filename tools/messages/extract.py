"""Finding every text to translate: templates (``_()``, ``{% trans %}``), Python (``_()``,
``N_()``, ``Msg()``, and the first argument of every domain error), scripts (``t()``)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

import fairlabel
from fairlabel.domain.errors import DomainError

PACKAGE = Path(fairlabel.__file__).parent
LOCALE_DIR = PACKAGE / "adapters" / "i18n" / "locale"
LANGUAGES = ("fr", "es")

PYTHON_KEYWORDS: dict[str, object] = {
    "_": None, "gettext": None, "N_": None, "Msg": None,
    "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
}
METHODS = [
    ("**/adapters/i18n/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/static/**.js", "javascript"),
]


def error_classes() -> list[str]:
    """The names of DomainError and all its subclasses (their first argument is a text)."""
    for module in pkgutil.walk_packages(fairlabel.__path__, "fairlabel."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)  # every module that may define one

    names: set[str] = set()
    todo: list[type] = [DomainError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return sorted(names)


def keywords() -> dict[str, object]:
    return {**PYTHON_KEYWORDS, **dict.fromkeys(error_classes()), "t": None}


def extract() -> Catalog:
    """Every text of the package, with where it is used."""
    catalog = Catalog(project="fairlabel", msgid_bugs_address="", charset="utf-8")
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=METHODS, options_map=options, keywords=keywords(),
            comment_tags=("Translators:",), strip_comment_tags=True):
        if message:
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                        context=context)
    return catalog


@dataclass(frozen=True)
class Untranslatable:
    """A text that cannot be put in a catalog: built with an f-string where the catalogs need
    a template with named fields."""

    path: str
    line: int
    call: str


def formatted_texts(root: Path = PACKAGE) -> Iterator[Untranslatable]:
    """Calls of a domain error, ``Msg``, ``_`` or ``N_`` whose text is an f-string or a
    ``+``/``%`` expression: the catalogs cannot hold them."""
    names = set(error_classes()) | {"Msg", "_", "N_", "gettext"}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None)
            if name in names and isinstance(node.args[0], ast.JoinedStr | ast.BinOp):
                yield Untranslatable(str(path.relative_to(root)), node.lineno, name or "")
