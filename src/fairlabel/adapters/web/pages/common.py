"""What every page route needs: the signed-in user, form CSRF checks, redirects, and a
form's use case run with what happened flashed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import quote

from fastapi import FastAPI, Request, status
from fastapi.responses import RedirectResponse, Response

from fairlabel.adapters.container import Container
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.i18n.formats import say
from fairlabel.adapters.web.deps import check_csrf, session_user
from fairlabel.adapters.web.reader import use_reader
from fairlabel.domain.accounts import Role, User
from fairlabel.domain.errors import DomainError


class RedirectTo(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def page_user(request: Request, *roles: Role) -> User:
    """The signed-in user, or a redirect to the sign-in page (or their home, wrong role)."""
    container: Container = request.app.state.container
    user = session_user(request, container)
    if user is None:
        raise RedirectTo(f"/login?next={quote(request.url.path)}")
    if roles and user.role not in roles:
        raise RedirectTo(home_for(user))
    use_reader(request, user)
    return user


def home_for(user: User) -> str:
    if user.role is Role.WORKER:
        return "/worker"
    if user.role is Role.ADMIN:
        return "/operator"
    return "/moderation" if user.role is Role.MODERATOR else "/requester"


def check_form(request: Request, token: str | None) -> None:
    check_csrf(request, token)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    # Reassign rather than append in place, so that the session knows it changed.
    request.session["flash"] = [*request.session.get("flash", []),
                                {"kind": kind, "message": message}]


def act_on_form(request: Request, back: str, csrf_token: str | None, refused: str,
                roles: Sequence[Role], action: Callable[[User], str]) -> Response:
    """Run a form's use case for the signed-in user (of one of ``roles``): flash what
    ``action`` says happened, or ``refused`` and why; then go back to ``back``."""
    user = page_user(request, *roles)
    check_form(request, csrf_token)
    try:
        flash(request, action(user))
    except DomainError as error:
        # ``refused`` may come marked with N_() (translated here, once the reader is known)
        # or already translated: gettext leaves a translated text as it is.
        flash(request, _("{refused}: {reason}").format(refused=_(refused),
                                                       reason=say(error.msg)), "error")
    return redirect(back)


def take_flashes(request: Request) -> list[dict[str, str]]:
    messages: list[dict[str, str]] = request.session.pop("flash", [])
    return messages


def install(app: FastAPI) -> None:
    @app.exception_handler(RedirectTo)
    async def _redirect(_request: Request, signal: RedirectTo) -> Response:
        return redirect(signal.url)
