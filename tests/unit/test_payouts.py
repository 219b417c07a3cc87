"""Payout rules: IBAN and BIC checks, batching, the SEPA/CSV split and the CSV file."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairlabel.adapters.io.payout_files import PAYOUT_CSV_COLUMNS, payouts_csv
from fairlabel.domain.errors import InvalidInput
from fairlabel.domain.money import Money
from fairlabel.domain.payouts import (
    PayoutLine,
    batch_payouts,
    check_bic,
    decimal_amount,
    is_sepa_iban,
    normalize_iban,
    sepa_problem,
    split_sepa,
)

# Published example IBANs of each country's banking association or the IBAN registry.
VALID_IBANS = [
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "FR1420041010050500013M02606",
    "NL91ABNA0417164300",
    "BE68539007547034",
    "AT611904300234573201",
    "ES9121000418450200051332",
    "IT60X0542811101000000123456",
    "CH9300762011623852957",
    "NO9386011117947",
    "MT84MALT011000012345MTLCAST001S",
]
NON_SEPA_IBANS = ["BR1800360305000010009795493C1", "SA0380000000608010167519"]


def check_digits(country: str, bban: str) -> str:
    """The ISO 13616 check digits for a country code and account number."""
    number = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    return f"{98 - number % 97:02d}"


def line(payout_id: int = 1, *, iban: str | None = "DE89370400440532013000",
         bic: str | None = None, amount: Money | None = None, worker: str = "ann",
         name: str = "Ann Example", reference: str = "fairlabel payout") -> PayoutLine:
    return PayoutLine(payout_id=payout_id, worker_pseudonym=worker, beneficiary_name=name,
                      iban=iban, bic=bic, amount=amount or Money(1234, "EUR"),
                      reference=reference)


# --- IBAN -------------------------------------------------------------------------------


@pytest.mark.parametrize("iban", VALID_IBANS + NON_SEPA_IBANS)
def test_valid_ibans_pass_unchanged(iban: str) -> None:
    assert normalize_iban(iban) == iban


@pytest.mark.parametrize("typed", [
    "de89 3704 0044 0532 0130 00",
    "  DE89370400440532013000\n",
    "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
    "De89 3704 0044 0532 0130 00",
])
def test_spaces_and_case_are_normalised(typed: str) -> None:
    assert normalize_iban(typed) == "DE89370400440532013000"


def test_the_check_digits_are_computed_like_the_registry() -> None:
    assert check_digits("DE", "370400440532013000") == "89"
    assert check_digits("GB", "WEST12345698765432") == "82"


@pytest.mark.parametrize("iban", [
    "DE89370400440532013001",  # last digit mistyped
    "DE88370400440532013000",  # check digits mistyped
    "DE89370400440532031000",  # two digits swapped
    "GB82WEST12345698765433",
    "FR1420041010050500013N02606",  # a letter mistyped
    "BR1800360305000010009795493C2",  # outside SEPA the checksum still applies
])
def test_a_checksum_error_is_named(iban: str) -> None:
    with pytest.raises(InvalidInput, match=r"check digits .* mod 97"):
        normalize_iban(iban)


def test_check_digits_outside_02_to_98_are_refused_even_if_mod97_holds() -> None:
    # Find an account whose check digits are 02: with 99 it still satisfies mod 97.
    bban = next(f"37040044{n:010d}" for n in range(1000) if check_digits(
        "DE", f"37040044{n:010d}") == "02")
    assert normalize_iban(f"DE02{bban}") == f"DE02{bban}"
    with pytest.raises(InvalidInput, match="check digits"):
        normalize_iban(f"DE99{bban}")


@pytest.mark.parametrize(("iban", "message"), [
    ("DE8937040044053201300", "DE IBANs have 22 characters, this one has 21"),
    ("DE893704004405320130000", "DE IBANs have 22 characters, this one has 23"),
    ("NO93860111179470", "NO IBANs have 15 characters, this one has 16"),
    ("MT84MALT011000012345MTLCAST001", "MT IBANs have 31 characters, this one has 30"),
    ("BE6853900754703", "BE IBANs have 16 characters, this one has 15"),
    ("BR18003603050", "15 to 34 characters, this one has 13"),
    ("BR18" + "0" * 31, "15 to 34 characters, this one has 35"),
])
def test_a_wrong_length_is_named_with_the_country_rule(iban: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        normalize_iban(iban)


@pytest.mark.parametrize(("iban", "message"), [
    ("", "empty"),
    ("   ", "empty"),
    ("DE89-3704-0044", r"“-” at position 5"),
    ("DE89 3704 0044 0532 0130 0É", "“É” at position 22"),
    ("370400440532013000", "two-letter country code"),
    ("DEXX370400440532013000", "two-letter country code"),
    ("D", "two-letter country code"),
])
def test_malformed_ibans_say_what_is_wrong(iban: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        normalize_iban(iban)


def test_sepa_countries_are_told_apart() -> None:
    assert is_sepa_iban("CH9300762011623852957")
    assert is_sepa_iban("GB82WEST12345698765432")
    assert not is_sepa_iban("BR1800360305000010009795493C1")


# --- BIC --------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "bic"), [
    ("COBADEFF", "COBADEFF"),
    ("cobadeffxxx", "COBADEFFXXX"),
    ("DEUT DE FF 500", "DEUTDEFF500"),
    ("NEDSZAJJ", "NEDSZAJJ"),
    ("GEBABEBB36A", "GEBABEBB36A"),
])
def test_valid_bics(typed: str, bic: str) -> None:
    assert check_bic(typed) == bic


@pytest.mark.parametrize(("bic", "message"), [
    ("COBADEF", "8 or 11 characters, this one has 7"),
    ("COBADEFFX", "8 or 11 characters, this one has 9"),
    ("COBADEFFXXXX", "8 or 11 characters, this one has 12"),
    ("", "this one has 0"),
    ("C0BADEFF", "not a BIC"),  # digit in the bank code
    ("COBAD3FF", "not a BIC"),  # digit in the country code
    ("COBADEF-", "not a BIC"),
    ("COBADEFO", "not a BIC"),  # location code ending in the letter O is not allowed
])
def test_invalid_bics(bic: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_bic(bic)


# --- payout lines and batching ----------------------------------------------------------


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"amount": Money(0, "EUR")}, "must be positive"),
    ({"amount": Money(-5, "EUR")}, "must be positive"),
    ({"payout_id": 0}, "payout_id must be positive"),
    ({"name": "  "}, "beneficiary_name must not be empty"),
    ({"worker": ""}, "worker_pseudonym must not be empty"),
    ({"reference": ""}, "reference must not be empty"),
])
def test_a_payout_line_refuses_nonsense(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        line(**kwargs)  # type: ignore[arg-type]


def test_workers_at_or_above_the_threshold_are_paid_the_others_wait() -> None:
    balances = {3: Money(1000, "EUR"), 1: Money(999, "EUR"), 2: Money(25_000, "EUR")}
    assert batch_payouts(balances, Money(1000, "EUR")) == {
        2: Money(25_000, "EUR"), 3: Money(1000, "EUR")}
    assert list(batch_payouts(balances, Money(1, "EUR"))) == [1, 2, 3]
    assert balances[1] == Money(999, "EUR")  # the input is left alone


def test_balances_in_another_currency_wait_for_their_own_batch() -> None:
    balances = {1: Money(10**9, "USD"), 2: Money(5000, "EUR"), 3: Money(10**6, "JPY")}
    assert batch_payouts(balances, Money(1000, "EUR")) == {2: Money(5000, "EUR")}
    assert batch_payouts(balances, Money(500, "JPY")) == {3: Money(10**6, "JPY")}
    assert batch_payouts(balances, Money(0, "GBP")) == {}


def test_empty_and_negative_balances_are_never_paid() -> None:
    balances = {1: Money(0, "EUR"), 2: Money(-300, "EUR"), 3: Money(1, "EUR")}
    assert batch_payouts(balances, Money(0, "EUR")) == {3: Money(1, "EUR")}


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(InvalidInput, match="threshold cannot be negative"):
        batch_payouts({1: Money(100, "EUR")}, Money(-1, "EUR"))


# --- which lines can go in a SEPA file --------------------------------------------------


def test_eur_to_a_sepa_iban_goes_in_the_sepa_file() -> None:
    assert sepa_problem(line()) is None
    assert sepa_problem(line(iban="ch93 0076 2011 6238 5295 7", bic="ubswchzh80a")) is None


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"amount": Money(1234, "USD")}, "in USD; SEPA transfers are in EUR only"),
    ({"iban": None}, "no IBAN"),
    ({"iban": "  "}, "no IBAN"),
    ({"iban": "DE89370400440532013001"}, "check digits"),
    ({"iban": "BR1800360305000010009795493C1"}, "from BR, which is outside the SEPA area"),
    ({"bic": "COBADE"}, "8 or 11 characters"),
    ({"name": "Ann\nExample"}, "beneficiary name contains a control character"),
    ({"reference": "payout\x00"}, "reference contains a control character"),
    ({"amount": Money(100_000_000_000, "EUR")}, "more than one SEPA transfer may carry"),
])
def test_other_lines_are_csv_only_with_a_reason(kwargs: dict[str, object],
                                                reason: str) -> None:
    problem = sepa_problem(line(**kwargs))  # type: ignore[arg-type]
    assert problem is not None
    assert reason in str(problem)


def test_split_keeps_the_order_within_each_part() -> None:
    lines = [line(1), line(2, iban=None), line(3, amount=Money(5, "GBP")), line(4)]
    sepa, csv_only = split_sepa(lines)
    assert [x.payout_id for x in sepa] == [1, 4]
    assert [x.payout_id for x in csv_only] == [2, 3]


# --- amounts and the CSV file -----------------------------------------------------------


@pytest.mark.parametrize(("money", "text"), [
    (Money(1234, "EUR"), "12.34"),
    (Money(5, "EUR"), "0.05"),
    (Money(100, "EUR"), "1.00"),
    (Money(1234, "JPY"), "1234"),
    (Money(1234, "KWD"), "1.234"),
    (Money(5, "KWD"), "0.005"),
    (Money(10**12, "EUR"), "10000000000.00"),  # the largest amount (MAX_AMOUNT_MINOR)
    (Money(10**12 - 1, "KWD"), "999999999.999"),
])
def test_amounts_are_written_exactly_with_the_currency_exponent(money: Money,
                                                                text: str) -> None:
    assert decimal_amount(money) == text


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(["EUR", "JPY", "KWD"]))
def test_the_decimal_amount_is_the_minor_units_scaled(minor: int, currency: str) -> None:
    exponent = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    assert Decimal(decimal_amount(Money(minor, currency))).scaleb(exponent) == minor


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_the_csv_has_one_row_per_line_with_exact_amounts() -> None:
    text = payouts_csv([
        line(1, amount=Money(1234, "EUR"), iban="de89 3704 0044 0532 0130 00",
             bic="cobadeff"),
        line(2, amount=Money(1234, "JPY"), iban=None, worker="bob"),
        line(3, amount=Money(1234, "KWD"), iban="not an iban", bic="??"),
    ])
    assert text.splitlines()[0].split(",") == list(PAYOUT_CSV_COLUMNS)
    rows = read_csv(text)
    assert [(r["amount"], r["amount_minor"], r["currency"]) for r in rows] == [
        ("12.34", "1234", "EUR"), ("1234", "1234", "JPY"), ("1.234", "1234", "KWD")]
    assert rows[0]["iban"] == "DE89370400440532013000"
    assert rows[0]["bic"] == "COBADEFF"
    assert (rows[1]["iban"], rows[1]["bic"], rows[1]["worker"]) == ("", "", "bob")
    assert (rows[2]["iban"], rows[2]["bic"]) == ("not an iban", "??")
    assert rows[0]["payout_id"] == "1"
    assert rows[0]["beneficiary_name"] == "Ann Example"
    assert rows[0]["reference"] == "fairlabel payout"


def test_an_empty_batch_is_just_the_header() -> None:
    assert read_csv(payouts_csv([])) == []


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_a_spreadsheet_would_run_are_neutralised(start: str) -> None:
    evil = f"{start}HYPERLINK(\"http://x\",\"y\")"
    rows = read_csv(payouts_csv([line(worker=evil, name=evil, reference=evil, iban=evil,
                                      bic=evil)]))
    for column in ("worker", "beneficiary_name", "reference", "iban", "bic"):
        assert rows[0][column] == "'" + evil
    assert rows[0]["amount"] == "12.34"


def test_commas_quotes_and_newlines_survive_the_round_trip() -> None:
    name = 'Dupont, "Jean"\nJr.'
    rows = read_csv(payouts_csv([line(name=name)]))
    assert rows[0]["beneficiary_name"] == name
