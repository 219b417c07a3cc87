"""The demo's box and span projects: street scenes the demo draws (boxes on images), and
sentences with names and places (spans), each with a few gold tasks of known answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, Protocol

from fairlabel.demo.pictures import LABELS, street_scenes
from fairlabel.domain.accounts import User
from fairlabel.domain.charter import CharterPolicy
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.media import MediaLimits
from fairlabel.domain.money import Money
from fairlabel.domain.projects import Project, ProjectTerms
from fairlabel.domain.quality import QualityTerms
from fairlabel.services import media, pay, projects
from fairlabel.services.ports.decisions import HasContinuationCases, HasDecisions
from fairlabel.services.ports.media import HasMedia, ImageChecker, MediaStore, RawFile
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger
from fairlabel.services.ports.quality import HasGold
from fairlabel.services.ports.transaction import Commits, Database
from fairlabel.services.ports.voice import HasInbox
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks


class LaunchTx(HasProjects, HasTasks, HasAssignments, HasLedger, HasEscrow, HasGold, HasInbox,
               HasMedia, HasHolds, HasDecisions, HasContinuationCases, Commits, Protocol):
    """The transaction of ``seed_boxes`` and ``seed_spans``."""

BOX_INSTRUCTIONS = """\
Draw a box around every **car**, **person** and **traffic light** in the street scene.

- Drag on the picture to draw a box; press `1` car, `2` person, `3` traffic light to label
  the selected box. `Tab` moves between boxes, `Delete` removes one.
- A box fits tightly around the whole object (a car's wheels included; a traffic light's
  lamp housing, not its pole).
- Nothing to mark? Press `N`.
"""

SPAN_INSTRUCTIONS = """\
Mark every **name** in the sentence: people (`1` PER), places (`2` LOC) and organisations
(`3` ORG).

- Select the words with the mouse or with `Shift` and the arrow keys, then press the
  label's number. Mark the whole name ("Ada Lovelace", not "Lovelace").
- Titles and dates are not names. A sentence may have none: then submit as it is.
"""

_MARKED = re.compile(r"\[([^\]]+)\]\(([A-Z]+)\)")
SCENES = 24
GOLD_SCENES = 4
GOLD_SENTENCES = 5


@dataclass(frozen=True, slots=True)
class DemoMedia:
    """What uploading the demo's pictures needs (the CLI passes the server's own)."""

    images: ImageChecker
    store: MediaStore
    limits: MediaLimits


def marked_sentence(line: str) -> tuple[str, list[dict[str, Any]]]:
    """``"[Ada](PER) lives in [Paris](LOC)."`` → the plain text and its spans, in code
    points."""
    text, spans, at = "", [], 0
    for match in _MARKED.finditer(line):
        text += line[at:match.start()]
        spans.append({"start": len(text), "end": len(text) + len(match[1]),
                      "label": match[2]})
        text += match[1]
        at = match.end()
    return text + line[at:], spans


def span_rows() -> list[dict[str, Any]]:
    lines = resources.files("fairlabel.demo").joinpath("data", "names.txt").read_text("utf-8")
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines.splitlines()):
        text, spans = marked_sentence(line)
        rows.append({"data": {"text": text}, "gold": spans} if number < GOLD_SENTENCES
                    else {"data": {"text": text}})
    return rows


def _launch(db: Database[LaunchTx], requester: User, terms: ProjectTerms,
            rows: list[dict[str, Any]], funding: int, policy: CharterPolicy, now: datetime,
            before_import: Callable[[Project], None] | None = None) -> Project:
    project = projects.create_project(db, requester, terms, policy=policy, now=now)
    if before_import is not None:
        before_import(project)
    projects.import_tasks(db, requester, project.id, rows, max_rows=len(rows), now=now)
    pay.fund_project(db, requester, project.id, Money(funding, "USD"), now=now)
    projects.launch_project(db, requester, project.id, now=now, policy=policy)
    return project


def seed_spans(db: Database[LaunchTx], requester: User, policy: CharterPolicy, *,
               now: datetime) -> Project:
    terms = ProjectTerms(
        "Names and places in news sentences", SPAN_INSTRUCTIONS,
        parse_schema({"type": "spans", "labels": ["PER", "LOC", "ORG"], "gold_f1": 0.8}),
        3, Money(6, "USD"), 600, quality=QualityTerms(gold_rate=0.1, gold_min_accuracy=0.5))
    return _launch(db, requester, terms, span_rows(), 200_00, policy, now)


def seed_boxes(db: Database[LaunchTx], requester: User, policy: CharterPolicy, kit: DemoMedia, *,
               now: datetime) -> Project:
    """Upload the drawn scenes to a new project, then import tasks that name them."""
    pictures = street_scenes(SCENES)
    terms = ProjectTerms(
        "Cars, people and traffic lights in street scenes", BOX_INSTRUCTIONS,
        parse_schema({"type": "bounding_boxes", "labels": list(LABELS), "gold_iou": 0.5}),
        3, Money(12, "USD"), 900, quality=QualityTerms(gold_rate=0.1, gold_min_accuracy=0.5))
    rows = [{"data": {"image": p.name}, "gold": p.boxes} if n < GOLD_SCENES
            else {"data": {"image": p.name}} for n, p in enumerate(pictures)]

    def upload(project: Project) -> None:
        media.add_media(db, requester, project.id, [RawFile(p.name, p.png) for p in pictures],
                        images=kit.images, store=kit.store, limits=kit.limits, now=now)

    return _launch(db, requester, terms, rows, 250_00, policy, now, before_import=upload)
