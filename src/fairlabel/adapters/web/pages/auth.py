"""Sign in, sign out, worker sign-up, and the front door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.i18n import formats
from fairlabel.adapters.i18n.catalogs import LANGUAGES
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.i18n.formats import say
from fairlabel.adapters.web.deps import (
    ContainerDep,
    NowDep,
    session_user,
    sign_in_session,
    sign_out_session,
)
from fairlabel.adapters.web.pages.common import check_form, home_for, redirect
from fairlabel.adapters.web.rate_limit import AuthLimiter
from fairlabel.adapters.web.reader import use_reader
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.accounts import legacy_normalize_email, normalize_email
from fairlabel.domain.errors import DomainError, InvalidInput
from fairlabel.services import accounts, preferences

router = APIRouter()


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


def _account_key(email: str) -> str:
    """Every spelling of an address counts against the same allowance."""
    try:
        return normalize_email(email)
    except InvalidInput:
        return legacy_normalize_email(email)[:320]


def _keys(request: Request, action: str, email: str) -> list[tuple[str, str]]:
    address = request.client.host if request.client else "unknown"
    return [(f"{action} account", _account_key(email)), (f"{action} address", address)]


def _limiter(request: Request) -> AuthLimiter:
    limiter: AuthLimiter = request.app.state.auth_limiter
    return limiter


def _too_many(request: Request, template: str, wait: int, context: dict[str, str]) -> Response:
    use_reader(request, None)
    if template == "login.html":
        text = _("Too many sign-in attempts from here or for this e-mail address: try again "
                 "in {seconds} seconds.")
    else:
        text = _("Too many sign-up attempts from here or for this e-mail address: try again "
                 "in {seconds} seconds.")
    response = render(request, template, {
        **context, "error": text.format(seconds=formats.number(wait))}, status_code=429)
    response.headers["Retry-After"] = str(wait)
    return response


@router.get("/")
def front(request: Request, container: ContainerDep) -> Response:
    user = session_user(request, container)
    return redirect(home_for(user) if user else "/login")


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _safe_next(next) or ""})


@router.post("/login")
def login(request: Request, container: ContainerDep,
          email: Annotated[str, Form()], password: Annotated[str, Form()],
          csrf_token: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    check_form(request, csrf_token)
    context = {"email": email, "next": _safe_next(next) or ""}
    keys = _keys(request, "sign-in", email)
    wait = _limiter(request).wait(keys)
    if wait:
        return _too_many(request, "login.html", wait, context)
    try:
        user = accounts.authenticate(container.db, email=email, password=password)
    except DomainError as error:
        _limiter(request).spend(keys)  # failures count; a right password costs nothing
        use_reader(request, None)
        return render(request, "login.html", {"error": say(error.msg), **context},
                      status_code=400)
    sign_in_session(request, container, user)
    return redirect(_safe_next(next) or home_for(user))


@router.post("/logout")
def logout(request: Request, container: ContainerDep,
           csrf_token: Annotated[str, Form()]) -> Response:
    check_form(request, csrf_token)
    sign_out_session(request, container)
    return redirect("/login")


@router.get("/signup")
def signup_form(request: Request) -> Response:
    return render(request, "signup.html")


@router.post("/signup")
def signup(request: Request, container: ContainerDep, now: NowDep,
           email: Annotated[str, Form()], password: Annotated[str, Form()],
           csrf_token: Annotated[str, Form()]) -> Response:
    check_form(request, csrf_token)
    keys = _keys(request, "sign-up", email)
    wait = _limiter(request).wait(keys)
    if wait:
        return _too_many(request, "signup.html", wait, {"email": email})
    _limiter(request).spend(keys)  # every attempt counts, successful or not
    try:
        user = accounts.sign_up_worker(container.db, email=email, password=password, now=now)
    except DomainError as error:
        # An address with an account and one that only looks like it get the same answer
        # (accounts.EMAIL_UNAVAILABLE), so sign-up does not tell who has an account.
        use_reader(request, None)
        return render(request, "signup.html", {"error": say(error.msg), "email": email},
                      status_code=400)
    # The account keeps the language the visitor was reading in (the language menu, else
    # the browser's); the time zone keeps following the browser.
    reader = use_reader(request, None)
    preferences.set_preferences(container.db, user, language=reader.language, time_zone=None,
                                languages=LANGUAGES)
    sign_in_session(request, container, user)
    return redirect("/worker")
