"""`fairlabel simulate`: a platform year with simulated workers, requesters and a moderator,
driven through the same use cases as the API on a moved clock (docs/simulate.md).

``simulate`` runs it and returns the :class:`~fairlabel.simulate.log.RunLog` the report reads.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fairlabel.domain.accounts import Role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.services import accounts
from fairlabel.services.ports.transaction import Database, Transaction
from fairlabel.services.quality import RefitConsensus
from fairlabel.simulate.desk import AnswerToReview, Desk, ProjectState, Refused
from fairlabel.simulate.engine import Engine, Requester, SimWorker
from fairlabel.simulate.finish import read_back
from fairlabel.simulate.log import RequesterInfo, RunLog, WorkerInfo
from fairlabel.simulate.moderator import Moderator
from fairlabel.simulate.strategy import BaseStrategy, Strategy
from fairlabel.simulate.workers import population
from fairlabel.simulate.world import EMAIL_DOMAIN, PASSWORD, World

START = datetime(2027, 1, 4, tzinfo=UTC)  # a Monday
CURRENCY = "USD"

__all__ = ["START", "AnswerToReview", "BaseStrategy", "Desk", "ProjectState", "Refused",
           "RunLog", "Strategy", "simulate"]


def simulate(db: Database[Transaction], policy: CharterPolicy, *, days: int, workers: int,
             requesters: list[tuple[type[Strategy], int]], seed: int,
             start: datetime = START, refit: RefitConsensus | None = None,
             progress: Callable[[int], None] | None = None) -> RunLog:
    """Run ``days`` simulated days on an empty, migrated database; the same seed gives the
    same log (but for ``wall_seconds``). ``progress`` is called with each day done."""
    began = time.perf_counter()
    log = RunLog(seed=seed, started=start, ended=start + timedelta(days=days),
                 currency=CURRENCY, floor_hourly_minor=policy.floors.hourly(CURRENCY))
    setup = start - timedelta(hours=1)
    admin = accounts.add_user(db, email=f"operator@{EMAIL_DOMAIN}", password=PASSWORD,
                              role=Role.ADMIN, now=setup)
    world = World(db, policy, log, admin, now=setup)
    world.users[admin.id] = admin
    profiles = population(random.Random(f"{seed}:workers"), workers)
    crowd = []
    for number, profile in enumerate(profiles):
        user = world.add_account(Role.WORKER)
        log.workers.append(WorkerInfo(user.id, profile.kind, profile.seconds_per_task,
                                      profile.accuracy))
        crowd.append(SimWorker(user, profile, random.Random(f"{seed}:worker:{number}")))
    moderator = Moderator(world, world.add_account(Role.MODERATOR),
                          random.Random(f"{seed}:moderator"),
                          {w.user.id: w.profile for w in crowd})
    desks: list[Requester] = []
    for cls, count in requesters:
        for _ in range(count):
            user = world.add_account(Role.REQUESTER)
            world.person[user.id] = user.id
            log.requesters.append(RequesterInfo(user.id, cls.label, user.id))
            rng = random.Random(f"{seed}:requester:{len(desks)}")
            desks.append(Requester(Desk(world, user, label=cls.label, rng=rng), cls()))
    Engine(world, moderator, crowd, desks, days=days, refit=refit, progress=progress).run()
    read_back(world, [w.user.id for w in crowd])
    log.wall_seconds = time.perf_counter() - began
    return log
