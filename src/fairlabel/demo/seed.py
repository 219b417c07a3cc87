"""Demo data: a requester, a moderator, three workers and two launched projects, through the
use cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any, Protocol

from fairlabel.demo import story
from fairlabel.demo.structured import DemoMedia, seed_boxes, seed_spans
from fairlabel.domain.accounts import Role
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import accounts, pay, preferences, projects
from fairlabel.services.ports.accounts import HasUsers
from fairlabel.services.ports.decisions import (
    HasAppeals,
    HasBlocks,
    HasContinuationCases,
    HasDecisions,
)
from fairlabel.services.ports.media import HasMedia
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPayouts, HasPrices
from fairlabel.services.ports.quality import HasConsensus, HasConsensusUpkeep, HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks


class SeedTx(HasUsers, HasProjects, HasTasks, HasAssignments, HasLedger, HasEscrow, HasHolds,
             HasPrices, HasPayouts, HasGold, HasConsensus, HasConsensusUpkeep, HasDecisions,
             HasAppeals, HasBlocks, HasInbox, HasMedia, HasContinuationCases, Commits, Protocol):
    """The transaction of ``seed``."""


PASSWORD = "fairlabel-demo"
REQUESTER = "requester@demo.fairlabel.org"
OPERATOR = "operator@demo.fairlabel.org"
MODERATOR = "moderator@demo.fairlabel.org"
WORKERS = ("ada@demo.fairlabel.org", "grace@demo.fairlabel.org", "alan@demo.fairlabel.org")

SENTIMENT_INSTRUCTIONS = """\
Read the short customer message and choose the **overall feeling** it expresses.

- **positive**: the writer is pleased, grateful or recommends it.
- **negative**: the writer is unhappy, complains or warns others — *including sarcasm*
  ("Great, another late train…").
- **neutral**: factual, balanced or mixed so evenly that neither side wins.

Take a few seconds per message; there is no trick. Keys: `1` positive, `2` negative,
`3` neutral, `Enter` to submit, `S` to skip.
"""

PAIRWISE_INSTRUCTIONS = """\
A user asked an AI assistant something (the **prompt**). Two candidate answers follow.
Choose the answer that serves the user better:

1. **Correct**: no factual, arithmetic or code errors.
2. **Complete**: does what was asked, all of it.
3. **Honest and safe**: admits what it cannot know; gives no dangerous advice.
4. **Clear**: no padding; polite.

Length is not quality: a short correct answer beats a long wrong one. Optionally say why
(press `R`). Keys: `1`/`A`, `2`/`B`, `Enter` to submit.
"""


@dataclass(frozen=True)
class DemoLogins:
    operator: str
    requester: str
    workers: tuple[str, ...]
    moderator: str
    password: str
    created: bool
    story: list[str]


def _rows(name: str) -> list[dict[str, Any]]:
    text = resources.files("fairlabel.demo").joinpath("data", name).read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    # The expected answers are kept out of what workers see.
    return [{k: v for k, v in row.items() if k != "expected"} for row in rows]


def _with_gold(name: str, count: int) -> list[dict[str, Any]]:
    """The data file's rows, the first ``count`` turned into gold tasks with their expected
    answer (the rest stay ordinary tasks)."""
    text = resources.files("fairlabel.demo").joinpath("data", name).read_text("utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    out: list[dict[str, Any]] = []
    for number, row in enumerate(rows):
        data = {k: v for k, v in row.items() if k != "expected"}
        out.append({"data": data, "gold": row["expected"]} if number < count else data)
    return out


def seed(db: Database[SeedTx], policy: CharterPolicy, *, now: datetime,
         pictures: DemoMedia | None = None) -> DemoLogins:
    """Create the demo accounts and projects, unless they already exist. With ``pictures``
    (where uploaded images are checked and kept), also a box project on street scenes."""
    if accounts.find_user(db, REQUESTER) is not None:
        return DemoLogins(OPERATOR, REQUESTER, WORKERS, MODERATOR, PASSWORD, created=False,
                          story=[])
    start = now - timedelta(days=4)  # the Musen → Nova story happened over the last days
    operator = accounts.add_user(db, email=OPERATOR, password=PASSWORD, role=Role.ADMIN,
                                 now=start)
    requester = accounts.add_user(db, email=REQUESTER, password=PASSWORD,
                                  role=Role.REQUESTER, now=start)
    preferences.set_display_name(db, requester, "Demo Data Co.")  # shown instead of r_…
    accounts.add_user(db, email=MODERATOR, password=PASSWORD, role=Role.MODERATOR, now=start)
    workers = [accounts.add_user(db, email=email, password=PASSWORD, role=Role.WORKER,
                                 now=start) for email in WORKERS]
    pay.deposit(db, operator, requester_email=REQUESTER, amount=Money(1_250_00, "USD"),
                policy=policy, now=start)
    told = story.tell(db, policy, requester, workers, _rows("sentiment.jsonl"), now=now)
    plans = [
        (ProjectTerms("Customer review sentiment", SENTIMENT_INSTRUCTIONS,
                      parse_schema({"type": "single_choice",
                                    "choices": ["positive", "negative", "neutral"]}),
                      3, Money(5, "USD"), 600,
                      quality=QualityTerms(gold_rate=0.1, gold_min_accuracy=0.6,
                                           consensus_method="ds", confidence_target=0.95)),
         "sentiment.jsonl"),
        (ProjectTerms("Which assistant answer is better?", PAIRWISE_INSTRUCTIONS,
                      parse_schema({"type": "pairwise"}), 3, Money(30, "USD"), 1200),
         "pairwise.jsonl"),
    ]
    for (terms, data_file), funding in zip(plans, (200_00, 250_00), strict=True):
        project = projects.create_project(db, requester, terms, policy=policy, now=now)
        rows = _with_gold(data_file, 20) if terms.quality.gold_rate else _rows(data_file)
        projects.import_tasks(db, requester, project.id, rows, max_rows=len(rows), now=now)
        pay.fund_project(db, requester, project.id, Money(funding, "USD"), now=now)
        projects.launch_project(db, requester, project.id, now=now, policy=policy)
    seed_spans(db, requester, policy, now=now)
    if pictures is not None:
        seed_boxes(db, requester, policy, pictures, now=now)
    return DemoLogins(OPERATOR, REQUESTER, WORKERS, MODERATOR, PASSWORD, created=True,
                      story=told)
