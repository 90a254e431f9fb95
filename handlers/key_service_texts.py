"""The key-project service's words (call inside the reader's locale): stages, colours, a project's page, a
liaison's projects, the weekly bulletin's message. Names from files and notes are escaped and shortened here."""

from __future__ import annotations

from datetime import date
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.bulletin import Bulletin, BulletinRow, Colour, Movement, Why
from approvals.calendar import WorkCalendar
from approvals.key_service import KeyServiceProblem, ProjectView
from approvals.key_stages import KeyStage, ProjectStage
from approvals.ledger import KeyProject
from handlers import limits

NAME = 40  # units of a project's name in a line
NOTE = 200  # units of a consultation's note on the project's page
CONSULTATIONS_SHOWN = 5  # the latest, on the project's page
LIAISON_ROWS = 10  # open items per liaison in the bulletin's message
COLOUR_ROWS = 8  # red and yellow projects named in the bulletin's message


def stage_name(stage: KeyStage) -> str:
    return {
        KeyStage.NOT_APPLIED: _("not yet applied"),
        KeyStage.PREPARING: _("preparing (pre-application)"),
        KeyStage.RECEIVED: _("received"),
        KeyStage.ACCEPTED: _("accepted"),
        KeyStage.WAITING_MATERIAL: _("waiting for the applicant's material"),
        KeyStage.CLOCK_STOPPED: _("clock stopped (excluded time)"),
        KeyStage.IN_NOTICE: _("in notice"),
        KeyStage.SIGNING: _("being signed off"),
        KeyStage.APPROVED: _("approved"),
        KeyStage.REJECTED: _("rejected"),
        KeyStage.FILED: _("filed (registration form)"),
        KeyStage.NO_EIA: _("no EIA needed"),
        KeyStage.AT_RISK: _("at risk"),
    }[stage]


def colour_name(colour: Colour) -> str:
    return {Colour.RED: _("red"), Colour.YELLOW: _("yellow"), Colour.GREEN: _("green")}[colour]


COLOUR_MARK = {Colour.RED: "🔴", Colour.YELLOW: "🟡", Colour.GREEN: "🟢"}


def reason(why: Why) -> str:
    return {
        Why.PAST_PROMISE: _("past the promised deadline"),
        Why.PAST_LEGAL: _("past the legal deadline"),
        Why.STUCK: _("in one stage too long"),
        Why.AT_RISK: _("at risk"),
        Why.WAITING: _("waiting on the applicant too long"),
    }[why]


def movement_name(kind: Movement) -> str:
    return {
        Movement.ACCEPTED: _("accepted"),
        Movement.APPROVED: _("approved"),
        Movement.RETURNED: _("returned to the applicant"),
    }[kind]


def problem(exc: KeyServiceProblem) -> str:
    return {
        "unknown_key_code": _("That key project is not on the current list."),
        "not_a_reviewer": _("Only a reviewer of the bureau can be a liaison."),
        "bad_consultation_day": _("The date must be today or earlier (YYYY-MM-DD)."),
        "bad_consultation_note": _("The note must be 1 to 500 characters."),
    }.get(exc.problem, _("That did not work. Please try again."))


def _name(text: str) -> str:
    return escape(limits.shorten(text, NAME))


def project_line(project: KeyProject) -> str:
    return f"{escape(project.code)} {_name(project.name)}"


def stage_line(stage: ProjectStage, today: date, calendar: WorkCalendar) -> str:
    """'accepted since 2026-11-20 (7 working days)'; a stage with no date to count from says only its name."""
    if stage.since is None:
        return stage_name(stage.stage)
    days = calendar.working_days_between(stage.since, today)
    return ngettext(
        "{stage} since {day} ({n} working day)", "{stage} since {day} ({n} working days)", max(days, 0)
    ).format(stage=stage_name(stage.stage), day=stage.since.isoformat(), n=max(days, 0))


RUNNING = (KeyStage.ACCEPTED, KeyStage.IN_NOTICE, KeyStage.SIGNING, KeyStage.AT_RISK)  # the promise's clock runs


def days_left(stage: ProjectStage, today: date, calendar: WorkCalendar) -> str:
    """Working days left to the promised deadline of the request that speaks for the project, if it runs."""
    request = stage.request
    if request is None or stage.stage not in RUNNING:
        return ""
    left = calendar.working_days_between(today, request.promised_due)
    if left < 0:
        return ngettext("{n} working day overdue", "{n} working days overdue", -left).format(n=-left)
    return ngettext("{n} working day left", "{n} working days left", left).format(n=left)


def project_page(view: ProjectView, liaison_name: str, today: date, calendar: WorkCalendar) -> str:
    lines = [
        f"<b>{escape(view.project.code)}</b> {escape(limits.shorten(view.project.name, 120))}",
        _("Owner: {owner}").format(owner=escape(limits.shorten(view.project.owner, 120))),
        _("Liaison: {name}").format(name=escape(liaison_name) if view.liaison is not None else _("none")),
        _("Stage: {stage}").format(stage=stage_line(view.stage, today, calendar)),
    ]
    if view.stage.request is not None:
        lines.append(_("Request: #{id}").format(id=view.stage.request.request_id))
        if left := days_left(view.stage, today, calendar):
            lines.append(left)
    if view.consultations:
        lines.append(
            ngettext(
                "<b>{n} pre-application consultation</b>",
                "<b>{n} pre-application consultations</b>",
                len(view.consultations),
            ).format(n=len(view.consultations))
        )
        for item in view.consultations[-CONSULTATIONS_SHOWN:]:
            lines.append(f"· {item.held_on.isoformat()} {escape(limits.shorten(item.note, NOTE))}")
    return "\n".join(lines)


def consultation_prompt(project: KeyProject) -> str:
    return _(
        "Reply with the consultation for {project}: its date and a note, e.g.\n<code>2026-11-20 met the owner on "
        "site; the report form is being drafted</code>\n/cancel to stop."
    ).format(project=project_line(project))


def my_projects(rows: list[tuple[KeyProject, ProjectStage]], today: date, calendar: WorkCalendar) -> list[str]:
    """The reviewer's /my: the key projects they are liaison of, each with its stage and the days left."""
    if not rows:
        return []
    blocks = [
        ngettext(
            "<b>Your key project as liaison</b> ({n})", "<b>Your key projects as liaison</b> ({n})", len(rows)
        ).format(n=len(rows))
    ]
    for project, stage in rows:
        parts = [project_line(project), stage_line(stage, today, calendar)]
        if left := days_left(stage, today, calendar):
            parts.append(left)
        blocks.append("· " + " · ".join(parts))
    return blocks


def _row_line(row: BulletinRow, names: dict[int, str]) -> str:
    why = _(", ").join(reason(w) for w in row.rating.reasons)
    who = f" · {escape(names.get(row.liaison, str(row.liaison)))}" if row.liaison is not None else ""
    since = f" {row.stage.since.isoformat()}" if row.stage.since is not None else ""
    tail = f" — {why}" if why else ""
    stage = stage_name(row.stage.stage)
    return f"{COLOUR_MARK[row.rating.colour]} {project_line(row.project)} · {stage}{since}{who}{tail}"


def bulletin_text(bulletin: Bulletin, names: dict[int, str], *, late: bool = False) -> list[str]:
    """Blocks for ``texts.chunks``: the counts, the red and yellow projects (a few), the week's movements, each
    liaison's open items. The whole list is in the workbook that comes with it."""
    head = _("<b>Key projects: weekly bulletin</b> · week of {week}").format(week=bulletin.week.isoformat())
    if late:
        head += "\n" + _("(sent late, on {day})").format(day=bulletin.today.isoformat())
    blocks = [
        head,
        _("🔴 red {red} · 🟡 yellow {yellow} · 🟢 green {green}").format(
            red=bulletin.count(Colour.RED), yellow=bulletin.count(Colour.YELLOW), green=bulletin.count(Colour.GREEN)
        ),
    ]
    for colour in (Colour.RED, Colour.YELLOW):
        rows = bulletin.of(colour)
        blocks += [_row_line(row, names) for row in rows[:COLOUR_ROWS]]
        if len(rows) > COLOUR_ROWS:
            hidden = len(rows) - COLOUR_ROWS
            blocks.append(
                ngettext("… and {n} more (see the workbook)", "… and {n} more (see the workbook)", hidden).format(
                    n=hidden
                )
            )
    moved = [f"{movement_name(kind)} {len(steps)}" for kind, steps in bulletin.movements.items()]
    blocks.append(_("<b>This week</b>: {moves}").format(moves=" · ".join(moved)))
    if bulletin.per_liaison:
        blocks.append(_("<b>Open items per liaison</b>"))
        for user_id, rows in bulletin.per_liaison.items():
            shown = ", ".join(f"{COLOUR_MARK[r.rating.colour]}{escape(r.project.code)}" for r in rows[:LIAISON_ROWS])
            more = f" +{len(rows) - LIAISON_ROWS}" if len(rows) > LIAISON_ROWS else ""
            blocks.append(f"· {escape(names.get(user_id, str(user_id)))} ({len(rows)}): {shown}{more}")
    return blocks
