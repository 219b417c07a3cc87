"""The simulated moderator: each morning, decides the appeals, the rules' proposals and the
continuation cases in its queues, by the run's ground truth.

- An appeal of a rejected answer is overturned when the answer was right, upheld otherwise;
  an appeal of a block is overturned unless the worker is a spammer. Each appeal waits a
  drawn 0.5 to 8 days (the charter's deadline is 7: the platform overturns the late ones
  for the worker on its own).
- A proposal to block a worker is confirmed for a spammer, declined otherwise.
- A continuation case is confirmed when both accounts belong to the same simulated person,
  dismissed otherwise.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from fairlabel.domain.accounts import User
from fairlabel.domain.decisions import DecisionKind
from fairlabel.domain.errors import DomainError
from fairlabel.services import appeals, continuation, decisions
from fairlabel.simulate.workers import Profile
from fairlabel.simulate.world import Rejection, World


class Moderator:
    def __init__(self, world: World, user: User, rng: random.Random,
                 profiles: dict[int, Profile]) -> None:
        self.world = world
        self.user = user
        self.rng = rng
        self.profiles = profiles
        self.due: dict[int, datetime] = {}  # appeal id → when this moderator gets to it

    def morning(self) -> None:
        self._appeals()
        self._proposals()
        self._cases()

    def _appeals(self) -> None:
        world = self.world
        for queued in appeals.queue(world.db, self.user, now=world.now):
            appeal = queued.appeal
            due = self.due.setdefault(appeal.id, appeal.created_at + timedelta(
                days=self.rng.uniform(0.5, 8.0)))
            if world.now < due:
                continue
            decision = queued.decision.decision
            if decision.kind is DecisionKind.ANSWER_REJECTED:
                right = world.answers.get(decision.assignment_id or 0, False)
                outcome = "overturned" if right else "upheld"
                reason = ("The answer is right: the rejection is overturned." if right else
                          "The answer is wrong: the rejection stands.")
            else:
                spammer = self._spammer(decision.worker_id)
                outcome = "upheld" if spammer else "overturned"
                reason = ("The worker's answers are random." if spammer else
                          "The worker's answers are in good faith.")
            try:
                appeals.resolve_appeal(world.db, self.user, appeal.id, outcome=outcome,
                                       reason=reason, now=world.now)
            except DomainError:
                continue  # decided meanwhile (the deadline overturned it)

    def _proposals(self) -> None:
        world = self.world
        for view in decisions.open_proposals(world.db, self.user):
            proposal = view.decision
            spammer = self._spammer(proposal.worker_id)
            reason = ("The answers are random: confirmed." if spammer else
                      "The answers are in good faith: declined.")
            try:
                decided = decisions.resolve_proposal(world.db, self.user, proposal.id,
                                                     confirm=spammer, reason=reason,
                                                     now=world.now)
            except DomainError:
                continue
            if spammer:  # the worker may appeal the block
                world.rejections.append(Rejection(decided.id, 0, decided.worker_id, world.now,
                                                  good_faith=False))

    def _cases(self) -> None:
        world = self.world
        for view in continuation.continuation_cases(world.db, self.user, now=world.now):
            case = view.case
            same = (world.person.get(case.requester_id, case.requester_id)
                    == world.person.get(case.earlier_requester_id, case.earlier_requester_id))
            if same:
                continuation.confirm_continuation(world.db, self.user, case.id, now=world.now,
                                                  policy=world.policy)
                world.changed = True  # its price may have risen, or it may be paused
            else:
                continuation.dismiss_continuation(
                    world.db, self.user, case.id, now=world.now,
                    reason="Different requesters with similar but separate work.")

    def _spammer(self, worker_id: int) -> bool:
        profile = self.profiles.get(worker_id)
        return profile is not None and profile.kind == "spammer"
