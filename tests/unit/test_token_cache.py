from datetime import UTC, datetime

from fairlabel.adapters.web.token_cache import TokenCache
from fairlabel.domain.accounts import Role, User

USER = User(1, "a@example.org", Role.WORKER, "w_1", datetime(2026, 1, 1, tzinfo=UTC))


def test_a_token_is_trusted_only_for_its_time_to_live() -> None:
    now = [100.0]
    cache = TokenCache(ttl=10, clock=lambda: now[0])
    cache.put("k", USER)
    assert cache.get("k") == USER
    now[0] = 110.5
    assert cache.get("k") is None


def test_the_cache_forgets_the_oldest_tokens_beyond_its_size() -> None:
    cache = TokenCache(ttl=60, size=2)
    for key in ("a", "b", "c"):
        cache.put(key, USER)
    assert cache.get("a") is None and cache.get("c") == USER


def test_a_zero_time_to_live_never_trusts_a_cached_token() -> None:
    now = [5.0]
    cache = TokenCache(ttl=0, clock=lambda: now[0])
    cache.put("k", USER)
    now[0] = 5.000001
    assert cache.get("k") is None


def test_a_token_is_never_trusted_past_its_expiry_and_is_dropped_when_revoked() -> None:
    cache = TokenCache(ttl=60)
    expires = datetime(2026, 1, 2, tzinfo=UTC)
    cache.put("k", USER, expires_at=expires)
    assert cache.get("k", datetime(2026, 1, 1, 23, 59, tzinfo=UTC)) == USER
    assert cache.get("k", expires) is None
    cache.put("r", USER)
    cache.drop(["r", "unknown"])
    assert cache.get("r") is None
