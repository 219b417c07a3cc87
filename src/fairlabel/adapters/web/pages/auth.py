"""Sign in, sign out, worker sign-up, and the front door."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep, NowDep, session_user
from fairlabel.adapters.web.pages.common import check_form, home_for, redirect
from fairlabel.adapters.web.rendering import render
from fairlabel.domain.errors import DomainError
from fairlabel.services import accounts

router = APIRouter()


def _safe_next(target: str | None) -> str | None:
    return target if target and target.startswith("/") and not target.startswith("//") else None


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
    try:
        user = accounts.authenticate(container.db, email=email, password=password)
    except DomainError as error:
        return render(request, "login.html", {"error": error.message, "email": email,
                                               "next": _safe_next(next) or ""}, status_code=400)
    request.session.clear()
    request.session["user_id"] = user.id
    return redirect(_safe_next(next) or home_for(user))


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()]) -> Response:
    check_form(request, csrf_token)
    request.session.clear()
    return redirect("/login")


@router.get("/signup")
def signup_form(request: Request) -> Response:
    return render(request, "signup.html")


@router.post("/signup")
def signup(request: Request, container: ContainerDep, now: NowDep,
           email: Annotated[str, Form()], password: Annotated[str, Form()],
           csrf_token: Annotated[str, Form()]) -> Response:
    check_form(request, csrf_token)
    try:
        user = accounts.sign_up_worker(container.db, email=email, password=password, now=now)
    except DomainError as error:
        return render(request, "signup.html", {"error": error.message, "email": email},
                      status_code=400)
    request.session.clear()
    request.session["user_id"] = user.id
    return redirect("/worker")
