"""The shapes of the hand-written sources: families of projects and their domains.

A *family* is one kind of labelling project: ``key``, ``name``, ``instructions`` (with
``{name}`` and the domain's ``vars`` as placeholders), the label ``schema``, the schema it
is ``switch_to`` for the "another task type" case, and two ``domains``. A *domain* gives
the instructions' ``vars`` and the task data: for each field of a task, sentence
templates whose ``{slot}`` placeholders are filled from ``slots``.
"""

from __future__ import annotations

from typing import Any

Family = dict[str, Any]
Domain = dict[str, Any]
Project = dict[str, Any]
Pair = dict[str, Any]


def family(key: str, name: str, instructions: str, schema: dict[str, Any],
           switch_to: dict[str, Any], *domains: Domain) -> Family:
    """A family record (the two domains: main one first)."""
    return {"key": key, "name": name, "instructions": instructions, "schema": schema,
            "switch_to": switch_to, "domains": list(domains)}


def domain(vars_: dict[str, str], fields: dict[str, list[str]],
           slots: dict[str, list[str]]) -> Domain:
    """A domain record."""
    return {"vars": vars_, "fields": fields, "slots": slots}
