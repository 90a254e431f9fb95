"""Field rules shared by the request model and by any front end that asks field by field.

Each check returns the cleaned value or raises ``InvalidField`` with a message key, so a chat can re-ask
with a translated reason and the model enforces exactly the same rule.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache
from typing import Any

from approvals.errors import DomainError
from approvals.phones import normalise_phone

_KEY_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
# digits with at most one decimal point, as people write amounts: Decimal() alone also reads "1e5", "NaN",
# "Infinity" and "1_000", which nobody means as a sum of money
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")

MAX_ID = 2**63 - 1  # SQLite's largest integer: Telegram ids and request numbers are stored as one
MAX_REQUEST_NUMBER = 10**9
# 10,000,000 万元 = 1,000 亿元: a district bureau approves nothing that size (a refinery base of that order goes
# to the ministry), and an amount typed in yuan instead of 万元 — 12,000,000 for a 1,200 万元 project — is over it
MAX_INVESTMENT = Decimal("10000000")
LIMITS: dict[str, tuple[int, int]] = {
    "project_name": (2, 100),
    "organisation": (2, 100),
    "eia_firm": (2, 100),  # the firm that prepared the EIA document (环评单位): optional, published with notices
    "contact_name": (2, 30),
    "location": (2, 200),
    "description": (5, 2000),
    "reason": (2, 1000),
    "approval_number": (1, 64),
    "note": (2, 1000),
}

# 批复文号 as a bureau writes them: the issuing organ's short name (区环审, 环审, 沪环保许评, 东环建字), the year in
# brackets, the serial number, 号. GB/T 9704 prescribes 〔〕 around the year; typed by hand it is as often [], （）,
# () or 【】, with full-width digits or a stray space, so the brackets and digits are lenient and the shape is not.
DEFAULT_APPROVAL_NUMBER_PATTERN = (
    r"[\u4e00-\u9fff]{1,12}\s*[〔［\[（(【]\s*[0-9０-９]{4}\s*[〕］\]）)】]\s*第?\s*[0-9０-９]{1,6}\s*号"
)
APPROVAL_NUMBER_EXAMPLE = "区环审〔2026〕21号"


class InvalidField(DomainError, ValueError):  # ValueError: pydantic reports it as a field error
    key = "error.invalid_field"

    def __init__(self, field: str, problem: str, **params: Any) -> None:
        super().__init__(f"{field}: {problem}", field=field, problem=problem, **params)
        self.field = field
        self.problem = problem


def visible(value: str, *, keep: str = "") -> str:
    r"""``value`` without control, format (bidirectional overrides, zero-width), surrogate or unassigned characters:
    "invoice\u202eexe.pdf" would show as "invoicefdp.exe", and a workbook cannot hold "\x0b"."""
    return "".join(ch for ch in value if ch in keep or unicodedata.category(ch)[0] != "C")


def clean_text(field: str, value: str) -> str:
    """Strip control characters and surrounding blanks, then check the field's length."""
    text = visible(value, keep="\n\t").strip()
    low, high = LIMITS[field]
    if len(text) < low:
        raise InvalidField(field, "too_short", min=low, max=high)
    if len(text) > high:
        raise InvalidField(field, "too_long", min=low, max=high)
    return text


@lru_cache(maxsize=4)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def clean_approval_number(value: str, pattern: str = DEFAULT_APPROVAL_NUMBER_PATTERN) -> str:
    """An approval number whose whole text matches ``pattern`` (the APPROVAL_NUMBER_PATTERN setting; '' = any).

    The example given back is the default form's: a bureau that sets its own pattern is shown the pattern."""
    number = clean_text("approval_number", value)
    if pattern and not _compiled(pattern).fullmatch(number):
        example = APPROVAL_NUMBER_EXAMPLE if pattern == DEFAULT_APPROVAL_NUMBER_PATTERN else ""
        raise InvalidField("approval_number", "bad_approval_number", example=example, pattern=pattern)
    return number


def parse_number(text: str, *, high: int, low: int = 1) -> int | None:
    """A whole number from ``low`` to ``high`` written in ASCII digits only, else None.

    ``int()`` also reads Arabic-Indic, full-width and mathematical digits, signs, underscores and blanks, and
    ``str.isdigit()`` passes superscripts that ``int()`` then refuses; the length is checked before converting so
    a long string costs nothing.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    number = int(text)
    return number if low <= number <= high else None


def clean_name(value: str) -> str:
    """A name others will see (a person's, a file's, a key project's): visible characters on one line."""
    return " ".join(visible(value, keep="\t\n\r").split())


def clean_phone(value: str) -> str:
    """One phone number in its stored form (see approvals/phones.py): +86 138 1234 5678, 0531-8888 8888 转 123,
    400-800-1234."""
    number = normalise_phone(value)
    if number is None:
        raise InvalidField("phone", "bad_phone")
    return number


def clean_investment(value: str | Decimal | int | float) -> Decimal:
    """Total investment in 万元: a plain positive decimal with at most two decimals; accepts '1,200.5' and
    full-width digits, not '1e5', 'NaN' or 'Infinity'."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).replace(",", "").replace("万元", "").replace("万", "").strip()
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise InvalidField("investment", "not_a_number")
        amount = Decimal(text)
    else:
        amount = Decimal(str(value))
    if not amount.is_finite() or amount <= 0:
        raise InvalidField("investment", "not_positive")
    if amount > MAX_INVESTMENT:
        raise InvalidField("investment", "too_large", max=str(MAX_INVESTMENT))
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidField("investment", "too_precise")
    return amount.quantize(Decimal("0.01"))


def clean_key_code(value: str) -> str:
    code = unicodedata.normalize("NFKC", value).strip().upper()
    if not _KEY_CODE.match(code):
        raise InvalidField("key_code", "bad_code")
    return code
