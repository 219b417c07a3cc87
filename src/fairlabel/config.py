"""Settings, read from ``FAIRLABEL_*`` environment variables."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from fairlabel.domain import charter, media


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
    body_max_bytes: int = Field(
        default=1024 * 1024, ge=0, description="Largest request body accepted, except task "
        "imports (FAIRLABEL_IMPORT_MAX_BYTES); counted while it streams.")
    import_max_rows: int = Field(default=200_000, description="Most tasks in one import.")
    sweep_seconds: float = Field(
        default=15.0,
        description="Period of the periodic jobs: at the start of each, one of the app "
        "servers sharing the database claims and runs them (0: this server never does).",
    )
    measure_seconds: float = Field(
        default=60.0, description="Period of the periodic jobs that read every answer "
        "(measurement and top-ups, the rules that propose blocks, consensus refits).")
    consensus_process: bool = Field(
        default=True, description="Refit consensus in a separate worker process (numpy and "
        "scipy stay out of the app server, and a long fit never holds up requests).")
    refit_writers: int = Field(
        default=2, ge=1, le=16, description="PostgreSQL: how many transactions a refit in "
        "the worker process writes the consensus in at once, each on a connection of its own "
        "(SQLite: always one).")
    floors: dict[str, int] = Field(
        default=dict(charter.FLOORS),
        description="Hourly pay floor per currency, in minor units per hour.",
    )
    country_floors: dict[str, dict[str, int]] = Field(
        default={}, description='Per-country floors, e.g. {"DE": {"EUR": 1400}}.'
    )
    min_answers_for_rate: int = Field(
        default=charter.MIN_ANSWERS_FOR_RATE,
        description="Answers needed before a project's hourly rate is measured."
    )
    continuation_threshold: float | None = Field(
        default=None, description="Similarity above which a new project continues an earlier "
        "one (unset: the evaluated default of the continuation guard).")
    min_notice_days: int = Field(
        default=charter.MIN_NOTICE_DAYS,
        description="The shortest notice period a project may state.")
    review_window_hours: float = Field(
        default=charter.REVIEW_WINDOW_HOURS,
        description="Unreviewed answers are approved when this window ends."
    )
    price_cut_notice_days: float = Field(
        default=charter.PRICE_CUT_NOTICE_DAYS,
        description="Notice before a lower price per task takes effect."
    )
    appeal_deadline_days: float = Field(
        default=charter.APPEAL_DEADLINE_DAYS,
        description="Appeals no moderator decided within this many days are "
        "overturned in the worker's favour.")
    sepa_debtor_name: str | None = Field(
        default=None, description="Account holder that SEPA payout files pay from.")
    sepa_debtor_iban: str | None = Field(default=None, description="IBAN paying out.")
    sepa_debtor_bic: str | None = Field(default=None, description="BIC of that account.")
    payout_thresholds: dict[str, int] = Field(
        default=dict(charter.PAYOUT_THRESHOLDS),
        description="Smallest available balance paid out, per currency, in minor units.",
    )
    image_hosts: list[str] = Field(
        default=[], description="Hosts whose HTTPS images task pages may show (e.g. "
        "[\"images.example.org\"]); none by default, so that a task cannot make workers' "
        "browsers contact any address on the internet."
    )
    media_dir: str | None = Field(
        default=None, description="Directory where uploaded images are kept, each content once "
        "(unset: a 'media' folder beside a SQLite database file; required with PostgreSQL, "
        "and shared by every app server).")
    media_max_bytes: int = Field(
        default=media.MAX_BYTES, ge=1, description="Largest image file accepted (and largest "
        "member of an uploaded zip), in bytes.")
    media_max_pixels: int = Field(
        default=media.MAX_PIXELS, ge=1, description="Most pixels (width × height) of an "
        "accepted image: a decompression bomb is refused before it is decoded.")
    media_max_files: int = Field(
        default=media.MAX_FILES, ge=1, description="Most images in one upload, the members of "
        "its zips included.")
    media_upload_max_bytes: int = Field(
        default=media.MAX_UPLOAD_BYTES, ge=1, description="Largest media upload body (and the "
        "most a zip in it may unpack to), in bytes; counted while it streams.")
    secure_cookies: bool = Field(
        default=False, description="Mark session cookies Secure on every response (they are "
        "anyway on requests that arrived over HTTPS)."
    )
    db_pool_size: int = Field(default=20, description="Database connections per app process.")
    loop_concurrency: int = Field(
        default=4, ge=1, le=64, description="PostgreSQL: how many of the labeling loop's use "
        "cases (next, submit) a server process runs at once, on its event loop, each "
        "awaiting its statements while the others go on; further requests wait their turn.")
    lease_slots: int = Field(
        default=8, ge=1, le=64, description="PostgreSQL: how many leases of one project may "
        "be in flight at once without the project's exclusive escrow lock, each checking "
        "that the free escrow covers the notice pay and this many leases at their largest "
        "(domain.holds.lease_needs_no_lock); beyond that, or near the end of the escrow, "
        "leases take the lock one at a time.")
    switch_interval_ms: float = Field(
        default=0.5, gt=0, le=100, description="How often a server's Python interpreter lets "
        "another thread run, in milliseconds (Python's default is 5): short, so that a large "
        "import parsed in a thread does not hold up the event loop's requests.")
    sqlite_checkpoint_seconds: float = Field(
        default=0.25, ge=0, description="SQLite: how often a server copies the write-ahead log "
        "into the database file, in a thread of its own (0: SQLite does it in the request "
        "whose commit fills the log).")
    token_cache_seconds: float = Field(
        default=10.0, description="How long a server trusts an API token it checked (0: never)."
    )
    sign_in_per_account: int = Field(
        default=10, ge=1, description="Failed sign-ins (and sign-up attempts) allowed per "
        "e-mail address in FAIRLABEL_AUTH_WINDOW_SECONDS, per server process.")
    sign_in_per_address: int = Field(
        default=30, ge=1, description="Failed sign-ins allowed per client address in "
        "FAIRLABEL_AUTH_WINDOW_SECONDS, per server process.")
    auth_window_seconds: float = Field(
        default=300.0, gt=0, description="The window of the sign-in limits: the allowance "
        "refills evenly over it.")
    sign_up_per_address: int = Field(
        default=5, ge=1, description="Sign-up attempts allowed per client address in "
        "FAIRLABEL_SIGN_UP_WINDOW_SECONDS, per server process.")
    sign_up_window_seconds: float = Field(
        default=3600.0, gt=0, description="The window of the sign-up limit.")
