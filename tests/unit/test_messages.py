"""Messages that reach people (domain/messages.py): templates with values, kept as JSON and said
in the reader's language; and every template the package writes gets every field it names."""

from __future__ import annotations

import ast
from datetime import UTC, datetime

from tools.messages.extract import PACKAGE, error_classes

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.context import reader_for, reading_as
from fairlabel.domain.errors import ImportRejected, InvalidInput, NotFound
from fairlabel.domain.messages import Msg, fields_of, shown
from fairlabel.domain.money import Money

MOMENT = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def french(zone: str = "Africa/Nairobi") -> object:
    return reading_as(reader_for(account_language="fr", account_time_zone=zone,
                                 chosen_language=None, browser_time_zone=None,
                                 accept_language=None))


def test_a_message_round_trips_through_json_with_money_times_and_messages() -> None:
    inner = Msg("the answer took {worked} s", {"worked": 1.5})
    message = Msg("You are paid {amount} on {paid_at}: {why}. Reason: {reason}",
                  {"amount": Money(1234, "EUR"), "paid_at": MOMENT, "why": inner,
                   "reason": "typed by a person", "count": 3, "none": None})
    kept = message.to_json()
    assert kept["p"]["amount"] == {"money": 1234, "currency": "EUR"}
    assert kept["p"]["paid_at"] == {"at": "2026-11-16T09:30:00+00:00"}
    back = Msg.from_json(kept)
    assert back == message
    assert back.params["paid_at"] == MOMENT and back.params["paid_at"].tzinfo is not None
    assert isinstance(back.params["why"], Msg)
    assert Msg.from_json(Msg.text("what {someone} typed").to_json()) == Msg.text(
        "what {someone} typed")


def test_the_english_text_writes_money_and_times_plainly() -> None:
    message = Msg("{amount} on {paid_at}, {days} days, {share}",
                  {"amount": Money(1234, "EUR"), "paid_at": MOMENT, "days": 7.0, "share": 0.25})
    assert str(message) == "12.34 EUR on 2026-11-16 09:30 UTC, 7 days, 0.25"
    assert str(Msg.text("{not a field}")) == "{not a field}"


def test_a_message_is_said_in_french_with_french_money_and_dates() -> None:
    message = Msg("the price is already {price}", {"price": Money(1050, "USD")})
    with french():
        assert formats.say(message) == "le prix est déjà de 10,50\u00a0$US"
        said = formats.say(Msg("no moderator decided before the deadline ({deadline}); rule "
                               "{rule} overturns it in your favour",
                               {"deadline": MOMENT, "rule": "appeal_deadline@1"}))
    assert "16 nov. 2026" in said and "12:30" in said and "EAT" in said
    assert said.startswith("aucun modérateur")


def test_a_nested_message_is_said_in_the_same_language() -> None:
    refused = ImportRejected(3, Msg("the file holds no tasks"))
    assert refused.message == ("row 3: the file holds no tasks. Nothing was imported; fix the "
                               "row and retry.")
    with french():
        said = formats.say(refused.msg)
    assert "ligne 3" in said and "aucune tâche" in said


def test_errors_keep_their_english_and_their_template() -> None:
    error = NotFound("no project {project_id}", project_id=12)
    assert error.message == str(error) == "no project 12"
    assert error.msg == Msg("no project {project_id}", {"project_id": 12})
    assert InvalidInput(Msg("a {what}", {"what": "b"})).message == "a b"


def test_values_someone_sent_are_shown_short_and_plain() -> None:
    assert shown("abc") == "abc"
    assert shown([1, "a"]) == '[1, "a"]'
    assert shown(None) == "null"
    assert shown("x" * 100, 10) == "x" * 9 + "…"


def _calls() -> list[tuple[str, int, str, set[str] | None]]:
    """Each error or message the package builds from a written template with values: where,
    the template, and the names of the values it is given (None when they cannot be read
    from the call)."""
    names = set(error_classes()) | {"Msg"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else None)
            first = node.args[0]
            if name not in names or not (isinstance(first, ast.Constant)
                                         and isinstance(first.value, str)):
                continue
            given: set[str] | None
            if name == "Msg":
                given = set()
                if len(node.args) > 1:
                    params = node.args[1]
                    given = ({k.value for k in params.keys if isinstance(k, ast.Constant)}
                             if isinstance(params, ast.Dict) and None not in params.keys
                             else None)
            elif any(k.arg is None for k in node.keywords):
                given = None
            else:
                given = {k.arg for k in node.keywords if k.arg not in (None, "code")}
            if given == set():
                continue  # no values: the template is never formatted, braces are text
            found.append((f"{path.relative_to(PACKAGE)}:{node.lineno}", first.value, given))
    return found


def test_every_template_is_given_each_value_it_names() -> None:
    calls = _calls()
    assert len(calls) > 250
    missing = [f"{where} {template!r}: {sorted(fields_of(template) - given)}"
               for where, template, given in calls
               if given is not None and fields_of(template) - given]
    assert not missing, "\n".join(missing)


def test_no_error_template_names_a_field_code() -> None:
    """``code`` is the error's machine-readable code, never a value of its message."""
    assert not [where for where, template, _ in _calls() if "code" in fields_of(template)]


def test_every_template_can_be_written() -> None:
    for _, template, _ in _calls():
        assert str(Msg(template, dict.fromkeys(fields_of(template), "x")))


def test_no_template_is_chosen_inside_the_call() -> None:
    """``Msg("a" if x else "b")`` reaches the catalogs as the two texts glued together:
    choose between two calls instead."""
    names = set(error_classes()) | {"Msg", "_", "N_"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.IfExp):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else (
                    func.attr if isinstance(func, ast.Attribute) else None)
                if name in names:
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found
