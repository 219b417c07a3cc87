"""Path parameters shared by the API routes and the pages: ids, bounded by what the row's
id column can hold on both databases, so that one out of range is 422 before any route reads
it (a larger one would overflow the database's integer and fail as a server error)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

MAX_ID = 2**31 - 1
"""The largest id of most tables (PostgreSQL ``integer``)."""
MAX_BIG_ID = 2**63 - 1
"""The largest id of the tables that grow fastest, assignments and decisions (``bigint``,
``types.BigId``)."""

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A row's id: 1 to 2^31 − 1.")]
BigRowId = Annotated[int, Path(ge=1, le=MAX_BIG_ID, description="A row's id: 1 to 2^63 − 1.")]
