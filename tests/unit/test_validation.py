from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from approvals.models import Attachment, RequestDraft
from approvals.validation import (
    MAX_ID,
    InvalidField,
    clean_approval_number,
    clean_investment,
    clean_key_code,
    clean_phone,
    clean_text,
    parse_number,
)
from tests.factories import make_draft


def draft(**changes: Any) -> RequestDraft:
    return make_draft(**{"investment": "1,200.5", **changes})


def test_a_complete_draft_is_cleaned() -> None:
    made = draft(project_name="  城东污水处理厂扩建\x07 ")
    assert made.project_name == "城东污水处理厂扩建"
    assert made.investment == Decimal("1200.50")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        # mobiles, however written: one stored form
        ("13812345678", "+86 138 1234 5678"),
        ("138 1234 5678", "+86 138 1234 5678"),
        ("138-1234-5678", "+86 138 1234 5678"),
        ("１３８１２３４５６７８", "+86 138 1234 5678"),  # full-width digits (a Chinese input method)
        ("+86 138 1234 5678", "+86 138 1234 5678"),
        ("+86-13812345678", "+86 138 1234 5678"),
        ("＋８６ １３８ １２３４ ５６７８", "+86 138 1234 5678"),
        ("8613812345678", "+86 138 1234 5678"),
        ("0086 138 1234 5678", "+86 138 1234 5678"),
        ("(+86) 199 0000 1111", "+86 199 0000 1111"),
        ("138—1234—5678", "+86 138 1234 5678"),  # a dash from the Chinese keyboard
        # landlines with their area code: 010 and 02x take 8 digits, the rest 7 or 8
        ("010-12345678", "010-1234 5678"),
        ("010 6552 9988", "010-6552 9988"),
        ("(021)62345678", "021-6234 5678"),
        ("（0531）88888888", "0531-8888 8888"),
        ("0531－8888－8888", "0531-8888 8888"),
        ("0571 8765 4321", "0571-8765 4321"),
        ("0912-2345678", "0912-234 5678"),  # a 7-digit local number
        ("+86 531 8888 8888", "0531-8888 8888"),  # dialled from abroad: the 0 goes
        ("+86 (0)531 8888 8888", "0531-8888 8888"),
        ("+86 10 6552 9988", "010-6552 9988"),
        # extensions
        ("0531-88888888转123", "0531-8888 8888 转 123"),
        ("0531-8888 8888 转 123", "0531-8888 8888 转 123"),
        ("0531-88888888分机8", "0531-8888 8888 转 8"),
        ("0531-88888888 ext. 123", "0531-8888 8888 转 123"),
        ("0531-88888888x123", "0531-8888 8888 转 123"),
        ("0531-88888888-123", "0531-8888 8888 转 123"),
        ("021-62345678-89", "021-6234 5678 转 89"),
        # national service numbers
        ("400-800-1234", "400-800-1234"),
        ("4008001234", "400-800-1234"),
        ("400 820 8820", "400-820-8820"),
        ("800-820-8820", "800-820-8820"),
        ("400-800-1234转2", "400-800-1234 转 2"),
    ],
)
def test_phone_numbers_as_people_write_them_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert clean_phone(typed) == stored


@pytest.mark.parametrize(
    "phone",
    [
        "12345",
        "12812345678",  # no such mobile prefix
        "138123456789",  # a digit too many
        "1381234567",  # a digit too few
        "88888888",  # a landline without its area code
        "010-1234567",  # Beijing numbers have 8 digits
        "0531-0888888",  # a local number never starts with 0
        "13812345678转1",  # mobiles have no extension
        "0531-88888888转1234567",  # an extension of 7 digits
        "0531 8888 8888 123",  # an extension needs 转, ext or a hyphen
        "+1 650 253 0000",  # not a Chinese number
        "4001234",  # a service number too short
        "138١٢٣٤٥٦٧٨",  # Arabic-Indic digits
        "13812345678 或 13912345678",  # two numbers
        "tel:13812345678",
        "abc",
        "",
        "1" * 5000,  # refused by its length before anything else
    ],
)
def test_bad_phone_numbers_are_refused(phone: str) -> None:
    with pytest.raises(InvalidField) as caught:
        clean_phone(phone)
    assert caught.value.problem == "bad_phone"


def test_the_draft_stores_the_normalised_phone() -> None:
    assert draft(phone="138-1234-5678").phone == "+86 138 1234 5678"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0", "not_positive"),
        ("-5", "not_positive"),
        ("abc", "not_a_number"),
        ("1.234", "too_precise"),
        ("NaN", "not_a_number"),
        ("nan", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("-inf", "not_a_number"),
        ("1e5", "not_a_number"),  # Decimal() reads it as 100000: nobody writes a sum of money so
        ("1e-2", "not_a_number"),
        ("1E12", "not_a_number"),
        ("1_000", "not_a_number"),
        ("1.2.3", "not_a_number"),
        ("٣", "not_a_number"),  # an Arabic-Indic digit: NFKC keeps it, Decimal() would read it
        ("1e12000", "not_a_number"),
        ("12000000", "too_large"),  # a 1,200 万元 project typed in yuan
        ("10000000.01", "too_large"),
    ],
)
def test_investment_must_be_a_positive_amount(value: str, problem: str) -> None:
    with pytest.raises(InvalidField) as caught:
        clean_investment(value)
    assert caught.value.problem == problem


def test_investment_accepts_full_width_digits_and_units() -> None:
    assert clean_investment("１２００万元") == Decimal("1200.00")
    assert clean_investment("１，２００．５") == Decimal("1200.50")
    assert clean_investment(" 0.5 ") == Decimal("0.50")
    assert clean_investment(".5") == Decimal("0.50")


def test_investment_reaches_one_thousand_yi_yuan_and_no_further() -> None:
    assert clean_investment("10,000,000") == Decimal("10000000.00")  # 1,000 亿元
    with pytest.raises(InvalidField) as caught:
        clean_investment("10000001")
    assert caught.value.params["max"] == "10000000"


def test_length_limits_name_their_bounds() -> None:
    with pytest.raises(InvalidField) as caught:
        clean_text("project_name", "x" * 101)
    assert (caught.value.problem, caught.value.params["max"]) == ("too_long", 100)
    with pytest.raises(InvalidField, match="too_short"):
        clean_text("description", " \x00 ")


def test_the_model_refuses_bad_fields_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="phone: bad_phone"):
        draft(phone="123")
    with pytest.raises(ValidationError, match="investment: not_positive"):
        draft(investment="0")


def test_key_codes_are_normalised() -> None:
    assert clean_key_code(" ｋｐ-07 ") == "KP-07"
    with pytest.raises(InvalidField):
        clean_key_code("KP 07")


def test_attachments_are_limited_to_documents_of_at_most_20_mb() -> None:
    assert Attachment(file_id="f", name="eia.PDF", size=1024).name == "eia.PDF"
    with pytest.raises(ValidationError, match="bad_type"):
        Attachment(file_id="f", name="photo.jpg", size=10)
    with pytest.raises(ValidationError):
        Attachment(file_id="f", name="big.zip", size=20 * 1024 * 1024 + 1)


@pytest.mark.parametrize(("text", "number"), [("1", 1), ("007", 7), ("1000", 1000)])
def test_a_number_is_ascii_digits_within_range(text: str, number: int) -> None:
    assert parse_number(text, high=1000) == number


@pytest.mark.parametrize(
    "text",
    # superscript, circled, Arabic-Indic, full-width and mathematical digits; what int() would also take; 0; too big
    ["²", "①", "٣", "０１", "𝟏", "+1", "-1", " 1", "1_0", "1.0", "", "0", "1001", "9" * 5000],
)
def test_anything_else_is_not_a_number(text: str) -> None:
    assert parse_number(text, high=1000) is None


def test_ids_reach_sqlites_largest_integer_and_no_further() -> None:
    assert parse_number(str(2**63 - 1), high=MAX_ID) == 2**63 - 1
    assert parse_number(str(2**63), high=MAX_ID) is None


@pytest.mark.parametrize(
    "number",
    [
        "区环审〔2026〕21号",  # GB/T 9704's brackets
        "环审[2026]21号",  # typed on an ASCII keyboard
        "区环审（2026）21号",  # full-width parentheses
        "区环审(2026)21号",
        "沪环保许评〔2026〕 3号",  # a stray space
        "东环建字【２０２６】第１２号",  # full-width digits, 第 before the serial
        "区环审函〔2026〕0021号",
    ],
)
def test_approval_numbers_in_the_forms_bureaus_write_are_accepted(number: str) -> None:
    assert clean_approval_number(f" {number} ") == number


@pytest.mark.parametrize(
    "number",
    [
        "21",
        "2026-21",
        "区环审2026年21号",  # no brackets: not the shape of a 文号
        "〔2026〕21号",  # no issuing organ
        "abc〔2026〕21号",
        "区环审〔26〕21号",  # a two-digit year
        "区环审〔2026〕21",  # no 号
        "区环审〔2026〕21号 已发",  # something after it
        "区环审〔٢٠٢٦〕21号",  # digits int() reads, but no one writes
    ],
)
def test_approval_numbers_of_another_shape_are_refused_with_an_example(number: str) -> None:
    with pytest.raises(InvalidField) as caught:
        clean_approval_number(number)
    assert (caught.value.problem, caught.value.params["example"]) == ("bad_approval_number", "区环审〔2026〕21号")


def test_a_bureau_sets_its_own_approval_number_form_or_none() -> None:
    own = r"XH-\d{4}-\d+"
    assert clean_approval_number("XH-2026-7", own) == "XH-2026-7"
    with pytest.raises(InvalidField) as caught:
        clean_approval_number("区环审〔2026〕21号", own)
    assert (caught.value.params["example"], caught.value.params["pattern"]) == ("", own)  # shown the pattern
    assert clean_approval_number("随便写", "") == "随便写"  # empty: any number
    with pytest.raises(InvalidField, match="too_long"):
        clean_approval_number("号" * 65, "")  # still bounded
