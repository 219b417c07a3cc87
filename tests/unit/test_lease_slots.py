"""Leases of one project without the exclusive lock (``domain.holds.lease_needs_no_lock``):
up to ``slots`` leases are in flight at once, each blind to the others until they commit. The
property: whatever they hold (up to the bound), whatever order they look, commit or give up
in, and whatever answers, deposits and exclusive spenders come between, the free escrow
(the balance less the holds of committed live leases) never falls below the notice pay."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.domain.holds import lease_allowance, lease_hold_bound, lease_needs_no_lock

HOUR = 3_600_000


@dataclass
class Escrow:
    """The committed state, and the leases in flight (checked, not committed)."""

    balance: int
    notice: int
    slots: int
    bound: int
    live: list[int] = field(default_factory=list)  # holds of committed live leases
    in_flight: list[int] = field(default_factory=list)
    unlocked: int = 0  # leases that committed without the lock
    locked: int = 0

    @property
    def free(self) -> int:
        return self.balance - sum(self.live)

    def lease(self, hold: int) -> None:
        """A lease checks what is committed; it goes without the lock if the rule lets it
        and a slot is free, else (once nothing is in flight: the lock waits for them) it
        checks exactly."""
        if (len(self.in_flight) < self.slots
                and lease_needs_no_lock(free_after_minor=self.free - hold,
                                        notice_minor=self.notice,
                                        hold_bound_minor=self.bound, slots=self.slots)):
            self.in_flight.append(hold)
        elif not self.in_flight and self.free - hold >= self.notice:
            self.live.append(hold)
            self.locked += 1

    def commit(self, which: int) -> None:
        if self.in_flight:
            self.live.append(self.in_flight.pop(which % len(self.in_flight)))
            self.unlocked += 1

    def give_up(self, which: int) -> None:
        if self.in_flight:
            self.in_flight.pop(which % len(self.in_flight))

    def answer(self, which: int) -> None:
        """A submission pays the answer out of the balance and ends its hold at once."""
        if self.live:
            self.balance -= self.live.pop(which % len(self.live))

    def spend(self, amount: int) -> None:
        """Notice pay, a top-up: under the exclusive lock, which waits for the in-flight."""
        if not self.in_flight and self.free - amount >= self.notice:
            self.balance -= amount


events = st.lists(st.tuples(st.sampled_from(["lease", "commit", "give_up", "answer", "spend",
                                             "deposit"]),
                            st.integers(0, 10_000)), max_size=200)


@settings(max_examples=400, deadline=None)
@given(balance=st.integers(0, 20_000), notice=st.integers(0, 5_000), slots=st.integers(1, 8),
       price=st.integers(1, 200), floor=st.integers(100, 5_000),
       lease_s=st.integers(10, 3_600), pivot=st.integers(0, 3_600_000),
       lowest=st.integers(0, 500), script=events)
def test_the_free_escrow_never_falls_below_the_notice_pay(
        balance: int, notice: int, slots: int, price: int, floor: int, lease_s: int,
        pivot: int, lowest: int, script: list[tuple[str, int]]) -> None:
    lease_ms = lease_s * 1000
    bound = lease_hold_bound(price_minor=price, floor_hourly=floor, lease_ms=lease_ms)
    escrow = Escrow(balance + notice, notice, slots, bound)
    for event, n in script:
        if event == "lease":
            # What a lease really holds: its price and its allowance at some pivot and
            # lowest pay; the bound covers every one of them.
            hold = price + lease_allowance(floor_hourly=floor, lease_ms=lease_ms,
                                           lowest_paid_minor=min(lowest, price),
                                           pivot_ms=(pivot + n) % (lease_ms + 1))
            assert hold <= bound
            escrow.lease(hold)
        elif event == "commit":
            escrow.commit(n)
        elif event == "give_up":
            escrow.give_up(n)
        elif event == "answer":
            escrow.answer(n)
        elif event == "spend":
            escrow.spend(n % 500)
        else:
            escrow.balance += n
        assert escrow.free >= escrow.notice, escrow
    for _ in range(len(escrow.in_flight)):
        escrow.commit(0)
        assert escrow.free >= escrow.notice, escrow


def test_one_slot_is_the_exact_check() -> None:
    assert lease_needs_no_lock(free_after_minor=0, notice_minor=0, hold_bound_minor=10**9,
                               slots=1)
    assert not lease_needs_no_lock(free_after_minor=-1, notice_minor=0, hold_bound_minor=1,
                                   slots=1)


def test_a_well_funded_project_needs_no_lock_and_a_nearly_spent_one_does() -> None:
    # 0.05 USD a task, a 12 USD/h floor, 2-minute leases: a lease holds at most 0.05 + 0.81.
    bound = lease_hold_bound(price_minor=5, floor_hourly=1200, lease_ms=120_000)
    assert bound == 5 + 80 + 1
    assert lease_needs_no_lock(free_after_minor=50_000, notice_minor=10_000,
                               hold_bound_minor=bound, slots=8)
    assert not lease_needs_no_lock(free_after_minor=10_000 + 7 * bound - 1,
                                   notice_minor=10_000, hold_bound_minor=bound, slots=8)


def test_the_bound_is_the_largest_hold() -> None:
    bound = lease_hold_bound(price_minor=7, floor_hourly=1500, lease_ms=600_000)
    holds = [7 + lease_allowance(floor_hourly=1500, lease_ms=600_000, lowest_paid_minor=low,
                                 pivot_ms=pivot)
             for low in (0, 3, 7) for pivot in (0, 1, 300_000, 600_000, 900_000)]
    assert max(holds) == bound
