"""Pages from the templates (Jinja2, every value escaped), in the reader's language."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from aiogram.utils.i18n import I18n
from aiohttp import web

TEMPLATES = Path(__file__).resolve().parent / "templates"
PREFIX = "/notices"  # where the board is served, on its own port and in the sandbox alike
LOCALES = {"zh": "zh_CN", "en": "en"}  # ?lang= → catalogue; Chinese unless English is asked for


def environment(i18n: I18n) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every value, whatever the template: HTML in a project name or a comment is shown as text
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.gettext(singular, plural, n),
        newstyle=False,
    )
    return env


def language(request: web.Request) -> str:
    return "en" if request.query.get("lang") == "en" else "zh"


def link(lang: str, path: str, params: Mapping[str, Any] | None = None) -> str:
    """A path on the board that keeps the reader's language (Chinese: no parameter)."""
    query = {k: str(v) for k, v in (params or {}).items() if v not in (None, "")}
    if lang == "en":
        query["lang"] = "en"
    return f"{PREFIX}{path}" + (f"?{urlencode(query)}" if query else "")


class Pages:
    def __init__(self, i18n: I18n) -> None:
        self.i18n = i18n
        self.env = environment(i18n)

    def render(self, request: web.Request, name: str, status: int = 200, **values: Any) -> web.Response:
        lang = language(request)
        here = request.path.removeprefix(PREFIX) or "/"
        kept = {k: v for k, v in request.query.items() if k not in ("lang", "sent")}
        with self.words(request):
            body = self.env.get_template(name).render(
                lang=lang,
                html_lang="en" if lang == "en" else "zh-CN",
                url=lambda path, **params: link(lang, path, params),
                other_language=link("zh" if lang == "en" else "en", here, kept),
                **values,
            )
        return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")

    @contextmanager
    def words(self, request: web.Request) -> Iterator[None]:
        """The catalogue answering in the reader's language (for the texts built in Python)."""
        with self.i18n.context(), self.i18n.use_locale(LOCALES[language(request)]):
            yield
