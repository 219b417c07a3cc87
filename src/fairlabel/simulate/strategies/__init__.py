"""The built-in requester strategies, by the name ``--requesters`` knows them by."""

from __future__ import annotations

from fairlabel.simulate.strategies.base import ProjectCycle
from fairlabel.simulate.strategies.builtin import (
    AbruptEnder,
    Honest,
    Rejecter,
    SilentCutter,
    Underfunder,
    Underpricer,
)
from fairlabel.simulate.strategies.relauncher import Relauncher
from fairlabel.simulate.strategy import Strategy

BUILT_IN: dict[str, type[Strategy]] = {
    cls.label: cls for cls in (Honest, Underpricer, SilentCutter, AbruptEnder, Relauncher,
                               Rejecter, Underfunder)
}

__all__ = ["BUILT_IN", "AbruptEnder", "Honest", "ProjectCycle", "Rejecter", "Relauncher",
           "SilentCutter", "Underfunder", "Underpricer"]
