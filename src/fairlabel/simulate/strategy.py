"""The requester strategy protocol (docs/simulate.md, "Writing a strategy").

A strategy is a small class; the engine makes one instance per simulated requester account
(with no arguments) and calls:

- ``start(desk)`` once, on the first morning;
- ``review(desk, answers)`` every morning, with the answers submitted on its projects since
  the last call (answers it leaves alone are approved by the platform after the review window);
- ``day(desk)`` every morning after ``review``.

``label`` names the strategy in the report. Everything a strategy does goes through its
:class:`~fairlabel.simulate.desk.Desk`; a refusal by the platform raises
:class:`~fairlabel.simulate.desk.Refused`, which is logged already.
"""

from __future__ import annotations

from typing import ClassVar, Protocol, runtime_checkable

from fairlabel.simulate.desk import AnswerToReview, Desk


@runtime_checkable
class Strategy(Protocol):
    label: ClassVar[str]

    def start(self, desk: Desk) -> None: ...
    def review(self, desk: Desk, answers: list[AnswerToReview]) -> None: ...
    def day(self, desk: Desk) -> None: ...


class BaseStrategy:
    """Does nothing: subclass it and override what your strategy does."""

    label: ClassVar[str] = "base"

    def start(self, desk: Desk) -> None:
        """Called once, on the first simulated morning."""

    def review(self, desk: Desk, answers: list[AnswerToReview]) -> None:
        """Called every morning with the answers submitted since the last call."""

    def day(self, desk: Desk) -> None:
        """Called every simulated morning, after ``review``."""
