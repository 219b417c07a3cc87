"""Pure account rules: e-mail normalisation and look-alikes, token lifetimes, rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fairlabel.domain.accounts import (
    ApiToken,
    check_new_email,
    email_skeleton,
    normalize_email,
    token_expiry,
)
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.rate_limits import Limit, is_full, take, wait_for

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "normal"), [
    ("  Ann@Example.ORG ", "ann@example.org"),
    ("ｗ01@x.org", "w01@x.org"),           # fullwidth
    ("STRASSE@x.org", "strasse@x.org"),
    ("Straße@x.org", "strasse@x.org"),     # case folding, not lower-casing
    ("ﬁn@x.org", "fin@x.org"),             # ligature
])
def test_addresses_are_nfkc_and_case_folded(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad",
                                    "\u202e", "\x07"])
def test_invisible_and_control_characters_are_refused(hidden: str) -> None:
    with pytest.raises(InvalidInput, match="invisible"):
        normalize_email(f"ann{hidden}@example.org")


def test_mixed_scripts_are_refused_in_one_part_only() -> None:
    with pytest.raises(InvalidInput, match="Cyrillic, Latin"):
        check_new_email(normalize_email("p\u0430ypal@example.org"))
    check_new_email(normalize_email("иван@mail.ru"))         # Cyrillic name, Latin domain
    check_new_email(normalize_email("やまだ太郎@example.jp"))  # Japanese scripts together
    check_new_email(normalize_email("ann.2+tag@example.org"))


def test_the_skeleton_of_a_cyrillic_look_alike_is_the_latin_address() -> None:
    assert email_skeleton(normalize_email("\u0441\u043e\u0440@x.org")) == "cop@x.org"
    assert email_skeleton(normalize_email("w01@\u0445.org")) == "w01@x.org"
    assert email_skeleton(normalize_email("\u0461" "01@x.org")) == "w01@x.org"
    assert email_skeleton("иван@mail.ru") != email_skeleton("nbah@mail.ru")


def test_token_lifetimes() -> None:
    assert token_expiry(NOW, None) is None
    assert token_expiry(NOW, 2) == NOW + timedelta(days=2)
    for bad in (0, -1, 10_000):
        with pytest.raises(InvalidInput):
            token_expiry(NOW, bad)
    token = ApiToken(1, 1, "t", NOW, expires_at=NOW + timedelta(days=1))
    assert token.usable(NOW) and not token.usable(NOW + timedelta(days=1))
    assert not ApiToken(1, 1, "t", NOW, revoked_at=NOW).usable(NOW)
    assert token.needs_touch(NOW)
    used = ApiToken(1, 1, "t", NOW, last_used_at=NOW)
    assert not used.needs_touch(NOW + timedelta(seconds=59))
    assert used.needs_touch(NOW + timedelta(minutes=1))


def test_a_bucket_allows_its_capacity_then_says_how_long_to_wait() -> None:
    limit = Limit(capacity=10, window=300)
    bucket = None
    for _ in range(10):
        assert wait_for(bucket, limit, 0.0) == 0
        bucket = take(bucket, limit, 0.0)
    assert wait_for(bucket, limit, 0.0) == 30
    assert wait_for(bucket, limit, 29.0) == 1
    assert wait_for(bucket, limit, 30.0) == 0
    assert bucket is not None and not is_full(bucket, limit, 299.0)
    assert is_full(bucket, limit, 300.0)
    # Taking past empty does not push the wait further out.
    assert wait_for(take(bucket, limit, 0.0), limit, 0.0) == 30
