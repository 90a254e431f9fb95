"""Approval numbers (批复文号) the bureau issues: the form they are written in (APPROVAL_NUMBER_FORMAT).

The sequence itself — one gapless run per year, allocated in the transaction that records the decision — is
storage's (storage/numbers.py); this module only says how a year and a serial number are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from approvals.validation import LIMITS, visible

DEFAULT_APPROVAL_NUMBER_FORMAT = "{prefix}〔{year}〕{seq}号"  # GB/T 9704: organ, year in 〔〕, serial, 号
DEFAULT_APPROVAL_NUMBER_PREFIX = "区环审"  # a district bureau's short name for its EIA approvals
PLACEHOLDERS = ("prefix", "year", "seq")
MAX_PREFIX = 20
# the widest a number can get: a four-digit year and a serial no district reaches in a year
WIDEST_YEAR, WIDEST_SEQ = 9999, 999_999


class BadNumberFormat(ValueError):
    """APPROVAL_NUMBER_FORMAT or APPROVAL_NUMBER_PREFIX cannot make numbers; the message says why."""


@dataclass(frozen=True)
class NumberFormat:
    """How issued numbers are written: ``template`` with {prefix}, {year} and {seq} (format specs such as
    {seq:03d} allowed), ``prefix`` filled in for {prefix}."""

    template: str
    prefix: str = DEFAULT_APPROVAL_NUMBER_PREFIX

    def render(self, year: int, seq: int) -> str:
        return self.template.format(prefix=self.prefix, year=year, seq=seq)


def parse_number_format(template: str, prefix: str = DEFAULT_APPROVAL_NUMBER_PREFIX) -> NumberFormat | None:
    """The bureau's number format, checked once at start; None when ``template`` is empty (numbers are typed).

    Refused: placeholders other than {prefix}, {year} and {seq}, a format without {year} or {seq} (the sequence
    restarts every year, so without both two decisions would share a number), a {prefix} left empty, and a
    number longer than an approval number may be."""
    template = template.strip()
    if not template:
        return None
    fields = []
    try:
        for _text, name, spec, conversion in Formatter().parse(template):
            if name is None:
                continue
            if name not in PLACEHOLDERS:
                shown = "{" + name + "}" if name else "{}"
                raise BadNumberFormat(f"unknown placeholder {shown}; use {{prefix}}, {{year}} and {{seq}}")
            if conversion:
                raise BadNumberFormat(f"{{{name}!{conversion}}}: conversions are not allowed")
            if spec and "{" in spec:
                raise BadNumberFormat(f"{{{name}:{spec}}}: nested placeholders are not allowed")
            fields.append(name)
    except ValueError as exc:  # unbalanced braces: Formatter's own words name the problem
        if isinstance(exc, BadNumberFormat):
            raise
        raise BadNumberFormat(f"not a format ({exc}); write literal braces as {{{{ and }}}}") from None
    for needed in ("year", "seq"):
        if needed not in fields:
            raise BadNumberFormat(f"{{{needed}}} is missing: every number needs the year and the serial number")
    prefix = prefix.strip()
    if "prefix" in fields and not prefix:
        raise BadNumberFormat("{prefix} is used but APPROVAL_NUMBER_PREFIX is empty")
    if visible(prefix) != prefix or len(prefix) > MAX_PREFIX:
        raise BadNumberFormat(f"APPROVAL_NUMBER_PREFIX must be 1-{MAX_PREFIX} visible characters")
    number_format = NumberFormat(template, prefix)
    try:
        widest = number_format.render(WIDEST_YEAR, WIDEST_SEQ)
        number_format.render(2026, 1)
    except (ValueError, TypeError) as exc:  # a spec numbers cannot take, e.g. {seq:s}
        raise BadNumberFormat(f"a placeholder's format does not fit a number ({exc})") from None
    if visible(widest) != widest or not widest.strip():
        raise BadNumberFormat("numbers would contain control characters")
    if len(widest) > LIMITS["approval_number"][1]:
        raise BadNumberFormat(f"numbers could be longer than {LIMITS['approval_number'][1]} characters")
    return number_format
