"""A demo site to look at every page: the demo's accounts and projects (what
``fairlabel demo`` seeds, street-scene images included), plus what the demo lacks for that —
a project of each remaining task type, a paused project the worker worked on, a draft, an
answer rejected and under appeal, and a testimony waiting for a moderator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from fairlabel.adapters.container import Container
from fairlabel.adapters.media.images import PillowImages
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.demo import seed as demo
from fairlabel.demo.structured import DemoMedia
from fairlabel.domain.accounts import User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.services import accounts, appeals, assignment, ending, pay, projects, review, voice

WORKER = demo.WORKERS[0]  # ada, whose pages are shown


@dataclass(frozen=True)
class DemoSite:
    """Where the site's database is, and the ids its page addresses need."""

    database_url: str
    requester_id: int
    projects: dict[str, int]
    """Project ids by what they show: each task type (``single_choice``, ``pairwise``…),
    ``ended``, ``paused``, ``draft``, and ``boxes`` for the requester's image upload."""


EXTRA: dict[str, tuple[str, dict[str, Any], list[dict[str, Any]]]] = {
    "multi_choice": ("Animals in photo captions", {
        "type": "multi_choice", "choices": ["cat", "dog", "bird", "horse"]}, [
        {"text": "A dog chases two pigeons across the square."},
        {"text": "The cat sleeps on the windowsill while a sparrow watches."},
        {"text": "Riders lead their horses past the farm dogs."},
        {"text": "An empty beach at dawn."},
        {"text": "A parrot on the shoulder of a man walking his dog."}]),
    "rating": ("How helpful is the answer?", {"type": "rating", "min": 1, "max": 5}, [
        {"question": "How do I boil an egg?",
         "answer": "Put it in boiling water for 7 to 9 minutes, then in cold water."},
        {"question": "What is the capital of Madagascar?", "answer": "Antananarivo."},
        {"question": "Why is the sky blue?", "answer": "Because it reflects the sea."},
        {"question": "How many legs has a spider?", "answer": "Eight."},
        {"question": "Translate 'thank you' into French.", "answer": "Merci."}]),
    "free_text": ("One-line summaries of support e-mails", {
        "type": "free_text", "max_length": 280}, [
        {"text": "Hello, I ordered a blue kettle on the 3rd and received a red one. Can you "
                 "send the blue one and tell me how to return the red? Thanks, Mia"},
        {"text": "My invoice 2041 shows the delivery fee twice. Please refund one of them."},
        {"text": "The app logs me out every time I switch to another app on my phone."},
        {"text": "Could you deliver on Saturday instead of Friday? I am away on Friday."},
        {"text": "Your courier left the parcel in the rain. The book inside is ruined."},
        {"text": "I forgot my password and the reset e-mail never arrives."}]),
    "ranking": ("Rank the answers about photosynthesis", {"type": "ranking"}, [
        {"prompt": "Explain photosynthesis in one or two sentences.",
         "responses": ["Plants eat soil.",
                       "Light, water and CO2 become sugar and oxygen.",
                       "Chlorophyll captures light to split water and fix carbon into sugar."]},
        {"prompt": "Why do leaves turn yellow in autumn?",
         "responses": ["Because they are cold.",
                       "Chlorophyll breaks down and the yellow pigments show.",
                       "Trees stop making chlorophyll as days shorten; carotenoids remain."]}]),
    "paused": ("Street names in old letters", {
        "type": "single_choice", "choices": ["a street", "a person", "neither"]}, [
        {"text": f"…and we met again on Rue {name}, as every Sunday."}
        for name in ("Pasteur", "Victor Hugo", "Gambetta", "Jean Jaurès", "Voltaire")]),
}
INSTRUCTIONS = ("Read each item and answer as the question asks. There is no trick; take the "
                "time you need.")


def build(directory: Path) -> DemoSite:
    """Seed a new SQLite database in ``directory`` (its images in ``directory/media``)."""
    url = f"sqlite:///{directory / 'demo.db'}"
    container = bootstrap(Settings(database_url=url), upgrade_schema=True)
    try:
        now = container.clock()
        pictures = DemoMedia(PillowImages(), container.media_store, container.media_limits)
        demo.seed(container.db, container.charter, now=now, pictures=pictures)
        requester = _user(container, demo.REQUESTER)
        worker = _user(container, WORKER)
        ids = _demo_projects(container, requester)
        start = now - timedelta(hours=3)  # launched, answered, then paused and reviewed
        for kind, (name, schema, rows) in EXTRA.items():
            ids[kind] = _launch(container, requester, name, schema, rows, start)
        _answer(container, worker, ids["paused"], "a street", count=1, start=start)
        ending.pause_project(container.db, requester, ids["paused"],
                             now=start + timedelta(hours=1))
        _appeal_a_rejection(container, requester, worker, ids["free_text"], start)
        ids["draft"] = projects.create_project(
            container.db, requester, _terms("Bird songs (draft)", {
                "type": "single_choice", "choices": ["blackbird", "robin", "wren"]}),
            policy=container.charter, now=now).id
        return DemoSite(url, requester.id, ids)
    finally:
        container.close()


def _user(container: Container, email: str) -> User:
    found = accounts.find_user(container.db, email)
    if found is None:
        raise RuntimeError(f"the demo has no account {email}")
    return found


def _demo_projects(container: Container, requester: User) -> dict[str, int]:
    """The demo's projects by what they show."""
    ids: dict[str, int] = {}
    for view in projects.list_projects(container.db, requester, container.charter):
        project = view.project
        kind = project.terms.schema.type
        if project.status.value == "ended":
            ids.setdefault("ended", project.id)
        elif project.terms.name.startswith("Customer review"):
            ids["single_choice"] = project.id
        elif kind != "single_choice":
            ids.setdefault(kind, project.id)
    missing = {"ended", "single_choice", "pairwise", "spans", "bounding_boxes"} - set(ids)
    if missing:
        raise RuntimeError(f"the demo data lacks the projects {sorted(missing)}")
    ids["boxes"] = ids["bounding_boxes"]
    return ids


def _terms(name: str, schema: dict[str, Any]) -> ProjectTerms:
    return ProjectTerms(name, INSTRUCTIONS, parse_schema(schema), 3, Money(8, "USD"), 900)


def _launch(container: Container, requester: User, name: str, schema: dict[str, Any],
            rows: list[dict[str, Any]], now: datetime) -> int:
    project = projects.create_project(container.db, requester, _terms(name, schema),
                                      policy=container.charter, now=now)
    projects.import_tasks(container.db, requester, project.id, rows, max_rows=len(rows),
                          now=now)
    pay.fund_project(container.db, requester, project.id, Money(20_00, "USD"), now=now)
    projects.launch_project(container.db, requester, project.id, now=now,
                            policy=container.charter)
    return project.id


def _answer(container: Container, worker: User, project_id: int, answer: Any, *, count: int,
            start: datetime) -> list[int]:
    """The worker answers ``count`` tasks from ``start`` on, a minute each; the assignments'
    ids."""
    done = []
    for number in range(count):
        at = start + timedelta(minutes=5 + 2 * number)
        lease = assignment.request_next(container.db, worker, project_id, now=at,
                                        policy=container.charter)
        if lease is None:
            raise RuntimeError(f"project {project_id} has no task left for {worker.email}")
        assignment.submit_answer(container.db, worker, lease.assignment_id, answer,
                                 idempotency_key=None, now=at + timedelta(minutes=1),
                                 policy=container.charter)
        done.append(lease.assignment_id)
    return done


def _appeal_a_rejection(container: Container, requester: User, worker: User, project_id: int,
                        start: datetime) -> None:
    """Three answers; the requester rejects one, the worker appeals it and testifies."""
    answered = _answer(container, worker, project_id, "The customer asks about their order.",
                       count=3, start=start)
    now = start + timedelta(hours=2)
    decision = review.review_answer(
        container.db, requester, answered[0], approve=False, withhold_pay=False,
        reason="Too vague: the summary must say what went wrong (wrong colour) and what "
               "the customer wants (the blue kettle, and how to return the red one).",
        policy=container.charter, now=now)
    appeals.appeal(container.db, worker, decision.id, policy=container.charter, now=now,
                   message="The instructions ask for one line; I kept it short on purpose.")
    voice.testify(container.db, worker, project_id, now=now,
                  text="Clear instructions and quick reviews, but the first rejection "
                       "came without an example of a good summary.")
