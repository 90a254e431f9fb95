"""The board's HTTP side: pages of open notices, the archive, one notice with its form, the Atom feed.

Parse → use case (``approvals.board.NoticeBoard``) → render: no SQL and no rule here. What a visitor sends is
bounded before it is parsed (size, time, number of fields), checked against the CSRF token and the send limits,
then cleaned by the domain; every page goes out with a strict Content-Security-Policy (nothing but this server's
own stylesheet: no script at all, no inline style, no frames, forms only to here)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiohttp import hdrs, web

from approvals import validation as v
from approvals.board import ArchiveQuery, NoticeBoard, offers_hearing, takes_comments, working_days_left
from approvals.errors import NoOpenNotice
from approvals.notices import Notice, NoticeKind
from approvals.public_comments import MAX_CONTACT, MAX_NAME, MAX_TEXT, InputKind
from public import texts
from public.csrf import COOKIE, Csrf
from public.feed import atom
from public.forms import read_form, same_origin
from public.limits import SendLimits
from public.render import PREFIX, Pages, language, link

log = logging.getLogger("green_channel.public")

STATIC = Path(__file__).resolve().parent / "static"
HONEYPOT = "website"  # hidden from people by the stylesheet; a bot filling every field fills it
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class BoardSite:
    board: NoticeBoard
    pages: Pages
    today: Callable[[], date]
    csrf: Csrf = field(default_factory=Csrf)
    limits: SendLimits = field(default_factory=SendLimits)
    trust_proxy: bool = False  # behind a reverse proxy: the sender's address is the last X-Forwarded-For entry
    base_url: str = ""  # the address the public reaches the board at, for the feed's links ("" = from the request)
    monotonic: Callable[[], float] = time.monotonic

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._headers])
        app.router.add_get("/", self.index)
        app.router.add_get("/archive", self.archive)
        app.router.add_get("/feed.atom", self.feed)
        app.router.add_get(r"/{id:\d{1,12}}", self.notice)
        app.router.add_post(r"/{id:\d{1,12}}", self.send)
        app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
        return app

    # -- pages

    async def index(self, request: web.Request) -> web.Response:
        today = self.today()
        chosen = _kind(request.query.get("kind", ""))
        page = await self.board.open_page(today, chosen, _page(request.query.get("page", "")))
        with self.pages.words(request):
            items = [self._item(n, today) for n in page.items]
            kinds = [(k.value, texts.kind(k)) for k in NoticeKind]
        return self._page(
            request, "index.html", items=items, page=page, kinds=kinds, chosen=chosen.value if chosen else ""
        )

    async def archive(self, request: web.Request) -> web.Response:
        q = request.query
        query = ArchiveQuery.of(
            project=q.get("project", ""),
            organisation=q.get("organisation", ""),
            published_from=q.get("from", ""),
            published_to=q.get("to", ""),
            after=q.get("after", ""),
        )
        today = self.today()
        found = await self.board.archive(today, query)
        with self.pages.words(request):
            items = [self._item(n, today) for n in found.items]
            problems = [_problem(p) for p in query.problems]
        typed = {"from": q.get("from", "")[:10], "to": q.get("to", "")[:10]}  # shown again as typed, to correct
        return self._page(
            request, "archive.html", items=items, found=found, query=query, problems=problems, typed=typed
        )

    async def notice(self, request: web.Request) -> web.Response:
        notice = await self._notice(request)
        sent = request.query.get("sent", "")
        return await self._notice_page(request, notice, sent=sent if sent in ("comment", "hearing") else "")

    async def feed(self, request: web.Request) -> web.Response:
        base = self._origin(request)
        notices = await self.board.feed()
        with self.pages.words(request):
            body = atom(
                notices,
                title=_("EIA approval notices"),
                feed_url=f"{base}{PREFIX}/feed.atom",
                board_url=f"{base}{PREFIX}/",
                notice_url=lambda n: f"{base}{PREFIX}/{n.id}",
                entry_title=lambda n: f"{texts.kind(n.kind)} · {n.project_name}",
                summary=lambda n: _feed_summary(n),
                author=_("Environmental protection bureau"),
            )
        return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")

    # -- the form

    async def send(self, request: web.Request) -> web.StreamResponse:
        notice = await self._notice(request)
        form = await read_form(request)  # bounded: 413 before anything is parsed
        values = {name: form.get(name, "") for name in ("name", "contact", "text")}
        kind = InputKind.HEARING if form.get("kind") == "hearing" else InputKind.COMMENT
        cookie = request.cookies.get(COOKIE, "")
        if not same_origin(request) or not self.csrf.valid(cookie, form.get("csrf", "")):
            with self.pages.words(request):
                problem = _("This form has expired. Please send it again.")
            return await self._notice_page(request, notice, values=values, kind=kind, problem=problem, status=403)
        if form.get(HONEYPOT):  # a person never sees the field: answer as for a comment, keep nothing
            log.info("public form honeypot filled notice=%d", notice.id)
            raise web.HTTPSeeOther(link(language(request), f"/{notice.id}", {"sent": kind.value}))
        address, now = self._address(request), self.monotonic()
        wait = self.limits.check(address, now)
        if wait:
            with self.pages.words(request):
                minutes = max(1, round(wait / 60))
                problem = _("Too many messages from your address. Please try again in {minutes} min.").format(
                    minutes=minutes
                )
            response = await self._notice_page(request, notice, values=values, kind=kind, problem=problem, status=429)
            response.headers[hdrs.RETRY_AFTER] = str(int(wait) + 1)
            return response
        try:
            await self.board.send(notice, kind, self.today(), **values)
        except v.InvalidField as exc:
            self.limits.give_back(address, now)  # a field to correct is not a send: correcting it is not a flood
            with self.pages.words(request):
                where, message = texts.problem(exc)
            return await self._notice_page(
                request, notice, values=values, kind=kind, errors={where: message}, status=400
            )
        except NoOpenNotice:
            with self.pages.words(request):
                problem = (
                    _("Hearing requests are taken only while a notice of the intended decision runs.")
                    if kind is InputKind.HEARING
                    else _("This notice has closed and takes no more comments. Thank you for your interest.")
                )
            return await self._notice_page(request, notice, values=values, kind=kind, problem=problem, status=409)
        raise web.HTTPSeeOther(link(language(request), f"/{notice.id}", {"sent": kind.value}))

    # -- helpers

    async def _notice(self, request: web.Request) -> Notice:
        notice = await self.board.notice(int(request.match_info["id"]))
        if notice is None:
            raise web.HTTPNotFound()
        return notice

    async def _notice_page(
        self,
        request: web.Request,
        notice: Notice,
        *,
        values: dict[str, str] | None = None,
        kind: InputKind = InputKind.COMMENT,
        errors: dict[str, str] | None = None,
        problem: str = "",
        sent: str = "",
        status: int = 200,
    ) -> web.Response:
        today = self.today()
        cookie = request.cookies.get(COOKIE, "")
        fresh = not cookie or len(cookie) > 100
        if fresh:
            cookie = self.csrf.new_cookie()
        with self.pages.words(request):
            item = self._item(notice, today)
        response = self._page(
            request,
            "notice.html",
            status=status,
            item=item,
            comments=await self.board.comment_count(notice.id),
            open_form=takes_comments(notice, today),
            hearing=offers_hearing(notice, today),
            values=values or {"name": "", "contact": "", "text": ""},
            kind=kind.value,
            errors=errors or {},
            problem=problem,
            sent=sent,
            csrf=self.csrf.token(cookie),
            limits={"name": MAX_NAME, "contact": MAX_CONTACT, "text": MAX_TEXT},
            honeypot=HONEYPOT,
            here=f"/{notice.id}",
            address=self._origin(request) + link(language(request), f"/{notice.id}"),
        )
        if fresh:
            response.set_cookie(
                COOKIE, cookie, path=PREFIX, httponly=True, samesite="Strict", secure=self._secure(request)
            )
        return response

    def _page(self, request: web.Request, name: str, *, status: int = 200, **values: Any) -> web.Response:
        response = self.pages.render(request, name, status=status, **values)
        response.headers[hdrs.CACHE_CONTROL] = "no-store" if name == "notice.html" else "max-age=60"
        return response

    def _item(self, notice: Notice, today: date) -> dict[str, Any]:
        """What a page shows of a notice: its published fields and words for its kind, days and decision."""
        left = working_days_left(self.board.calendar, today, notice)
        return {
            "notice": notice,
            "kind": texts.kind(notice.kind),
            "open": notice.is_open(today),
            "left": texts.days_left(left, notice, today),
            "decision": texts.decision(notice) if notice.kind is NoticeKind.DECISION and notice.outcome else "",
            "remedies": texts.remedies() if notice.kind is NoticeKind.DECISION else "",
        }

    def _origin(self, request: web.Request) -> str:
        """How the public reaches the board: PUBLIC_BASE_URL, else this request's scheme and host (behind a trusted
        proxy, the scheme and host it forwarded)."""
        if self.base_url:
            return self.base_url.rstrip("/")
        host = request.host
        if self.trust_proxy:
            host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or host
        return f"{'https' if self._secure(request) else request.scheme}://{host}"

    def _secure(self, request: web.Request) -> bool:
        """Reached over TLS: here, or at the proxy in front (which says so in X-Forwarded-Proto)."""
        return request.secure or (self.trust_proxy and request.headers.get("X-Forwarded-Proto", "") == "https")

    def _address(self, request: web.Request) -> str:
        if self.trust_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "").split(",")[-1].strip()
            if forwarded:
                return forwarded[:64]
        return request.remote or "unknown"

    @web.middleware
    async def _headers(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            response = self.pages.render(request, "missing.html", status=404)
        except web.HTTPException as exc:
            if exc.status < 400:  # a redirect
                exc.headers.update(HEADERS)
                raise
            with self.pages.words(request):
                reason = _status_text(exc.status)
            response = self.pages.render(request, "problem.html", status=exc.status, reason=reason)
        response.headers.update(HEADERS)
        return response


def _kind(value: str) -> NoticeKind | None:
    try:
        return NoticeKind(value) if value else None
    except ValueError:
        return None


def _page(value: str) -> int:
    """The page asked for; a number too big or no number at all is a page past the last (empty, with the way back)."""
    if not value:
        return 0
    found = v.parse_number(value, high=1000, low=0)
    return 1000 if found is None else found


def _problem(name: str) -> str:
    return {
        "from": _("“Published from” is not a date: please write it as YYYY-MM-DD."),
        "to": _("“to” is not a date: please write it as YYYY-MM-DD."),
        "order": _("“Published from” is later than “to”: please swap or correct them."),
        "cursor": _("This page of the archive does not exist (the link is damaged or out of date)."),
    }[name]


def _feed_summary(notice: Notice) -> str:
    period = _("{start} to {end}").format(start=notice.opens_on.isoformat(), end=notice.ends_on.isoformat())
    parts = [notice.organisation, notice.location, period]
    if notice.kind is NoticeKind.DECISION and notice.outcome:
        parts.append(texts.decision(notice))
    return " · ".join(parts)


def _status_text(status: int) -> str:
    return {
        405: _("This address cannot be used that way."),
        408: _("The form took too long to arrive. Please send it again."),
        413: _("What was sent is too large: a comment may have at most 2,000 characters."),
        415: _("Please send the form from the notice's page."),
    }.get(status, _("The request could not be handled. Please go back and try again."))
