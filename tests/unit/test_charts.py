import struct
from datetime import date, timedelta

from approvals.ledger import KeyProjectStatus
from reports import charts


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_activity_chart_is_a_phone_sized_png() -> None:
    per_day = {date(2026, 11, 1) + timedelta(days=n): n % 4 for n in range(30)}
    data = charts.activity_chart(
        per_day,
        {"重点项目": 3, "绿色通道": 7, "常规": 2},
        title="绿色通道 · 2026-11-30",
        per_day_title="近30天每日批复数",
        backlog_title="各通道待办",
    )
    width, height = png_size(data)
    assert (width, height) == (720, 900)
    assert 10_000 < len(data) < 1_000_000


def test_ledger_chart_renders_chinese_labels_with_a_cjk_font() -> None:
    labels = dict(zip(KeyProjectStatus, ["未申报", "办理中", "待补正", "已批复", "不予批准"], strict=True))
    # filterwarnings=error turns matplotlib's "Glyph missing from font" into a failure here
    data = charts.ledger_chart(
        {KeyProjectStatus.APPROVED: 12, KeyProjectStatus.IN_PROGRESS: 20}, labels, title="重点项目：12/50"
    )
    assert png_size(data) == (720, 540)
    assert charts.font_family() in {
        "Noto Sans CJK SC",
        "Noto Sans SC",
        "Source Han Sans SC",
        "WenQuanYi Micro Hei",
        "Microsoft YaHei",
    }
