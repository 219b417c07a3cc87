"""A transaction and the database that opens it.

Each capability module declares its repositories and a ``Has…`` protocol for a transaction
that reaches one of them. A use case types its transaction with only the ``Has…`` protocols it
uses (plus ``Commits``), so that a test can hand it a small fake; ``Transaction`` is a
transaction that reaches everything, as the database adapter's does.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol, TypeVar

from fairlabel.services.ports.accounts import HasSettings, HasUsers
from fairlabel.services.ports.decisions import (
    HasAppeals,
    HasBlocks,
    HasContinuationCases,
    HasDecisions,
)
from fairlabel.services.ports.media import HasMedia
from fairlabel.services.ports.money import HasEscrow, HasHolds, HasLedger, HasPayouts, HasPrices
from fairlabel.services.ports.quality import HasConsensus, HasConsensusUpkeep, HasGold
from fairlabel.services.ports.schedule import HasJobRuns
from fairlabel.services.ports.voice import HasInbox, HasRecord, HasVoice
from fairlabel.services.ports.work import HasAssignments, HasProjects, HasTasks

Tx_co = TypeVar("Tx_co", covariant=True)


class Commits(Protocol):
    """A transaction that can be committed; leaving it otherwise rolls it back."""

    def commit(self) -> None: ...


class Database(Protocol[Tx_co]):
    """Opens transactions: ``write()`` for use cases that change state, ``read()`` otherwise.
    ``Database[T]`` opens transactions of type ``T``."""

    def write(self) -> AbstractContextManager[Tx_co]: ...
    def read(self) -> AbstractContextManager[Tx_co]: ...


class Transaction(HasUsers, HasSettings, HasProjects, HasTasks, HasAssignments, HasLedger,
                  HasEscrow, HasHolds, HasPrices, HasPayouts, HasGold, HasConsensus,
                  HasConsensusUpkeep, HasDecisions, HasAppeals, HasBlocks, HasInbox, HasVoice,
                  HasRecord, HasMedia, HasJobRuns, HasContinuationCases, Commits, Protocol):
    """A transaction that reaches every repository."""
