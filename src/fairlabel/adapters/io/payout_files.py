"""Payout files: a CSV of every payout line and a SEPA credit transfer (pain.001) file.

The CSV lists every line of a payout batch, whatever its currency or bank details, for
the operator's records and for payments made by hand. The SEPA file carries only the
lines that :func:`fairlabel.domain.payouts.sepa_problem` accepts (EUR to a valid IBAN of a
SEPA country); the operator uploads it to the platform's bank, which executes every
transfer in it. Split a batch with :func:`fairlabel.domain.payouts.split_sepa` first.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from fairlabel.adapters.io.exporters import neutralise
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.messages import shown
from fairlabel.domain.payouts import (
    SEPA_CURRENCY,
    PayoutLine,
    check_bic,
    decimal_amount,
    is_sepa_iban,
    normalize_iban,
    sepa_problem,
    split_sepa,
)

PAYOUT_CSV_COLUMNS = (
    "payout_id", "worker", "beneficiary_name", "iban", "bic",
    "amount", "amount_minor", "currency", "reference",
)
SEPA_SCHEMA = "pain.001.001.03"
# Identifiers in a SEPA file: 1 to 35 characters of the SEPA Latin set, no "/" at either
# end and no "//" (EPC credit transfer implementation guidelines).
_SEPA_ID = re.compile(r"^(?!/)(?!.*//)[A-Za-z0-9/?:().,'+ -]{1,35}(?<!/)$")


@dataclass(frozen=True, slots=True)
class Debtor:
    """The platform's own account, from which the transfers are paid.

    Attributes:
        name: the account holder's name as the bank knows it.
        iban: the account's IBAN (spaces allowed).
        bic: the bank's BIC, or None if the bank does not ask for it.
        currency: the account's currency; SEPA files are in EUR only.
    """

    name: str
    iban: str
    bic: str | None
    currency: str = SEPA_CURRENCY


def payouts_csv(lines: Iterable[PayoutLine]) -> str:
    """Write payout lines as CSV, one row per line under a header row.

    Amounts are exact: ``amount`` is a decimal string in the currency's units computed
    from the integer minor units (``"12.34"`` EUR, ``"1234"`` JPY, ``"1.234"`` KWD) and
    ``amount_minor`` the integer itself. A valid IBAN or BIC is written in its electronic
    form (upper-case, no spaces), anything else as entered. Text cells that a spreadsheet
    would run as a formula get a leading quote.

    Args:
        lines: the payout lines, in the order to write them.

    Returns:
        The CSV text, rows ending in CRLF (RFC 4180).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PAYOUT_CSV_COLUMNS)
    for line in lines:
        writer.writerow([
            str(line.payout_id),
            neutralise(line.worker_pseudonym),
            neutralise(line.beneficiary_name),
            neutralise(_iban_cell(line.iban)),
            neutralise(_bic_cell(line.bic)),
            decimal_amount(line.amount),
            str(line.amount.amount_minor),
            line.amount.currency,
            neutralise(line.reference),
        ])
    return buffer.getvalue()


def _iban_cell(iban: str | None) -> str:
    if iban is None:
        return ""
    try:
        return normalize_iban(iban)
    except InvalidInput:
        return iban


def _bic_cell(bic: str | None) -> str:
    if bic is None:
        return ""
    try:
        return check_bic(bic)
    except InvalidInput:
        return bic


def sepa_credit_transfer(
    lines: Iterable[PayoutLine],
    debtor: Debtor,
    *,
    execution_date: date,
    message_id: str,
) -> bytes:
    """Write a SEPA credit transfer initiation file (ISO 20022 pain.001.001.03).

    All transfers go in one payment block, debited from ``debtor`` on
    ``execution_date``. Each transfer's end-to-end id is ``PAYOUT-<payout_id>``, so a
    returned transfer names its payout; its remittance text is the line's reference.
    Names and references are transliterated to ASCII and cut to 70 and 140 characters.
    The file is validated against the schema shipped with ``sepaxml`` before it is
    returned.

    Args:
        lines: the payout lines; every one must pass
            :func:`fairlabel.domain.payouts.sepa_problem`.
        debtor: the platform's account the money leaves from (EUR, SEPA country).
        execution_date: the day the bank should execute the transfers.
        message_id: the file's unique id (1-35 characters: letters, digits, spaces and
            ``/ - ? : ( ) . , ' +``); banks refuse a second file with the same id.

    Returns:
        The XML document, UTF-8 encoded.

    Raises:
        InvalidInput: if there are no lines, a line cannot be paid by SEPA (all such
            lines are listed with the reason), a payout id repeats, or the debtor,
            date or message id is not usable.
    """
    from sepaxml import SepaTransfer  # type: ignore[import-untyped]  # loaded when used
    from sepaxml.validation import ValidationError  # type: ignore[import-untyped]

    batch = list(lines)
    _check_lines(batch)
    config = _debtor_config(debtor)
    if isinstance(execution_date, datetime) or not isinstance(execution_date, date):
        raise InvalidInput("the execution date must be a date without a time of day")
    if not isinstance(message_id, str) or not _SEPA_ID.match(message_id):
        raise InvalidInput("“{message_id}” cannot be a SEPA message id: use 1 to 35 letters, "
                           "digits, spaces or / - ? : ( ) . , ' + (not starting or ending with "
                           "/, no //)", message_id=shown(message_id))
    config["msg_id"] = message_id  # honoured by sepaxml > 2.7; set by hand below too
    transfer = SepaTransfer(config, schema=SEPA_SCHEMA, clean=True)
    _use_message_id(transfer, message_id)
    for line in batch:
        payment: dict[str, Any] = {
            "name": line.beneficiary_name.strip(),
            "IBAN": normalize_iban(line.iban or ""),
            "amount": line.amount.amount_minor,
            "execution_date": execution_date,
            "description": line.reference.strip(),
            "endtoend_id": f"PAYOUT-{line.payout_id}",
        }
        if line.bic is not None and line.bic.strip():
            payment["BIC"] = check_bic(line.bic)
        transfer.add_payment(payment)
    try:
        document: bytes = transfer.export(validate=True)
    except ValidationError as error:
        reason = getattr(error.__cause__, "reason", None) or str(error)
        raise InvalidInput("the SEPA file does not match {schema}: {reason}",
                           schema=SEPA_SCHEMA, reason=str(reason)) from error
    return document


def _check_lines(batch: list[PayoutLine]) -> None:
    if not batch:
        raise InvalidInput("a SEPA file needs at least one payout line")
    refused = [(line.payout_id, problem) for line in batch
               if (problem := sepa_problem(line)) is not None]
    if refused:
        raise InvalidInput(
            "{count} payout line(s) cannot go in a SEPA file; pay them from the CSV file "
            "instead (split_sepa separates them): {lines}", count=len(refused),
            lines="; ".join(f"payout {payout_id}: {problem}" for payout_id, problem in refused))
    counts = Counter(line.payout_id for line in batch)
    repeated = sorted(payout_id for payout_id, count in counts.items() if count > 1)
    if repeated:
        raise InvalidInput("a payout would be paid twice: payout id(s) {ids} appear more than "
                           "once", ids=", ".join(str(payout_id) for payout_id in repeated))


def _debtor_config(debtor: Debtor) -> dict[str, Any]:
    if debtor.currency != SEPA_CURRENCY:
        raise InvalidInput("the paying account is in {currency}; SEPA transfers are paid from "
                           "EUR", currency=debtor.currency)
    if not debtor.name.strip():
        raise InvalidInput("the paying account needs the holder's name")
    try:
        iban = normalize_iban(debtor.iban)
    except InvalidInput as error:
        raise InvalidInput("the paying account's IBAN: {reason}", reason=error.msg) from None
    if not is_sepa_iban(iban):
        raise InvalidInput("the paying account's IBAN is from {country}, outside SEPA",
                           country=iban[:2])
    config: dict[str, Any] = {
        "name": debtor.name.strip(), "IBAN": iban, "batch": True, "currency": SEPA_CURRENCY,
    }
    if debtor.bic is not None and debtor.bic.strip():
        try:
            config["BIC"] = check_bic(debtor.bic)
        except InvalidInput as error:
            raise InvalidInput("the paying account's BIC: {reason}", reason=error.msg) from None
    return config


def _use_message_id(transfer: Any, message_id: str) -> None:
    # sepaxml 2.7 draws a random MsgId while building the group header in its constructor;
    # put ours there so that the bank's duplicate-file check sees the caller's id.
    transfer.msg_id = message_id
    node = transfer._xml.find("CstmrCdtTrfInitn/GrpHdr/MsgId")
    if node is None:
        raise RuntimeError("sepaxml no longer builds a GrpHdr/MsgId element")
    node.text = message_id


def sepa_export(lines: Iterable[PayoutLine], *, debtor_name: str | None,
                debtor_iban: str | None, debtor_bic: str | None,
                now: datetime) -> tuple[bytes, list[PayoutLine]]:
    """The SEPA file of the lines that can go in one, and the lines that cannot.

    Raises:
        InvalidInput: when the paying account is not configured.
    """
    if not (debtor_name and debtor_iban):
        raise InvalidInput("set FAIRLABEL_SEPA_DEBTOR_NAME and FAIRLABEL_SEPA_DEBTOR_IBAN "
                           "(and _BIC) to export SEPA files")
    sepa, others = split_sepa(lines)
    xml = sepa_credit_transfer(sepa, Debtor(debtor_name, debtor_iban, debtor_bic),
                               execution_date=now.date(),
                               message_id=f"FAIRLABEL-{now:%Y%m%d%H%M%S}")
    return xml, others
