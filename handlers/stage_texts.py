"""Words for the completeness check: where a request stands, the standard materials, and the check's errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from aiogram.utils.i18n import gettext as _

from approvals.completeness import Stage
from approvals.errors import DomainError, ListAlreadySent, NotYetAccepted, PeriodNotOver, PeriodOver
from approvals.models import Status
from approvals.states import Party

STAGE_ERRORS = (NotYetAccepted, PeriodOver, PeriodNotOver, ListAlreadySent)


def material(item: str) -> str:
    """A checklist item: a standard one by its name in the reader's language, an admin's own words as written
    (plain text: escape it for HTML)."""
    return {
        "application": _("Application for approval of the EIA document"),
        "report": _("EIA report (报告书), full text"),
        "report_form": _("EIA report form (报告表), full text"),
        "redaction_note": _("Note on what the public version leaves out (secrets, business secrets)"),
        "public_participation": _("Public participation statement"),
        "project_filing": _("Project approval, ratification or filing document"),
        "site_opinion": _("Planning and site selection opinion"),
        "business_licence": _("Business licence of the developer"),
        "emission_quota": _("Source of the total pollutant discharge quota"),
    }.get(item, item)


# a reviewer's own numbering at the start of a line ("3.", "3、", "(3)", "３．"): the list numbers its lines itself
OWN_NUMBER = re.compile(r"^\s*(?:[(（]\s*\d+\s*[)）]|\d+\s*(?:[.．](?!\d)|[、)）:：]))\s*")


def missing_list(items: Sequence[str], other: str) -> str:
    """The one list sent to the applicant (plain text: stored as the step's reason, escaped where shown). The
    reviewer's own lines follow the standard items, each numbered once."""
    lines = [material(item) for item in items]
    lines += [OWN_NUMBER.sub("", line, count=1).strip() for line in other.splitlines()]
    return "\n".join(f"{n}. {line}" for n, line in enumerate((line for line in lines if line), start=1))


def waiting(stage: Stage | None, notice_ended_on: date | None = None) -> str:
    """Whom the request waits on and until when (a line of a card, a receipt, /status); ``notice_ended_on``: the
    last day of an intended-decision notice that has run (the request in notice is then ready for the decision)."""
    if stage is None or stage.waits_on is None:
        return ""
    until = stage.until.isoformat() if stage.until else ""
    if stage.status is Status.IN_NOTICE and notice_ended_on is not None:
        return _("⏳ Notice ended on {end}: ready for the decision, promised by {day}").format(
            end=notice_ended_on.isoformat(), day=until
        )
    if stage.status is Status.RECEIVED:
        return _("⏳ Waiting on the bureau: accept it or list what is missing, by {day}").format(day=until)
    if stage.status is Status.INCOMPLETE:
        return _("⏳ Waiting on the applicant: send the listed material by {day}").format(day=until)
    if stage.status is Status.IN_NOTICE:
        return _("⏳ In public notice, then the decision, promised by {day}").format(day=until)
    if stage.waits_on is Party.OUTSIDE:  # the card adds which and until when (handlers/clock_texts.py)
        return _("⏳ Excluded time (art. 45): the clock is stopped")
    if stage.waits_on is Party.APPLICANT:
        return _("⏳ Waiting on the applicant: the material asked for (the clock is stopped)")
    if stage.status is Status.SIGNING:
        return _("⏳ Waiting on the bureau: the decision is being signed off, promised by {day}").format(day=until)
    return _("⏳ Waiting on the bureau: a decision, promised by {day}").format(day=until)


def stage_name(status: Status) -> str:
    """A stage before the decision (not a final status), short: for counts (the summary) and queue lines."""
    return {
        Status.RECEIVED: _("awaiting acceptance"),
        Status.INCOMPLETE: _("awaiting listed material"),
        Status.SUBMITTED: _("in the queue"),
        Status.RESUBMITTED: _("in the queue"),
        Status.IN_REVIEW: _("in review"),
        Status.NEEDS_INFO: _("material asked in review"),
        Status.IN_NOTICE: _("in notice"),
        Status.SIGNING: _("awaiting signature"),
        Status.EXCLUDED: _("excluded time"),
    }[status]


def stage_counts(counts: dict[Status, int]) -> str:
    """ "awaiting acceptance 2 · awaiting listed material 1 · …", every stage, in the procedure's order."""
    return _("By stage: {stages}").format(
        stages=" · ".join(f"{stage_name(status)} {n}" for status, n in counts.items())
    )


def error(exc: DomainError) -> str:
    if isinstance(exc, NotYetAccepted):
        return _("Request #{id} is not accepted yet (受理): accept it or list what is missing first.").format(
            id=exc.request_id
        )
    if isinstance(exc, PeriodOver) and exc.action == "supply":
        return _("The time to send the listed material ended on {day}: the submission is returned.").format(
            day=exc.until.isoformat()
        )
    if isinstance(exc, PeriodOver):
        return _("The completeness check ended on {day}: the request is accepted as of its receipt.").format(
            day=exc.until.isoformat()
        )
    if isinstance(exc, PeriodNotOver):
        return _("Not before {day}.").format(day=exc.until.isoformat())
    if isinstance(exc, ListAlreadySent):
        day = exc.listed_on.isoformat() if exc.listed_on else "—"
        return _(
            "The list of missing material for #{id} was sent on {day}; another one only after the applicant "
            "changes the documents."
        ).format(id=exc.request_id, day=day)
    return _("That did not work. Please try again.")
