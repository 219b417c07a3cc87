"""Every page of every role, in one list: the screenshots (``python -m tools.screenshots``)
and the accessibility test (``tests/e2e/test_accessibility.py``) both go through it.

A page added to ``adapters/web/pages/`` belongs here too, under each role that sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fairlabel.demo import seed as demo
from tools.screenshots.site import WORKER, DemoSite

WIDTHS = (1280, 390)
"""A laptop, and a phone (the narrowest we design for is 360 px)."""

LANGUAGES = {"en": ("en-GB", "Africa/Nairobi"), "fr": ("fr-FR", "Indian/Antananarivo")}
"""The browser's language (its Accept-Language) and time zone, by the page's language."""

ROLES: dict[str, str | None] = {
    "visitor": None,
    "worker": WORKER,
    "requester": demo.REQUESTER,
    "moderator": demo.MODERATOR,
    "operator": demo.OPERATOR,
}
"""Who looks, and the demo account they sign in with (visitors are not signed in)."""

PASSWORD = demo.PASSWORD
TASK_TYPES = ("single_choice", "multi_choice", "rating", "free_text", "pairwise", "ranking",
              "spans", "bounding_boxes")


@dataclass(frozen=True)
class Page:
    role: str
    path: str
    name: str
    """Short, and unique within the role: file names are ``{role}-{name}-{lang}-{width}``."""
    status: int = 200

    @property
    def key(self) -> str:
        return f"{self.role}-{self.name}"


def pages(site: DemoSite) -> list[Page]:
    """Every page, in menu order within each role."""
    ids = site.projects
    visitor = [
        Page("visitor", "/login", "login"),
        Page("visitor", "/signup", "signup"),
        Page("visitor", "/public/requesters", "public-requesters"),
        Page("visitor", f"/public/requesters/{site.requester_id}", "public-record"),
        Page("visitor", "/public/algorithms", "public-algorithms"),
        Page("visitor", "/no-such-page", "error-not-found", status=404),
    ]
    worker = [
        Page("worker", "/worker", "work"),
        *(Page("worker", f"/worker/projects/{ids[kind]}", f"label-{kind.replace('_', '-')}")
          for kind in TASK_TYPES),
        Page("worker", f"/worker/projects/{ids['paused']}", "project-paused"),
        Page("worker", f"/worker/projects/{ids['ended']}", "project-ended"),
        Page("worker", "/worker/earnings", "earnings"),
        Page("worker", "/worker/decisions", "decisions"),
        Page("worker", "/inbox", "inbox"),
        Page("worker", "/account", "account"),
        Page("worker", "/worker/projects/2147483000", "error-no-project", status=404),
    ]
    requester = [
        Page("requester", "/requester", "projects"),
        Page("requester", "/requester/projects/new", "project-new"),
        Page("requester", f"/requester/projects/{ids['single_choice']}", "project-open"),
        Page("requester", f"/requester/projects/{ids['boxes']}", "project-images"),
        Page("requester", f"/requester/projects/{ids['free_text']}", "project-reviewed"),
        Page("requester", f"/requester/projects/{ids['ended']}", "project-ended"),
        Page("requester", f"/requester/projects/{ids['draft']}", "project-draft"),
        Page("requester", "/inbox", "inbox"),
        Page("requester", "/account", "account"),
    ]
    moderator = [
        Page("moderator", "/moderation", "moderation"),
        Page("moderator", "/inbox", "inbox"),
        Page("moderator", "/account", "account"),
    ]
    operator = [
        Page("operator", "/operator", "funds"),
        Page("operator", "/operator/payouts", "payouts"),
        Page("operator", "/requester", "projects"),
        Page("operator", "/moderation", "moderation"),
        Page("operator", "/inbox", "inbox"),
        Page("operator", "/account", "account"),
    ]
    return [*visitor, *worker, *requester, *moderator, *operator]
