"""The account page: any signed-in user's API tokens, each with a revoke button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import Response

from fairlabel.adapters.web.deps import ContainerDep, NowDep
from fairlabel.adapters.web.pages.common import (
    check_form,
    flash,
    page_user,
    redirect,
    take_flashes,
)
from fairlabel.adapters.web.paths import Id
from fairlabel.adapters.web.rendering import render
from fairlabel.adapters.web.token_cache import TokenCache
from fairlabel.domain.errors import NotFound
from fairlabel.services import accounts

router = APIRouter()


@router.get("/account")
def account(request: Request, container: ContainerDep, now: NowDep) -> Response:
    user = page_user(request)
    return render(request, "account.html", {
        "user": user, "tokens": accounts.tokens_of(container.db, user.id), "now": now,
        "flashes": take_flashes(request)})


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
    cache: TokenCache = request.app.state.token_cache
    cache.drop(revoked)
    flash(request, f"Token {token_id} revoked." if revoked
          else f"Token {token_id} was already revoked.")
    return redirect("/account")
