"""The SEPA credit transfer file: schema-valid, exact, and refusing what SEPA cannot pay."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml  # type: ignore[import-untyped]
import xmlschema
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlabel.adapters.io.payout_files import SEPA_SCHEMA, Debtor, sepa_credit_transfer
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import Money
from fairlabel.domain.payouts import MAX_SEPA_AMOUNT_MINOR, PayoutLine, split_sepa

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SEPA_SCHEMA}"}
XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SEPA_SCHEMA}.xsd"
DEBTOR = Debtor(name="fairlabel e.V.", iban="BE68 5390 0754 7034", bic="GEBABEBB")
DAY = date(2026, 3, 2)
IBANS = ["DE89370400440532013000", "NL91ABNA0417164300", "FR1420041010050500013M02606",
         "CH9300762011623852957", "MT84MALT011000012345MTLCAST001S"]


def line(payout_id: int, amount_minor: int = 1234, *, currency: str = "EUR",
         iban: str | None = None, bic: str | None = None,
         name: str = "Ann Example") -> PayoutLine:
    return PayoutLine(
        payout_id=payout_id, worker_pseudonym=f"worker-{payout_id}", beneficiary_name=name,
        iban=IBANS[payout_id % len(IBANS)] if iban is None else iban, bic=bic,
        amount=Money(amount_minor, currency), reference=f"fairlabel payout {payout_id}")


def export(lines: list[PayoutLine], *, debtor: Debtor = DEBTOR,
           message_id: str = "FL-2026-03-02-1") -> bytes:
    return sepa_credit_transfer(lines, debtor, execution_date=DAY, message_id=message_id)


def text(node: ET.Element, path: str) -> str:
    found = node.find(path, NS)
    assert found is not None, path
    assert found.text is not None, path
    return found.text


def transactions(document: bytes) -> dict[str, ET.Element]:
    root = ET.fromstring(document)
    return {text(tx, "p:PmtId/p:EndToEndId"): tx
            for tx in root.iterfind(".//p:CdtTrfTxInf", NS)}


def test_the_file_is_valid_pain_001_with_every_transfer_exact() -> None:
    # 0.10 + 0.20 is not 0.30 in floats; the largest SEPA amount has 11 digits.
    lines = [
        line(1, 10, iban="de89 3704 0044 0532 0130 00", bic="cobadeffxxx"),
        line(2, 20),
        line(3, 1),
        line(4, MAX_SEPA_AMOUNT_MINOR, bic="NEDSZAJJ"),
        line(5, 1234, name="Zoë Ärger"),
    ]
    document = export(lines)
    xmlschema.XMLSchema(str(XSD)).validate(document.decode())

    root = ET.fromstring(document)
    total = Decimal(sum(x.amount.amount_minor for x in lines)).scaleb(-2)
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:MsgId") == "FL-2026-03-02-1"
    assert text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs") == "5"
    assert Decimal(text(root, "p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum")) == total
    assert total == Decimal("1000000012.64")
    blocks = root.findall(".//p:PmtInf", NS)
    assert len(blocks) == 1
    block = blocks[0]
    assert text(block, "p:NbOfTxs") == "5"
    assert Decimal(text(block, "p:CtrlSum")) == total
    assert text(block, "p:ReqdExctnDt") == "2026-03-02"
    assert text(block, "p:PmtTpInf/p:SvcLvl/p:Cd") == "SEPA"
    assert text(block, "p:Dbtr/p:Nm") == "fairlabel e.V."
    assert text(block, "p:DbtrAcct/p:Id/p:IBAN") == "BE68539007547034"
    assert text(block, "p:DbtrAgt/p:FinInstnId/p:BIC") == "GEBABEBB"

    found = transactions(document)
    assert len(found) == 5
    for payout in lines:
        tx = found[f"PAYOUT-{payout.payout_id}"]
        amount = tx.find("p:Amt/p:InstdAmt", NS)
        assert amount is not None
        assert amount.get("Ccy") == "EUR"
        assert Decimal(text(tx, "p:Amt/p:InstdAmt")).scaleb(2) == payout.amount.amount_minor
        assert text(tx, "p:CdtrAcct/p:Id/p:IBAN") == (payout.iban or "").replace(" ", "").upper()
        assert text(tx, "p:RmtInf/p:Ustrd") == payout.reference
    assert text(found["PAYOUT-1"], "p:CdtrAgt/p:FinInstnId/p:BIC") == "COBADEFFXXX"
    assert text(found["PAYOUT-4"], "p:CdtrAgt/p:FinInstnId/p:BIC") == "NEDSZAJJ"
    assert found["PAYOUT-2"].find("p:CdtrAgt", NS) is None  # IBAN-only is fine in SEPA
    assert text(found["PAYOUT-5"], "p:Cdtr/p:Nm") == "Zoe Arger"


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=MAX_SEPA_AMOUNT_MINOR), min_size=1,
                max_size=40))
def test_the_control_sum_is_the_exact_sum(amounts: list[int]) -> None:
    document = export([line(i + 1, amount) for i, amount in enumerate(amounts)])
    root = ET.fromstring(document)
    assert Decimal(text(root, ".//p:GrpHdr/p:CtrlSum")).scaleb(2) == sum(amounts)
    assert text(root, ".//p:GrpHdr/p:NbOfTxs") == str(len(amounts))
    paid = [Decimal(text(tx, "p:Amt/p:InstdAmt")).scaleb(2)
            for tx in root.iterfind(".//p:CdtTrfTxInf", NS)]
    assert paid == amounts


def test_a_debtor_without_bic_still_gives_a_valid_file() -> None:
    document = export([line(1)], debtor=Debtor("fairlabel", "DE89370400440532013000", None))
    xmlschema.XMLSchema(str(XSD)).validate(document.decode())
    assert len(transactions(document)) == 1


def test_a_non_eur_line_is_refused_and_named() -> None:
    with pytest.raises(InvalidInput, match=r"payout 2: it is in USD") as caught:
        export([line(1), line(2, currency="USD"), line(3)])
    assert "payout 1" not in caught.value.message


def test_every_refused_line_is_listed_at_once() -> None:
    lines = [line(1), line(2, currency="JPY"), line(3, iban=""),
             line(4, iban="BR1800360305000010009795493C1")]
    with pytest.raises(InvalidInput, match="3 payout line") as caught:
        export(lines)
    message = caught.value.message
    assert "payout 2: it is in JPY" in message
    assert "payout 3: the worker has no IBAN" in message
    assert "payout 4: the IBAN is from BR" in message
    sepa, _ = split_sepa(lines)
    assert len(transactions(export(sepa))) == 1  # the domain rule filters them first


@pytest.mark.parametrize(("lines", "message"), [
    ([], "at least one payout line"),
    ([line(1), line(2), line(1, 99)], "payout id.s. 1 appear more than once"),
])
def test_empty_batches_and_double_payments_are_refused(lines: list[PayoutLine],
                                                       message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        export(lines)


@pytest.mark.parametrize("message_id", [
    "", "X" * 36, "/FL-1", "FL-1/", "FL//1", "FL_1", "naïve-1", "FL\n1",
])
def test_unusable_message_ids_are_refused(message_id: str) -> None:
    with pytest.raises(InvalidInput, match="SEPA message id"):
        export([line(1)], message_id=message_id)


def test_a_35_character_message_id_is_kept_whole() -> None:
    message_id = "FL/2026-03-02 (batch 17):" + "9" * 10
    assert len(message_id) == 35
    root = ET.fromstring(export([line(1)], message_id=message_id))
    assert text(root, ".//p:GrpHdr/p:MsgId") == message_id


@pytest.mark.parametrize(("debtor", "message"), [
    (Debtor("fairlabel", "BE68539007547034", None, currency="USD"), "in USD"),
    (Debtor("fairlabel", "BE68539007547035", None), "IBAN: the IBAN's check digits"),
    (Debtor("fairlabel", "BR1800360305000010009795493C1", None), "from BR, outside SEPA"),
    (Debtor("fairlabel", "BE68539007547034", "GEBABE"), "BIC: a BIC has 8 or 11"),
    (Debtor(" ", "BE68539007547034", None), "holder's name"),
])
def test_an_unusable_debtor_account_is_refused(debtor: Debtor, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        export([line(1)], debtor=debtor)


def test_the_execution_date_is_a_day() -> None:
    with pytest.raises(InvalidInput, match="without a time of day"):
        sepa_credit_transfer([line(1)], DEBTOR, execution_date=datetime(2026, 3, 2, 9),
                             message_id="FL-1")


def test_a_name_that_cannot_be_written_in_latin_letters_fails_with_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match=f"does not match {SEPA_SCHEMA}"):
        export([line(1, name="\U0001f642")])
