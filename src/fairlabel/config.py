"""Settings, read from ``FAIRLABEL_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting an operator can change. Each is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="FAIRLABEL_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///fairlabel.db",
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql://user@host/db.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs session cookies. Unset: one is generated and kept in the "
        "database, so that several app servers share it.",
    )
    default_lease_seconds: int = Field(
        default=900, description="How long a worker holds a task before it returns to the pool."
    )
    import_max_bytes: int = Field(
        default=50 * 1024 * 1024, description="Largest task file accepted by an import."
    )
    import_max_rows: int = Field(default=200_000, description="Most tasks in one import.")
    lease_sweep_seconds: float = Field(
        default=15.0,
        description="How often each app server returns expired leases to the pool (0: never).",
    )
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set behind HTTPS)."
    )
    db_pool_size: int = Field(default=20, description="Database connections per app process.")
