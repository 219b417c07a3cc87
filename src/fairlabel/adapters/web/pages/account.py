"""The account page: how the pages speak to you (language, time zone), a requester's public
display name, and any signed-in user's API tokens, each with a revoke button."""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Annotated
from urllib.parse import unquote
from zoneinfo import available_timezones

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import Response

from fairlabel.adapters.i18n.catalogs import LANGUAGE_NAMES, LANGUAGES
from fairlabel.adapters.i18n.context import gettext as _
from fairlabel.adapters.i18n.context import time_zone
from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.pages.common import (
    act_on_form,
    check_form,
    flash,
    page_user,
    redirect,
    take_flashes,
)
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.reader import TIME_ZONE_COOKIE, use_reader
from fairlabel.adapters.web.rendering import render
from fairlabel.adapters.web.token_cache import TokenCache
from fairlabel.domain.accounts import DISPLAY_NAME_MAX, Role, User
from fairlabel.domain.errors import NotFound
from fairlabel.domain.messages import N_
from fairlabel.services import accounts, preferences

router = APIRouter()
NAMING = (Role.REQUESTER, Role.ADMIN)


@cache
def zones() -> list[tuple[str, list[str]]]:
    """Every IANA time zone (``Africa/Nairobi``), grouped by region, regions A to Z; the
    old aliases (``US/Eastern``, ``Etc/GMT+3``) and bare names (``UTC``, ``GMT``) under
    "Other"."""
    regions = {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia",
               "Europe", "Indian", "Pacific"}
    grouped: dict[str, list[str]] = defaultdict(list)
    for name in available_timezones():
        region = name.split("/", 1)[0]
        grouped[region if region in regions and "/" in name else ""].append(name)
    return [(region, sorted(names)) for region, names in sorted(grouped.items())
            if region] + [("", sorted(grouped[""]))]


@router.get("/account")
def account(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request)
    browser_zone = unquote(request.cookies.get(TIME_ZONE_COOKIE) or "")  # set by i18n.js
    return render(request, "account.html", {
        "user": user, "tokens": accounts.tokens_of(container.db, user.id), "now": now,
        "zones": zones(), "browser_zone": browser_zone if time_zone(browser_zone) else None,
        "page_languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "names_public": user.role in NAMING, "name_limit": DISPLAY_NAME_MAX,
        "flashes": take_flashes(request)})


@router.post("/account/preferences")
def save_preferences(request: Request, container: ContainerDep,
                     csrf_token: Annotated[str, Form()],
                     language: Annotated[str, Form(max_length=16)] = "",
                     time_zone_name: Annotated[str, Form(alias="time_zone",
                                                         max_length=64)] = "") -> Response:
    def action(user: User) -> str:
        saved = preferences.set_preferences(container.db, user, language=language,
                                            time_zone=time_zone_name, languages=LANGUAGES)
        use_reader(request, saved)  # say it in the language just chosen
        return _("Saved: the pages now follow your choices.")
    return act_on_form(request, "/account", csrf_token, N_("Not saved"), (), action)


@router.post("/account/display-name")
def save_display_name(request: Request, container: ContainerDep,
                      csrf_token: Annotated[str, Form()],
                      display_name: Annotated[str, Form(max_length=200)] = "") -> Response:
    def action(user: User) -> str:
        chosen = preferences.set_display_name(container.db, user, display_name)
        if chosen is None:
            return _("Your pseudonym is shown again on the public record.")
        return _("The public record now shows you as “{name}”.").format(name=chosen)
    return act_on_form(request, "/account#display-name", csrf_token, N_("Name not saved"),
                       NAMING, action)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, container: ContainerDep, now: NowDep, token_id: Id,
                 csrf_token: Annotated[str, Form()]) -> Response:
    user = page_user(request)
    check_form(request, csrf_token)
    try:
        revoked = accounts.revoke_token(container.db, token_id, now=now, user_id=user.id)
    except NotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, error.message) from None
    # This server forgets it at once; others within FAIRLABEL_TOKEN_CACHE_SECONDS.
    cache_: TokenCache = request.app.state.token_cache
    cache_.drop(revoked)
    flash(request, _("Token {id} revoked.").format(id=token_id) if revoked
          else _("Token {id} was already revoked.").format(id=token_id))
    return redirect("/account")
