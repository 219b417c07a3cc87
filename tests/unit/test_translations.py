"""Every text a person reads is in the catalogs, and French is complete.

* every text the code, the templates and the scripts mark (``_()``, ``{% trans %}``, ``t()``,
  the first argument of every domain error, ``Msg``) has a French translation, with the same
  ``{fields}``;
* no such text is built with an f-string (the catalogs could not hold it);
* no template writes English outside ``_()`` or ``{% trans %}``: text between tags and the
  attributes people read (title, placeholder, aria-label, alt) are checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import Environment, nodes
from tools.messages.check import problems
from tools.messages.extract import PACKAGE, extract, formatted_texts

TEMPLATES = PACKAGE / "adapters" / "web" / "templates"

# Words that are the same in every language: names, codes and symbols.
SAME_IN_EVERY_LANGUAGE = {
    "fairlabel", "fair", "label", "IBAN", "BIC", "SEPA", "UTC", "JSON", "JSONL", "CSV", "API",
    "ID", "OK", "SHA", "ISO", "Markdown", "Label", "Studio", "COCO", "CoNLL", "Parquet",
    "Enter", "Esc", "Tab", "Ctrl", "Shift", "Space", "Backspace", "Delete", "Alt",
    "English", "Français", "Español", "h", "s", "min", "px",
}
READ_ATTRIBUTES = re.compile(
    r"""\b(title|placeholder|aria-label|alt)\s*=\s*["']([^"'{]*)["']""")
TAG = re.compile(r"<[^>]*>")
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b.*?</\1>", re.S)
WORD = re.compile(r"[^\W\d_]{2,}", re.U)


def _english_words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in SAME_IN_EVERY_LANGUAGE]


def _bare_texts(source: str) -> list[str]:
    """Readable words a template writes itself rather than through the catalogs."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    tree = env.parse(source)
    data = "".join(node.data for node in tree.find_all(nodes.TemplateData))
    data = SCRIPT_OR_STYLE.sub(" ", data)
    found = [f"{name}={value!r}" for name, value in READ_ATTRIBUTES.findall(data)
             if _english_words(value)]
    between = TAG.sub(" ", re.sub(r"<[^>]*$|^[^<]*>", " ", data))
    between = re.sub(r"&\w+;|&#\d+;", " ", between)
    found += _english_words(between)
    return found


def test_every_text_has_a_french_translation() -> None:
    missing = problems(extract(), "fr")
    assert not missing, (f"{len(missing)} texts lack French; run `make messages` and "
                         "translate them in the .po files:\n"
                         + "\n".join(map(str, missing[:40])))


def test_no_text_is_built_with_an_f_string() -> None:
    found = list(formatted_texts())
    assert not found, ("write these as a template with named fields, e.g. "
                       'NotFound("no project {project_id}", project_id=pid):\n'
                       + "\n".join(f"{f.path}:{f.line} {f.call}" for f in found[:40]))


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.rglob("*.html")))
def test_template_writes_no_bare_english(template: str) -> None:
    bare = _bare_texts((TEMPLATES / template).read_text(encoding="utf-8"))
    assert not bare, f"{template} writes text outside _() or {{% trans %}}: {bare[:20]}"


def test_the_bare_text_check_finds_bare_text() -> None:
    assert _bare_texts('<p title="Your rate">Hello {{ x }}</p>') == ["title='Your rate'",
                                                                    "Hello"]
    assert _bare_texts('<p title="{{ _(\'Your rate\') }}">{{ _("Hello") }}</p>') == []
    assert _bare_texts("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>") == []


def test_tools_find_the_package() -> None:
    assert Path(PACKAGE, "adapters", "i18n", "locale").is_dir()
