"""The written notices rendered and read back: DOCX with python-docx, PDF text with PDFium, its fonts' dictionaries
with pypdf, a page rasterised (pypdfium2) and checked for ink; templates, bounds and hostile field values."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document
from pypdf import PdfReader

from paperwork import PaperFields, PaperKind, Rendered, RenderError, TemplateError, Templates, chinese_date, render
from paperwork.fields import ITEMS, LINE, TEXT, clean, clean_items
from paperwork.kinds import TITLES, kind_for
from paperwork.render_pdf import MAX_PAGES

BUREAU = "测试市城东区生态环境局"
CREATED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SHOTS = Path("artifacts/papers")


def fields(**changes: object) -> PaperFields:
    base = PaperFields(
        bureau=BUREAU,
        request_id="12",
        date=chinese_date(date(2026, 12, 1)),
        project="城东污水处理厂扩建",
        organisation="区水务集团",
        document_type="环境影响报告书",
        location="城东街道",
        received_on="2026年11月30日",
        accepted_on="2026年12月1日",
        legal_due="2027年1月12日",
        promised_due="2026年12月29日",
        approval_number="区环审〔2026〕7号",
        reason="项目选址位于饮用水水源二级保护区内",
        supply_due="2026年12月21日",
        stop_kind="专家评审",
        stop_days="10",
        stop_until="2026年12月15日",
        review_days="60",
        lawsuit_months="6",
        items=("建设项目环境影响报告书全本", "公众参与说明"),
    )
    return PaperFields(**{**base.to_json(), **changes})  # type: ignore[arg-type]


def pdf_text(data: bytes) -> str:
    document = pdfium.PdfDocument(data)
    try:
        return "".join(page.get_textpage().get_text_range() for page in document).replace("\r\n", "")
    finally:
        document.close()


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)


@pytest.fixture(scope="module")
def templates() -> Templates:
    return Templates.load()


@pytest.fixture(scope="module")
def rendered(templates: Templates) -> dict[PaperKind, Rendered]:
    return {kind: render(templates, kind, fields(), created=CREATED) for kind in PaperKind}


# what each document must say besides the bureau, the request number and the date: its decision
CONTENT = {
    PaperKind.ACCEPTANCE: ("予以受理", "2027年1月12日", "2026年12月29日"),
    PaperKind.DEEMED_ACCEPTANCE: ("五个工作日内告知", "即为受理", "2027年1月12日", "2026年12月29日"),
    PaperKind.COMPLETION: ("1. 建设项目环境影响报告书全本", "2. 公众参与说明", "2026年12月21日前补正"),
    PaperKind.NOT_ACCEPTED: ("决定不予受理", "60日内", "6个月内"),
    PaperKind.SPECIAL_PROCEDURE: ("专家评审", "10个工作日", "2026年12月15日", "第四十五条", "2027年1月12日"),
    PaperKind.APPROVAL: ("区环审〔2026〕7号", "我局同意你单位", "的批复"),
    PaperKind.REJECTION: ("决定不予批准", "饮用水水源二级保护区", "60日内依法申请行政复议", "6个月内"),
}


@pytest.mark.parametrize("kind", list(PaperKind))
def test_each_document_carries_bureau_number_date_and_decision_in_both_files(
    kind: PaperKind, rendered: dict[PaperKind, Rendered]
) -> None:
    done = rendered[kind]
    number = "区环审〔2026〕7号" if kind is PaperKind.APPROVAL else "申请编号：12"
    for text in (pdf_text(done.pdf), docx_text(done.docx)):
        for expected in (TITLES[kind], BUREAU, number, "2026年12月1日", "城东污水处理厂扩建", *CONTENT[kind]):
            assert expected in text, (kind, expected)
    assert done.docx.startswith(b"PK") and done.pdf.startswith(b"%PDF-")


def test_the_pdf_embeds_its_chinese_font(rendered: dict[PaperKind, Rendered]) -> None:
    for done in rendered.values():
        reader = PdfReader(io.BytesIO(done.pdf))
        fonts = [f.get_object() for page in reader.pages for f in page["/Resources"]["/Font"].values()]
        assert fonts
        for font in fonts:
            assert "NotoSerifSC" in str(font["/BaseFont"])
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            embedded = [key for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor]
            assert embedded, "font not embedded"
            assert len(descriptor[embedded[0]].get_object().get_data()) > 1000  # a real subset, not a stub
            assert "/ToUnicode" in font  # text can be searched and copied


def test_a_page_rasterised_has_ink_where_the_text_is(rendered: dict[PaperKind, Rendered]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for kind, done in rendered.items():
        document = pdfium.PdfDocument(done.pdf)
        try:
            image = document[0].render(scale=1.0).to_pil().convert("L")
        finally:
            document.close()
        image.save(SHOTS / f"{kind.value}.png")
        width, height = image.size
        assert abs(width - 595) <= 1 and abs(height - 842) <= 1  # A4 (210 × 297 mm) at 72 dpi
        dark = sum(image.histogram()[:128])
        assert 0.01 < dark / (width * height) < 0.3, kind  # text on a white page: not blank, not a black box
        top = image.crop((0, 0, width, 100))  # the top margin (37 mm) is empty, as GB/T 9704 leaves it
        assert sum(top.histogram()[:200]) == 0


def test_rendering_is_deterministic_so_a_render_repeated_makes_the_same_document(templates: Templates) -> None:
    one = render(templates, PaperKind.ACCEPTANCE, fields(), created=CREATED)
    two = render(templates, PaperKind.ACCEPTANCE, fields(), created=CREATED)
    assert (one.docx, one.pdf) == (two.docx, two.pdf)


def test_applicant_text_is_printed_as_typed_never_read_as_markup_or_placeholders(templates: Templates) -> None:
    hostile = fields(
        project="<b>x</b>{{bureau}}&amp;\x00\x1b[31m\u202eevil😀",
        organisation="A" * 50_000,
        reason="R" * 100_000,
        items=tuple(f"item {n}" for n in range(500)),
    )
    done = render(templates, PaperKind.COMPLETION, hostile, created=CREATED)
    docx, pdf = docx_text(done.docx), pdf_text(done.pdf)
    assert "<b>x</b>{{bureau}}&amp;" in docx and "<b>x</b>{{bureau}}&amp;" in pdf  # not substituted, not parsed
    assert "\x00" not in docx and "\u202e" not in docx and "\x1b" not in docx  # control and bidi characters gone
    assert "evil?" in pdf  # a glyph the font lacks prints as "?"
    assert "A" * LINE not in docx and "A" * (LINE - 1) + "…" in docx  # each field cut at its limit
    assert f"{ITEMS - 1}. item {ITEMS - 2}" in docx and "另有" in docx and "item 499" not in docx
    assert len(PdfReader(io.BytesIO(done.pdf)).pages) <= MAX_PAGES


def test_a_document_past_the_page_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "rejection.txt").write_text("= 不予批准决定书\n" + "{{reason}}\n" * 300, encoding="utf-8")
    with pytest.raises(RenderError, match="pages"):
        render(Templates.load(tmp_path), PaperKind.REJECTION, fields(reason="理" * TEXT), created=CREATED)


def test_a_bureau_template_replaces_the_default_and_optional_lines_drop_when_empty(tmp_path: Path) -> None:
    (tmp_path / "approval.txt").write_text(
        "# our own\n= {{bureau}}批复\n^ {{approval_number}}\n> 经办：审批科\n? 附注：{{reason}}\n", encoding="utf-8"
    )
    templates = Templates.load(tmp_path)
    assert templates[PaperKind.APPROVAL].source == tmp_path / "approval.txt"
    assert templates[PaperKind.REJECTION].source.parent.name == "templates"  # the others stay the defaults
    text = docx_text(render(templates, PaperKind.APPROVAL, fields(reason=""), created=CREATED).docx)
    assert f"{BUREAU}批复" in text and "经办：审批科" in text and "附注" not in text
    text = docx_text(render(templates, PaperKind.APPROVAL, fields(reason="请按时验收"), created=CREATED).docx)
    assert "附注：请按时验收" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("= 标题\n{{bureu}}\n", r"approval.txt:2: unknown field \{\{bureu\}\}"),
        ("正文没有标题\n", "no title line"),
        ("= 标题\n材料：{{items}}\n", r"approval.txt:2: \{\{items\}\} is a list"),
    ],
)
def test_a_broken_template_stops_loading_naming_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "approval.txt").write_text(content, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        Templates.load(tmp_path)


def test_a_template_not_utf8_or_too_large_is_refused(tmp_path: Path) -> None:
    (tmp_path / "acceptance.txt").write_bytes("= 受理通知书".encode("gbk"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        Templates.load(tmp_path)
    (tmp_path / "acceptance.txt").write_text("= t\n" + "x" * 70_000, encoding="utf-8")
    with pytest.raises(TemplateError, match="larger than"):
        Templates.load(tmp_path)


def test_dates_in_official_form_and_lists_numbered_once() -> None:
    assert chinese_date(date(2027, 2, 5)) == "2027年2月5日"  # no leading zeros (GB/T 9704-2012)
    assert chinese_date(date(2026, 10, 10)) == "2026年10月10日"
    assert clean_items("1. 报告书全本\n2、公众参与说明\n\n三、 附图\n- 其他") == (
        "报告书全本",
        "公众参与说明",
        "附图",
        "其他",
    )
    assert clean("  a \t b\u3000 c ") == "a b c"


def test_which_step_issues_which_document() -> None:
    assert {a: kind_for(a) for a in ("accept", "deem_accept", "list_missing", "return", "stop_clock")} == {
        "accept": PaperKind.ACCEPTANCE,
        "deem_accept": PaperKind.DEEMED_ACCEPTANCE,
        "list_missing": PaperKind.COMPLETION,
        "return": PaperKind.NOT_ACCEPTED,
        "stop_clock": PaperKind.SPECIAL_PROCEDURE,
    }
    assert kind_for("approve") is PaperKind.APPROVAL and kind_for("reject") is PaperKind.REJECTION
    assert kind_for("claim") is None and kind_for("resume_clock") is None


def test_a_broken_bureau_template_stops_start_up_with_a_line_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from config import ConfigError, load_settings

    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("BOT_TOKEN", "4242:TEST-not-a-real-token")
    own = tmp_path / "templates"
    own.mkdir()
    (own / "rejection.txt").write_text("= 不予批准决定书\n{{reasn}}\n", encoding="utf-8")
    monkeypatch.setenv("TEMPLATES_DIR", str(own))
    with pytest.raises(ConfigError) as refused:
        load_settings()
    assert "TEMPLATES_DIR" in str(refused.value) and "rejection.txt:2: unknown field {{reasn}}" in str(refused.value)
    (own / "rejection.txt").write_text("= 不予批准决定书\n{{reason}}\n", encoding="utf-8")
    monkeypatch.setenv("BUREAU_NAME", "北京市朝阳区生态环境局")
    settings = load_settings()
    assert settings.templates_dir == own and settings.bureau_name == "北京市朝阳区生态环境局"
    assert settings.written_notices
