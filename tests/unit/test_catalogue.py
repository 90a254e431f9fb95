"""Every string the chat and the scheduled jobs show has a Chinese translation that keeps its {placeholders}."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def used_strings() -> set[str]:
    """Every msgid the code passes to gettext, and the singular of every ngettext pair."""
    found = {
        message if isinstance(message, str) else message[0]
        for package in ("handlers", "jobs", "reports", "sandbox", "public")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            # the public board's templates too (Jinja2's own extractor)
            method_map=[("**.py", "python"), ("**.html", "jinja2.ext:babel_extract")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
        )
    }
    assert len(found) > 100  # the extractor really read the handlers
    return {m if isinstance(m, str) else m[0] for m in found if m}


def catalogue(locale: str) -> dict[str, tuple[str, ...]]:
    """msgid (a plural entry's singular) -> its translations, one per plural form."""
    with (ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {
            (m.id if isinstance(m.id, str) else m.id[0]): (m.string,) if isinstance(m.string, str) else m.string
            for m in read_po(f)
            if m.id
        }


def test_every_string_has_a_chinese_translation() -> None:
    zh = catalogue("zh_CN")
    missing = sorted(s for s in used_strings() if not all(zh.get(s, ("",))))
    assert missing == []


def test_translations_keep_their_placeholders() -> None:
    zh = catalogue("zh_CN")
    wrong = [
        msgid
        for msgid, forms in zh.items()
        for text in forms
        if text and sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert wrong == []


def test_english_catalogue_lists_the_same_messages() -> None:
    assert set(catalogue("en")) == set(catalogue("zh_CN"))


def test_chinese_names_the_bureaus_staff_one_way() -> None:
    """审批人员 (the reviewers' name in /reviewers, cards and help), never 审核人员 beside it."""
    zh = catalogue("zh_CN")
    assert [s for s in zh if any("审核人员" in text for text in zh[s])] == []
