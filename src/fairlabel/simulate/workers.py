"""The simulated workers: how fast and how well each labels, when they work, whether they
appeal.

About 5 % are spammers (a few seconds a task, random labels), about 10 % appealers (they
appeal every rejection of a right answer); the rest are regular workers (30 s a task on
average, 70 %–98 % right), who appeal a rejection of a right answer one time in three.
Each works a few hours on some days of the week.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

SPAMMER_SHARE = 0.05
APPEALER_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class Profile:
    """What a simulated worker is like (drawn once, from the run's seed)."""

    kind: str  # "regular", "spammer" or "appealer"
    seconds_per_task: float  # their mean time on a task
    accuracy: float  # their chance of the right label
    weekdays: frozenset[int]  # the days of the week they may work (0 Monday)
    show_up: float  # their chance of working on one of those days
    start_hour: float  # when their day's session starts (UTC hours)
    hours: float  # how long it lasts
    skip_rate: float  # how often they give a task back (skip it)

    def appeals(self, correct: bool, rng: random.Random) -> bool:
        """Whether they appeal a rejection of their answer."""
        if self.kind == "appealer":
            return correct
        if self.kind == "spammer":
            return rng.random() < 0.05
        return rng.random() < (0.33 if correct else 0.03)

    def task_seconds(self, rng: random.Random) -> float:
        """Their time on one task: lognormal around their mean, at least 2 s."""
        return max(2.0, rng.lognormvariate(math.log(self.seconds_per_task), 0.35))

    def label(self, truth: int, rng: random.Random) -> int:
        """The choice they pick (an index): the truth with their accuracy, else another."""
        if self.kind == "spammer":
            return rng.randrange(3)
        if rng.random() < self.accuracy:
            return truth
        return rng.choice([c for c in range(3) if c != truth])


def draw_profile(rng: random.Random) -> Profile:
    roll = rng.random()
    kind = ("spammer" if roll < SPAMMER_SHARE else
            "appealer" if roll < SPAMMER_SHARE + APPEALER_SHARE else "regular")
    days = rng.randint(2, 6)
    weekdays = frozenset(rng.sample(range(7), days))
    if kind == "spammer":
        seconds, accuracy = rng.uniform(3.0, 6.0), 1 / 3
    else:
        seconds = min(90.0, max(12.0, rng.lognormvariate(math.log(30.0), 0.3)))
        accuracy = rng.uniform(0.7, 0.98)
    return Profile(kind=kind, seconds_per_task=round(seconds, 2), accuracy=round(accuracy, 3),
                   weekdays=weekdays, show_up=rng.uniform(0.3, 0.9),
                   start_hour=rng.uniform(6.0, 20.0), hours=rng.uniform(0.5, 3.0),
                   skip_rate=rng.uniform(0.0, 0.03))


def population(rng: random.Random, count: int) -> list[Profile]:
    """``count`` workers."""
    return [draw_profile(rng) for _ in range(count)]
