"""Documentation is checked: every command, setting and API route is described."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from fairlabel.adapters.container import Container
from fairlabel.adapters.web.app import create_app
from fairlabel.config import Settings
from fairlabel.domain.charter import CharterPolicy

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def test_cli_reference_is_generated_from_the_commands() -> None:
    sys.path.insert(0, str(DOCS))
    try:
        import cli_reference
    finally:
        sys.path.remove(str(DOCS))
    assert (DOCS / "cli.md").read_text() == cli_reference.render(), (
        "docs/cli.md is out of date: run `make docs`")


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"## FAIRLABEL_{name.upper()}" in text, f"FAIRLABEL_{name.upper()} undocumented"


def test_every_api_route_is_documented(container: Container) -> None:
    text = (DOCS / "api.md").read_text()
    spec = TestClient(create_app(container)).get("/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method in methods:
            assert f"## {method.upper()} {path}" in text, f"{method.upper()} {path} undocumented"


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", readme, re.S)
    assert block is not None
    assert [line.split()[:2] for line in block.group(1).splitlines()] == [
        ["make", "demo"], ["make", "test"]]


def test_the_cli_answers_help_without_loading_numpy() -> None:
    code = ("import sys; from fairlabel.bootstrap import main; "
            "from fairlabel.adapters.web.app import create_app; "
            "assert 'numpy' not in sys.modules and 'alembic' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_charter_row_points_at_code_tests_and_settings_that_exist() -> None:
    text = (DOCS / "charter.md").read_text()
    rows = [line for line in text.splitlines() if re.match(r"\| [1-9]\. ", line)]
    assert len(rows) == 9, "one row per charter rule"
    settings = (DOCS / "configuration.md").read_text()
    policy_fields = {f.name for f in dataclasses.fields(CharterPolicy)}
    for ref in re.findall(r"`([^`]+)`", text):
        if ref.startswith("FAIRLABEL_"):
            assert f"## {ref}" in settings, f"{ref} is not in docs/configuration.md"
            continue
        if ref.startswith("CharterPolicy."):
            assert ref.split(".", 1)[1] in policy_fields, f"{ref} is not a field of the policy"
            continue
        if ref == "CharterPolicy":
            continue
        path, _, name = ref.partition("::")
        source = ROOT / path
        assert source.is_file(), f"docs/charter.md names {path}, which does not exist"
        if name:
            pattern = rf"^(async def|def|class) {re.escape(name)}\b|^{re.escape(name)} ="
            assert re.search(pattern, source.read_text(), re.M), f"{ref} is not defined"
    for link in re.findall(r"\]\(([a-z_]+\.md)", text):
        assert (DOCS / link).is_file(), f"docs/charter.md links {link}, which does not exist"


def test_the_charter_states_each_settings_one_default() -> None:
    """A setting named in docs/charter.md with a value in parentheses: that value is the
    setting's default, which is the constant in domain/charter.py."""
    text = (DOCS / "charter.md").read_text()
    stated = re.findall(r"`FAIRLABEL_([A-Z_]+)` \(([^)]*)\)", text)
    assert len(stated) >= 9
    for name, value in stated:
        default = Settings.model_fields[name.lower()].default
        if value.startswith("None"):
            assert default is None, name
        else:
            assert json.loads(value) == default, f"FAIRLABEL_{name}: {value} != {default}"


def test_every_task_type_has_its_section_with_examples_that_hold() -> None:
    """docs/task-types.md: a section per task type, whose first JSON example is a schema
    that parses to itself and whose other examples are valid answers."""
    from fairlabel.domain.label_schema import SCHEMA_TYPES, parse_schema

    text = (DOCS / "task-types.md").read_text()
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", text, re.S | re.M))
    assert set(SCHEMA_TYPES) <= set(sections), "a task type has no section"
    for kind in SCHEMA_TYPES:
        blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", sections[kind], re.S)]
        schema = parse_schema(blocks[0])
        assert schema.type == kind and schema.to_dict() == blocks[0]
        for answer in blocks[1:]:
            assert schema.validate_answer(answer) == answer, kind
