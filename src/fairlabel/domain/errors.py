"""Errors raised by domain rules and use cases.

Each error carries a stable machine-readable ``code`` and a plain-language ``message`` that
says what is wrong and, where there is one, how to fix it. Adapters map the classes to HTTP
statuses and exit codes; nothing here knows about either.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class: something a user asked for cannot be done as asked."""

    code = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    @property
    def details(self) -> dict[str, object]:
        """Extra machine-readable fields for clients (empty unless a subclass adds some)."""
        return {}


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The caller is known but their role does not allow this."""

    code = "forbidden"


class Conflict(DomainError):
    """The request is valid but the current state does not allow it."""

    code = "conflict"


class InvalidInput(DomainError):
    """The request itself is malformed or breaks a rule of the data it carries."""

    code = "invalid"


class TooLarge(DomainError):
    """The request exceeds a size limit."""

    code = "too_large"


class ImportRejected(InvalidInput):
    """A task file was refused as a whole because of one bad row."""

    code = "import_rejected"

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}. Nothing was imported; fix the row and retry.")
        self.row = row
        self.reason = reason
