"""The key-project list's messages: an import's preview and outcome, /keyprojects' pages, and the summary's few
lines on the key projects that need attention. Every name from a file is escaped and shortened here."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from approvals.admin import KeyBoardPage
from approvals.key_attention import Attention, KeyAttention
from approvals.key_list import ImportOutcome, ImportResult, ListChanges
from approvals.key_stages import ProjectStage
from approvals.ledger import KeyProject
from handlers import limits
from handlers import texts as t
from handlers.key_service_texts import stage_name

SHOWN = 10  # lines of each part of a preview; the rest are counted
NAME = 60  # units of a project's name or owner in a list line
ATTENTION_SHOWN = 5  # key projects needing attention listed in the summary and /stats


def _name(text: str) -> str:
    return escape(limits.shorten(text, NAME))


def _project(project: KeyProject) -> str:
    return f"{escape(project.code)} {_name(project.name)}"


def _more(hidden: int) -> list[str]:
    return [ngettext("… and {n} more", "… and {n} more", hidden).format(n=hidden)] if hidden > 0 else []


def import_preview(changes: ListChanges) -> list[str]:
    """Blocks for ``texts.chunks``: what Confirm would change. The buttons go under the last message."""
    if not changes.changes_anything:
        return [
            ngettext(
                "The file lists the same {n} key project as the current list: nothing to import.",
                "The file lists the same {n} key projects as the current list: nothing to import.",
                changes.total,
            ).format(n=changes.total)
        ]
    blocks = [
        _("<b>Key-project list: preview</b>"),
        ngettext(
            "The file holds {n} project; the list now holds {before}.",
            "The file holds {n} projects; the list now holds {before}.",
            changes.total,
        ).format(n=changes.total, before=changes.before),
    ]
    if changes.added:
        blocks.append(_("<b>Added</b> ({n}):").format(n=len(changes.added)))
        blocks += [f"+ {_project(p)}" for p in changes.added[:SHOWN]]
        blocks += _more(len(changes.added) - SHOWN)
    if changes.removed:
        blocks.append(_("<b>Removed</b> ({n}), kept as archived codes:").format(n=len(changes.removed)))
        for p in changes.removed[:SHOWN]:
            naming = changes.named.get(p.code, 0)
            named = (
                " · " + ngettext("named by {n} request", "named by {n} requests", naming).format(n=naming)
                if naming
                else ""
            )
            blocks.append(f"− {_project(p)}{named}")
        blocks += _more(len(changes.removed) - SHOWN)
    if changes.renamed:
        blocks.append(_("<b>Renamed</b> ({n}):").format(n=len(changes.renamed)))
        blocks += [f"✎ {escape(r.code)} {_name(r.old_name)} → {_name(r.new_name)}" for r in changes.renamed[:SHOWN]]
        blocks += _more(len(changes.renamed) - SHOWN)
    if changes.details_changed:
        n = changes.details_changed
        blocks.append(
            ngettext(
                "{n} more project has a new owner or planned date.",
                "{n} more projects have a new owner or planned date.",
                n,
            ).format(n=n)
        )
    if changes.liaisons:
        blocks.append(
            ngettext("{n} project gets a new liaison.", "{n} projects get a new liaison.", changes.liaisons).format(
                n=changes.liaisons
            )
        )
    if naming := changes.requests_naming_removed:
        blocks.append(
            "⚠️ "
            + ngettext(
                "{n} request names a removed code. It keeps the code and its name, but the code no longer counts in "
                "the key-project figures.",
                "{n} requests name removed codes. They keep the code and its name, but those codes no longer count "
                "in the key-project figures.",
                naming,
            ).format(n=naming)
        )
    blocks.append(_("Nothing has changed yet. Confirm replaces the list; Cancel keeps it."))
    return blocks


def import_outcome(result: ImportResult) -> str:
    """What pressing Confirm or Cancel did (plain text: it may be a button's alert, at most 200 characters)."""
    if result.outcome is ImportOutcome.APPLIED:
        text = ngettext(
            "The key-project list now holds {n} project.", "The key-project list now holds {n} projects.", result.total
        ).format(n=result.total)
        if result.archived:
            archived = ngettext("{n} code was archived.", "{n} codes were archived.", result.archived)
            # two sentences: a space between them in English, none in Chinese
            text = _("{first} {second}").format(first=text, second=archived.format(n=result.archived))
        return "✅ " + text
    return {
        ImportOutcome.CANCELLED: _("Cancelled: the key-project list is unchanged."),
        ImportOutcome.ALREADY_APPLIED: _("This import was already confirmed."),
        ImportOutcome.ALREADY_CANCELLED: _("This preview was cancelled. Send the file again to import it."),
        ImportOutcome.OUT_OF_DATE: _(
            "This preview is out of date: the list has changed since, or a newer file was sent. Nothing was "
            "changed; send the file again."
        ),
    }.get(result.outcome, _("This preview is not yours, or no longer exists."))


def board_page(page: KeyBoardPage, *, can_import: bool, stages: Mapping[str, ProjectStage] | None = None) -> str:
    """One page of /keyprojects: the headline, the projects shown with their stage (the words /ledger and the
    bulletin use, from the same derivation; the older status only where the key-project service is not wired),
    how to search."""
    found = page.matches
    head = _("<b>Key projects</b>: {approved} of {total} approved").format(approved=page.approved, total=page.total)
    if found.text:
        head += "\n" + ngettext("{n} matches “{text}”", "{n} match “{text}”", found.total).format(
            n=found.total, text=escape(found.text)
        )
    if found.pages > 1:
        head += " · " + _("page {page}/{pages}").format(page=found.page + 1, pages=found.pages)
    lines = [head]
    shown = stages or {}
    lines += [
        f"{_project(p)} · {_name(p.owner)} · "
        + (stage_name(shown[p.code].stage) if p.code in shown else t.key_status(s))
        for p, s in page.rows
    ]
    if not page.rows:
        lines.append(_("No key project matches.") if found.text else _("The list is empty."))
    lines.append(_("Search: /keyprojects code or name"))
    if can_import:
        lines.append(_("To replace the list, send a CSV or XLSX file with columns code, name, owner."))
    return "\n".join(lines)


def attention(items: list[KeyAttention], shown: int = ATTENTION_SHOWN) -> list[str]:
    """The summary's and /stats' lines on the key projects needing attention: a few, then how many more."""
    if not items:
        return [_("No key project needs attention.")]
    blocks = [
        ngettext("<b>{n} key project needs attention</b>", "<b>{n} key projects need attention</b>", len(items)).format(
            n=len(items)
        )
    ]
    blocks += [f"· {_project(a.project)} — {_reason(a)} (#{a.request_id})" for a in items[:shown]]
    hidden = len(items) - shown
    if hidden > 0:
        blocks.append(
            ngettext("… and {n} more — /keyprojects", "… and {n} more — /keyprojects", hidden).format(n=hidden)
        )
    return blocks


def _reason(item: KeyAttention) -> str:
    due = item.due.isoformat()
    if item.reason is Attention.OVERDUE:
        return _("overdue: due {day}").format(day=due)
    if item.reason is Attention.AT_RISK:
        return ngettext(
            "at risk: due {day}, {n} working day left", "at risk: due {day}, {n} working days left", item.days_left
        ).format(day=due, n=item.days_left)
    return _("waiting for the applicant's material")
