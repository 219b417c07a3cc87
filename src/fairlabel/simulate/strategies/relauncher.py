"""The relauncher: ends a project, then launches the same work again cheaper, hiding it."""

from __future__ import annotations

from typing import ClassVar

from fairlabel.simulate.desk import Desk, Refused
from fairlabel.simulate.strategy import BaseStrategy

ROTATION: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("end", ("reworded",)),
    ("end", ("renamed_labels",)),
    ("end", ("paraphrased", "shuffled")),
    ("pause", ("reworded",)),
    ("second_account", ("reworded", "shuffled")),
    ("end", ("reworded", "renamed_labels", "paraphrased", "shuffled")),
)
"""How each attempt hides: end at once, pause instead, or relaunch from a second account;
and what the relaunch changes. Attempts go round this list."""


class Relauncher(BaseStrategy):
    """Runs a fair project for 5 to 10 days, ends it at once (or pauses it), and the next
    day launches the same messages again at 60 % of the price: with reworded instructions,
    renamed labels, paraphrased and shuffled messages, or from a second account, in turn
    (:data:`ROTATION`; each account starts at its own place in it). A refused relaunch is
    left as a draft; the relaunched work ends with notice when done (or after 10 days), and
    a new round starts."""

    label: ClassVar[str] = "relauncher"
    BATCH: ClassVar[int] = 40
    GOLD: ClassVar[int] = 8
    DEPOSIT: ClassVar[int] = 2_000_00

    def __init__(self) -> None:
        self.round = 0
        self.offset = 0
        self.next_start = 0
        self.original: int | None = None
        self.started_day = 0
        self.run_days = 10
        self.hidden_day = 0
        self.relaunch_day = 0
        self.relaunched: tuple[Desk, int] | None = None
        self.second: Desk | None = None

    def start(self, desk: Desk) -> None:
        desk.deposit(self.DEPOSIT)
        self.next_start = desk.rng.randrange(0, 5)
        self.offset = desk.user_id % len(ROTATION)

    def day(self, desk: Desk) -> None:
        if self.relaunched is not None:
            self._wind_down(desk, *self.relaunched)
        elif self.original is None:
            if desk.day >= self.next_start:
                self._open(desk)
        elif self.hidden_day:
            if desk.day >= self.hidden_day + 1:
                self._relaunch(desk, self.original)
        elif desk.day - self.started_day >= self.run_days:
            self._hide(desk, self.original)

    def _open(self, desk: Desk) -> None:
        self.round += 1
        batch = desk.make_batch(self.BATCH, gold=self.GOLD)
        try:
            project_id = desk.new_project(f"Sentiment round {self.round}", batch,
                                          price_minor=desk.fair_price_minor(40.0))
            desk.fund(project_id, desk.needed_to_finish(project_id))
            desk.launch(project_id)
        except Refused:
            self.next_start = desk.day + 7
            return
        self.original, self.started_day = project_id, desk.day
        self.run_days = desk.rng.randint(5, 10)

    def _hide(self, desk: Desk, project_id: int) -> None:
        how, _ = ROTATION[(self.round - 1 + self.offset) % len(ROTATION)]
        try:
            if how == "pause":
                desk.pause(project_id)
            else:
                desk.end(project_id, at_once=True, reason="The work is finished.")
        except Refused:
            desk.end(project_id, reason="The work is finished.")
        self.hidden_day = desk.day

    def _relaunch(self, desk: Desk, old: int) -> None:
        how, variants = ROTATION[(self.round - 1 + self.offset) % len(ROTATION)]
        on = desk
        if how == "second_account":
            if self.second is None:
                self.second = desk.second_account(self.DEPOSIT)
            on = self.second
        price = max(1, desk.project(old).price_minor * 6 // 10)
        fund = price * (self.BATCH + self.GOLD) * 4
        if on.balance() < fund:
            on.deposit(fund)
        try:
            new = on.relaunch(old, variants=variants, price_minor=price, fund_minor=fund,
                              name=f"Feelings batch {self.round}")
        except Refused:
            new = None
        self.hidden_day = 0
        self.original = None
        if new is None:
            self._close_old(desk, old)
            self.next_start = desk.day + 5
        else:
            self.relaunched = (on, new)
            self.relaunch_day = desk.day

    def _close_old(self, desk: Desk, old: int) -> None:
        if desk.project(old).status == "paused":
            try:
                desk.end(old, reason="Not resuming this work.")
            except Refused:
                return

    def _wind_down(self, desk: Desk, on: Desk, project_id: int) -> None:
        state = on.project(project_id)
        if state.status in ("ended", "ending"):
            self.relaunched = None
            self.next_start = desk.day + 5
        elif state.remaining == 0 or desk.day - self.relaunch_day >= 10:
            try:
                on.end(project_id, reason="This work is now complete.")
            except Refused:
                return
