"""Errors raised by domain rules and use cases.

Each error carries a stable machine-readable ``code`` and a plain-language ``message`` that
says what is wrong and, where there is one, how to fix it. Adapters map the classes to HTTP
statuses and exit codes; nothing here knows about either.

The message is written as an English template with named fields and their values
(``NotFound("no project {project_id}", project_id=7)``), so that the pages can say it in the
reader's language (:attr:`DomainError.msg`); ``message`` is the English text. A message built
beforehand (a :class:`~fairlabel.domain.messages.Msg`) may be given instead of the template;
an identifier is given as text (``project_id=str(pid)``), so that no reader sees it written as
a quantity ("12,345").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fairlabel.domain.messages import Msg, Value


class DomainError(Exception):
    """Base class: something a user asked for cannot be done as asked."""

    code = "error"

    def __init__(self, message: str | Msg, *, code: str | None = None, **params: Value) -> None:
        from fairlabel.domain.messages import Msg  # messages needs money, which needs errors

        self.msg: Msg = message if isinstance(message, Msg) else Msg(message, params)
        self.message = str(self.msg)
        super().__init__(self.message)
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


def N_(template: str) -> str:
    """Mark a template for the catalogs (``messages.N_``, which this module cannot import:
    messages needs money, which needs errors)."""
    return template


class ImportRejected(InvalidInput):
    """A task file was refused as a whole because of one bad row."""

    code = "import_rejected"

    def __init__(self, row: int, reason: Msg) -> None:
        super().__init__(N_("row {row}: {reason}. Nothing was imported; fix the row and "
                            "retry."), row=row, reason=reason)
        self.row = row
        self.reason = reason
