"""The log format: one JSON object per line, whatever the user typed."""

import json
import logging

import logsetup

# Line breaks for str.splitlines() and for many log shippers besides \n and \r: NEL, LINE and PARAGRAPH SEPARATOR,
# vertical tab, form feed, and the file, group and record separators.
BREAKS = "\u0085\u2028\u2029\x0b\x0c\x1c\x1d\x1e\r\n"


def test_user_text_with_any_line_break_stays_in_one_record_on_one_line() -> None:
    text = f"项目{BREAKS}第二行 🏭"
    record = logging.LogRecord("green_channel", logging.INFO, "", 0, "refused name=%s", (text,), None)
    line = logsetup.JsonFormatter().format(record)
    assert line.isascii()  # escaped: nothing a line-based tool could split on
    assert line.splitlines() == [line]
    assert json.loads(line)["event"] == f"refused name={text}"
