"""The form of the approval numbers the bureau issues (APPROVAL_NUMBER_FORMAT), checked once at start."""

import pytest

from approvals.numbering import (
    DEFAULT_APPROVAL_NUMBER_FORMAT,
    BadNumberFormat,
    NumberFormat,
    parse_number_format,
)
from approvals.validation import clean_approval_number


def test_the_default_writes_numbers_as_gb_t_9704_does() -> None:
    numbering = parse_number_format(DEFAULT_APPROVAL_NUMBER_FORMAT)
    assert numbering == NumberFormat("{prefix}〔{year}〕{seq}号", "区环审")
    assert numbering.render(2026, 1) == "区环审〔2026〕1号"
    assert numbering.render(2027, 125) == "区环审〔2027〕125号"
    assert clean_approval_number(numbering.render(2026, 21)) == "区环审〔2026〕21号"  # the form typed ones take


def test_a_bureau_sets_its_prefix_padding_and_brackets() -> None:
    numbering = parse_number_format("{prefix}[{year}]第{seq:03d}号", "东环建字")
    assert numbering is not None
    assert numbering.render(2026, 7) == "东环建字[2026]第007号"
    assert parse_number_format("HB-{year}-{seq}", "").render(2026, 3) == "HB-2026-3"  # type: ignore[union-attr]
    assert parse_number_format("{{{year}}}-{seq}", "x").render(2026, 3) == "{2026}-3"  # type: ignore[union-attr]


@pytest.mark.parametrize("template", ["", "   "])
def test_an_empty_format_means_reviewers_type_the_number(template: str) -> None:
    assert parse_number_format(template, "区环审") is None


@pytest.mark.parametrize(
    ("template", "prefix", "says"),
    [
        ("{prefix}〔{year}〕{number}号", "区环审", "unknown placeholder {number}"),
        ("{prefix}〔{year}〕{}号", "区环审", "unknown placeholder {}"),
        ("{prefix}〔{0}〕{seq}号", "区环审", "unknown placeholder {0}"),
        ("{prefix}〔{year.real}〕{seq}号", "区环审", "unknown placeholder {year.real}"),
        ("{prefix}〔{year}〕号", "区环审", "{seq} is missing"),
        ("{prefix}第{seq}号", "区环审", "{year} is missing"),
        ("{prefix}〔{year〕{seq}号", "区环审", "not a format"),
        ("{prefix}〔{year}〕{seq}号}", "区环审", "not a format"),
        ("{prefix}〔{year!r}〕{seq}号", "区环审", "conversions are not allowed"),
        ("{prefix}〔{year}〕{seq:s}号", "区环审", "does not fit a number"),
        ("{prefix}〔{year}〕{seq:{year}}号", "区环审", "nested placeholders"),
        ("{prefix}〔{year}〕{seq}号", "", "APPROVAL_NUMBER_PREFIX is empty"),
        ("{prefix}〔{year}〕{seq}号", "区\u202e环审", "visible characters"),
        ("{prefix}〔{year}〕{seq}号", "区" * 21, "visible characters"),
        ("{prefix}〔{year}〕{seq:060d}号", "区环审", "longer than 64"),
        ("\u0007{year}-{seq}", "区环审", "control characters"),
    ],
)
def test_a_format_that_cannot_make_numbers_is_refused_with_the_reason(template: str, prefix: str, says: str) -> None:
    with pytest.raises(BadNumberFormat) as caught:
        parse_number_format(template, prefix)
    assert says in str(caught.value)
