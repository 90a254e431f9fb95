"""What the bot says to point people the right way: /help for where it is typed and who types it, and the one-line
hints for messages no handler took (handlers/fallback.py)."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from approvals.models import Actor

# Commands answered only in a private chat: they show or take one applicant's own data (handlers/applicant.py,
# applicant_form.py, summary.py). Typed in a group they get a pointer to the private chat, not silence.
PRIVATE_ONLY = frozenset({"submit", "my", "status", "withdraw", "add", "files", "subscribe", "unsubscribe"})


def help_text(actor: Actor, *, private: bool, typed_numbers: bool = False, signs_off: bool = False) -> str:
    """Everyone's commands in a private chat; in a group, the reviewers' (what works there) and a pointer.
    ``typed_numbers``: the bureau types approval numbers (APPROVAL_NUMBER_FORMAT empty), so they can be corrected;
    issued numbers cannot. ``signs_off``: APPROVAL_CHAIN has more than the reviewer, so /sign has work to list."""
    lines = [_("<b>Commands</b>")]
    if private:
        lines += [
            _("/submit — start a new approval request"),
            _("/my — your requests and their deadlines"),
            _("/status N — one request with its history"),
            _("/withdraw N — withdraw a request"),
            _("/add N — add documents or a note to a request in progress"),
        ]
        if not actor.is_reviewer:  # reviewers read /files below: every document, their own requests' too
            lines.append(_("/files N — your documents of request N, sent back to you"))
        lines += [
            _("/subscribe — receive the daily summary (an administrator approves); /unsubscribe — stop"),
        ]
    lines += [_("/lang — choose the language"), _("/cancel — leave the current form")]
    if actor.is_reviewer:
        lines += [
            _("<b>Reviewers</b>"),
            _("/queue [N] — the queue in priority order (page N), each request with Open and Claim"),
            _("/next — check a received request, else claim the top one"),
            _("/claim N — claim request N; /release N — hand it back to the queue"),
            _("/note N text — an internal note for reviewers; /notes N — read them (private chat)"),
            _("/files N — every document of request N, in your private chat (📎 on a card does the same)"),
            _(
                "/stopclock N KIND DAYS — stop the clock for a technical assessment, expert review or hearing "
                "(art. 45; the applicant is told); /resumeclock N RESULT — restart it"
            ),
            _("/find TEXT — find requests by number, project, organisation, applicant or status"),
            _("/stats — today's figures; /summary — with the charts"),
            _("/keyprojects [TEXT] — the key projects and their status, a page at a time; TEXT searches"),
            _(
                "/bulletin — the weekly key-project bulletin now (red, yellow, green); /ledger — the key-project "
                "ledger (台账) as XLSX; /consult CODE YYYY-MM-DD note — record a pre-application consultation"
            ),
            _(
                "/quota — pollutant quotas (总量控制): the balance, what requests hold and wait for; "
                "/quota reduction … — declare a reduction project; /quota export — the ledger"
            ),
            _("/hearing N — what the public sent on request N; /hearing N H RESULT — record hearing request H closed"),
            _("/materials — the standard materials each kind of document needs (the completeness check)"),
        ]
        if signs_off:
            lines.append(
                _("/sign — the proposed decisions awaiting your signature (sign-off chain 经办 → 审核 → 签发)")
            )
    if actor.is_admin:
        lines += [
            _("<b>Admins</b>"),
            _(
                "/reviewers — list; /reviewers add ID [chief|director]; /reviewers remove ID [chief|director] "
                "(their claims go back to the queue)"
            ),
            _("/release N — free anyone's claim; /reassign N [ID] — hand a claim to another reviewer"),
            _("/revoke N — revoke a decision (with a reason; the applicant is told)"),
            *([_("/correct N — correct a typed approval number (with a reason)")] if typed_numbers else []),
            _(
                "/materials report|report_form, then one item a line — replace that checklist; "
                "/materials report|report_form reset — back to the standard one"
            ),
            _("Send a CSV/XLSX key-project list to replace it: you see what changes, then Confirm"),
            _("/keyprojects → a project → 👤 Assign liaison: the reviewer who looks after it (帮包)"),
            _("/export — all requests and their history as XLSX"),
            _(
                "/quota set POLLUTANT TONNES [reason] — an opening amount, or send an .xlsx captioned /quota; "
                "/quota confirm N — a reduction project's reductions credited"
            ),
        ]
    if not private:
        lines.append(_("Submitting and following a request (/submit, /my, /status …) works in a private chat with me."))
    return "\n".join(lines)


def command_name(text: str) -> str:
    """``/Queue@green_channel_bot 2`` -> ``queue``."""
    return text.split(maxsplit=1)[0][1:].partition("@")[0].lower()


def unknown_command(text: str, *, private: bool) -> str:
    name = command_name(text)
    if not private and name in PRIVATE_ONLY:
        return _("/{command} works in a private chat with me: write to me there.").format(command=escape(name))
    return _("I do not know /{command}. /help lists the commands.").format(command=escape(name[:64]))


def private_hint(actor: Actor, *, in_form: bool, document: bool) -> str:
    """A private message no handler took: a line of text, a file outside a form, a sticker…"""
    if in_form:
        return _("That is not an answer to the question above: send what it asks for, or /cancel to leave.")
    if document:
        if actor.is_admin:
            return _(
                "To send documents, start a request with /submit, or add them to one with /add N. "
                "A CSV or XLSX file replaces the key project list."
            )
        return _("To send documents, start a request with /submit, or add them to one with /add N.")
    if actor.is_reviewer:
        return _("I answer commands: /queue for the queue, /next for the top request, /help for the rest.")
    return _("I answer commands: /submit starts a request, /my lists yours, /help shows the rest.")


def group_hint() -> str:
    """Something addressed to the bot in a group (a reply to it, a mention) that no handler took."""
    return _("To act on a request, use the buttons on its card or a command; /help lists them.")
