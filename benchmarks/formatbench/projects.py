"""Small answered projects of every task type, made in process through the use cases, for
benchmarks/ls_roundtrip.py: images drawn here with Pillow, workers answering with some noise,
one gold task each."""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fairlabel.adapters.container import Container
from fairlabel.adapters.media.images import PillowImages
from fairlabel.bootstrap import bootstrap
from fairlabel.config import Settings
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.label_schema import parse_schema
from fairlabel.domain.money import Money
from fairlabel.domain.projects import ProjectTerms
from fairlabel.domain.quality import QualityTerms, default_method
from fairlabel.services import accounts, assignment, media, pay, projects
from fairlabel.services.ports.media import RawFile

Answer = Callable[[random.Random, dict[str, Any]], Any]
WORKERS = 3
TEXTS = ["Ada Lovelace wrote to Charles Babbage from London.",
         "🚀 Grace Hopper worked in New York and 𝔓aris.",
         "Nothing to see here."]


def _image(width: int, height: int, seed: int) -> bytes:
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    picture = Image.new("RGB", (width, height), (90, 90, 90))
    draw = ImageDraw.Draw(picture)
    draw.rectangle([width // 10, height // 5, width // 2, height * 3 // 5], fill=(200, 30, 30))
    draw.ellipse([width * 3 // 5, height // 10, width * 4 // 5, height // 2],
                 fill=(rnd.randrange(256), 200, 40))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _boxes(rnd: random.Random, data: dict[str, Any]) -> Any:
    jitter = rnd.uniform(-0.01, 0.01)
    return [{"label": "car", "x": 0.1 + jitter, "y": 0.2, "width": 0.4, "height": 0.4},
            {"label": "person", "x": 0.6, "y": 0.1, "width": 0.2, "height": 0.4 + jitter}]


def _spans(rnd: random.Random, data: dict[str, Any]) -> Any:
    text, found = data["text"], []
    for name, label in (("Ada Lovelace", "PER"), ("Charles Babbage", "PER"),
                        ("Grace Hopper", "PER"), ("London", "LOC"), ("New York", "LOC"),
                        ("𝔓aris", "LOC")):
        if name in text and rnd.random() > 0.1:
            found.append({"start": text.index(name), "end": text.index(name) + len(name),
                          "label": label})
    return found


def _order(rnd: random.Random, data: dict[str, Any]) -> Any:
    order = list(range(len(data["responses"])))
    if rnd.random() < 0.3:
        order[0], order[1] = order[1], order[0]
    return {"order": order, "rationale": "the first is precise"} if rnd.random() < 0.5 else {
        "order": order}


KINDS: dict[str, tuple[dict[str, Any], list[dict[str, Any]], Answer]] = {
    "bounding_boxes": ({"type": "bounding_boxes", "labels": ["car", "person"]},
                       [{"image": f"street-{i}.png"} for i in range(3)], _boxes),
    "spans": ({"type": "spans", "labels": ["PER", "LOC"]}, [{"text": t} for t in TEXTS],
              _spans),
    "ranking": ({"type": "ranking"}, [{"prompt": f"Question {i}", "responses": [
        "a precise answer", "a vague answer", "a wrong answer"][: 2 + i % 2]} for i in range(3)],
        _order),
    "single_choice": ({"type": "single_choice", "choices": ["street", "field"]},
                      [{"image": f"street-{i}.png", "caption": f"photo {i}"} for i in range(3)],
                      lambda rnd, d: rnd.choice(["street", "street", "field"])),
    "multi_choice": ({"type": "multi_choice", "choices": ["red", "green", "blue"]},
                     [{"text": f"colours {i}"} for i in range(3)],
                     lambda rnd, d: [c for c in ("red", "green", "blue") if rnd.random() < .5]),
    "rating": ({"type": "rating", "min": 1, "max": 5}, [{"text": f"review {i}"}
                                                         for i in range(3)],
               lambda rnd, d: rnd.randint(3, 5)),
    "rating_from_0": ({"type": "rating", "min": 0, "max": 3}, [{"text": f"answer {i}"}
                                                                for i in range(3)],
                      lambda rnd, d: rnd.randint(0, 3)),
    "free_text": ({"type": "free_text", "max_length": 200}, [{"text": f"say {i}"}
                                                             for i in range(3)],
                  lambda rnd, d: rnd.choice(["hello", "hi"])),
    "pairwise": ({"type": "pairwise"}, [{"prompt": f"Q{i}", "response_a": "short",
                                         "response_b": "long"} for i in range(3)],
                 lambda rnd, d: {"choice": rnd.choice("ab"), "rationale": "clearer"}),
}


def container_at(run_dir: Path) -> Container:
    return bootstrap(Settings(database_url=f"sqlite:///{run_dir / 'roundtrip.db'}",
                              media_dir=str(run_dir / "media"), sweep_seconds=0,
                              consensus_process=False), upgrade_schema=True)


def people(container: Container) -> tuple[User, list[User]]:
    now = container.clock()
    admin = accounts.add_user(container.db, email="admin@rt.example", password="rt-password",
                              role=Role.ADMIN, now=now)
    requester = accounts.add_user(container.db, email="requester@rt.example",
                                  password="rt-password", role=Role.REQUESTER, now=now)
    pay.deposit(container.db, admin, requester_email=requester.email,
                amount=Money(10**8, "USD"), policy=container.charter, now=now)
    workers = [accounts.add_user(container.db, email=f"worker{i}@rt.example",
                                 password="rt-password", role=Role.WORKER, now=now)
               for i in range(WORKERS)]
    return requester, workers


def answered_project(container: Container, requester: User, workers: list[User],
                     kind: str, seed: int = 0) -> int:
    """A launched project of ``kind`` whose tasks every worker answered, and one gold task."""
    raw, rows, answer = KINDS[kind]
    schema = parse_schema(raw)
    now = container.clock()
    project = projects.create_project(container.db, requester, ProjectTerms(
        kind, "Label it.", schema, WORKERS, Money(5, "USD"), 600,
        quality=QualityTerms(consensus_method=default_method(schema))),
        policy=container.charter, now=now)
    if any("image" in row for row in rows):
        media.add_media(container.db, requester, project.id,
                        [RawFile(f"street-{i}.png", _image(320 + 40 * i, 200, i))
                         for i in range(3)], images=PillowImages(),
                        store=container.media_store, limits=container.media_limits, now=now)
    rnd = random.Random(seed)
    gold = {"data": rows[0], "gold": answer(random.Random(-1), rows[0])}
    projects.import_tasks(container.db, requester, project.id, [*rows, gold], max_rows=100,
                          now=now)
    pay.fund_project(container.db, requester, project.id, Money(10**6, "USD"), now=now)
    projects.launch_project(container.db, requester, project.id, now=now,
                            policy=container.charter)
    for worker in workers:
        for _ in range(len(rows) + 1):
            lease = assignment.request_next(container.db, worker, project.id, now=now,
                                            policy=container.charter, rng=rnd)
            if lease is None:
                break
            assignment.submit_answer(container.db, worker, lease.assignment_id,
                                     answer(rnd, lease.data), idempotency_key=None, now=now,
                                     policy=container.charter)
    return project.id
