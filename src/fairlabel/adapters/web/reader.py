"""Who reads this page: the account's language and time zone, else the ones chosen on the page
(the ``lang`` cookie, set by the language menu) or reported by the browser (the ``tz`` cookie,
set by a line of script from ``Intl``), else the Accept-Language header, else English in UTC."""

from __future__ import annotations

from urllib.parse import unquote

from fastapi import Request

from fairlabel.adapters.i18n.context import Reader, reader_for, set_reader
from fairlabel.domain.accounts import User

LANGUAGE_COOKIE = "lang"
TIME_ZONE_COOKIE = "tz"


def reader_of(request: Request, user: User | None) -> Reader:
    return reader_for(
        account_language=user.language if user is not None else None,
        account_time_zone=user.time_zone if user is not None else None,
        chosen_language=request.cookies.get(LANGUAGE_COOKIE),
        # The script writes the zone URL-encoded ("Africa%2FNairobi"): read it back decoded.
        browser_time_zone=unquote(request.cookies.get(TIME_ZONE_COOKIE) or "") or None,
        accept_language=request.headers.get("accept-language"))


def use_reader(request: Request, user: User | None) -> Reader:
    """Speak to this reader for the rest of the request (pages, flashes, error pages)."""
    reader = reader_of(request, user)
    request.state.reader = reader
    set_reader(reader)
    return reader
