"""The money ledger: double-entry transactions chained by hashes per account (charter rule 7).

Every movement is a :class:`LedgerTransaction` whose signed postings sum to zero in one
currency. Stored, each posting becomes an :class:`Entry` in the hash chain of its account, so
a worker can check a statement of their own accounts offline, without anyone else's rows.

Outside money: ``world`` is where deposits come from and refunds go; ``worker:{id}:paid``
holds what was sent to that worker's bank. Per currency, all accounts sum to zero; ``world``
is minus the net money requesters brought in; ``world`` plus every ``paid`` account is minus
the money held on the platform (:func:`held_on_platform`), and a ``paid`` balance is the
worker's total paid out. Every account but ``world`` stays >= 0 (:func:`check_invariants`).

The modules, by concern: ``accounts`` (account names), ``transactions`` (postings, balanced
transactions, balances after one), ``flows`` (one builder per kind of movement), ``chain``
(entries, SHA-256 chains, statement lines) and ``verification`` (chains and statements
checked, balances, invariants). Import from this package: it re-exports each of them.
"""

from __future__ import annotations

from fairlabel.domain.ledger.accounts import (
    PLATFORM_FEES,
    WORKER_ACCOUNTS,
    WORLD,
    AccountRef,
    Id,
    is_outside,
    owner_of,
    parse_account,
    project_escrow,
    project_reserved,
    requester_funds,
    worker_account,
    worker_available,
    worker_paid,
    worker_payout,
    worker_pending,
)
from fairlabel.domain.ledger.chain import (
    ENTRY_FIELDS,
    ZERO_HASH,
    Entry,
    Heads,
    StatementError,
    append,
    canonical_bytes,
    entry_from_json,
    entry_hash,
    entry_to_json,
    format_time,
    heads_of,
    parse_statement_line,
)
from fairlabel.domain.ledger.flows import (
    appeal_pay,
    approve,
    deposit,
    earn,
    fund,
    hold,
    notice_pay,
    payout_batch,
    payout_returned,
    payout_sent,
    release,
    topup,
    withdraw,
    withhold,
)
from fairlabel.domain.ledger.transactions import (
    KINDS,
    JSONValue,
    LedgerTransaction,
    Memo,
    Posting,
    balances_after,
    memo_object,
)
from fairlabel.domain.ledger.verification import (
    Verification,
    balances,
    check_extends,
    check_invariants,
    held_on_platform,
    verify,
    verify_statement_lines,
)

__all__ = [
    "ENTRY_FIELDS",
    "KINDS",
    "PLATFORM_FEES",
    "WORKER_ACCOUNTS",
    "WORLD",
    "ZERO_HASH",
    "AccountRef",
    "Entry",
    "Heads",
    "Id",
    "JSONValue",
    "LedgerTransaction",
    "Memo",
    "Posting",
    "StatementError",
    "Verification",
    "appeal_pay",
    "append",
    "approve",
    "balances",
    "balances_after",
    "canonical_bytes",
    "check_extends",
    "check_invariants",
    "deposit",
    "earn",
    "entry_from_json",
    "entry_hash",
    "entry_to_json",
    "format_time",
    "fund",
    "heads_of",
    "held_on_platform",
    "hold",
    "is_outside",
    "memo_object",
    "notice_pay",
    "owner_of",
    "parse_account",
    "parse_statement_line",
    "payout_batch",
    "payout_returned",
    "payout_sent",
    "project_escrow",
    "project_reserved",
    "release",
    "requester_funds",
    "topup",
    "verify",
    "verify_statement_lines",
    "withdraw",
    "withhold",
    "worker_account",
    "worker_available",
    "worker_paid",
    "worker_payout",
    "worker_pending",
]
