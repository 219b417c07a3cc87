"""``--requesters``: which strategies play and how many accounts each, e.g.
``honest=20,relauncher=5,my_pkg.my_module:MyStrategy=2``."""

from __future__ import annotations

import importlib

from fairlabel.simulate.strategies import BUILT_IN
from fairlabel.simulate.strategy import Strategy

DEFAULT = ("honest=20,underpricer=5,silent_cutter=5,abrupt_ender=5,relauncher=5,rejecter=5,"
           "underfunder=5")


class SpecError(ValueError):
    """A ``--requesters`` value that cannot be used; the message says how to fix it."""


def _load(name: str) -> type[Strategy]:
    if name in BUILT_IN:
        return BUILT_IN[name]
    if ":" not in name:
        raise SpecError(f"unknown strategy “{name}”: use one of {', '.join(BUILT_IN)}, or "
                        "module:Class for your own")
    module_name, _, class_name = name.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise SpecError(f"cannot import {module_name} ({error}); check the module path, and "
                        "that its folder is on PYTHONPATH") from None
    found = getattr(module, class_name, None)
    if not isinstance(found, type):
        raise SpecError(f"{module_name} has no class {class_name}")
    missing = [m for m in ("start", "review", "day") if not callable(getattr(found, m, None))]
    if missing or not isinstance(getattr(found, "label", None), str):
        raise SpecError(f"{name} is not a strategy: it needs a label (str) and the methods "
                        "start, review and day (see docs/simulate.md)")
    return found


def parse(spec: str) -> list[tuple[type[Strategy], int]]:
    """The strategies and their counts, in the order given."""
    out: list[tuple[type[Strategy], int]] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, sep, number = part.rpartition("=")
        if not sep or not name:
            raise SpecError(f"“{part}” is not NAME=COUNT (e.g. honest=10)")
        try:
            count = int(number)
        except ValueError:
            raise SpecError(f"“{part}”: the count must be a whole number") from None
        if count < 1:
            raise SpecError(f"“{part}”: the count must be at least 1")
        out.append((_load(name.strip()), count))
    if not out:
        raise SpecError("name at least one strategy, e.g. honest=10")
    return out
