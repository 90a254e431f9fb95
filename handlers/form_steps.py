"""The submission form's steps: order, how each answer is cleaned, and what each step asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiogram.fsm.state import State
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from approvals import validation as v
from handlers import keyboards as kb
from handlers.quota_form_steps import quota_prompt
from handlers.states import SubmitForm as F


@dataclass(frozen=True)
class Step:
    field: str
    state: State
    clean: Callable[[str], str] | None  # None: answered with buttons or files, not typed text


def _text(field: str) -> Callable[[str], str]:
    return lambda value: v.clean_text(field, value)


STEPS: tuple[Step, ...] = (
    Step("project_name", F.project_name, _text("project_name")),
    Step("organisation", F.organisation, _text("organisation")),
    Step("contact_name", F.contact_name, _text("contact_name")),
    Step("phone", F.phone, v.clean_phone),
    Step("category", F.category, None),
    Step("document_type", F.document_type, None),
    Step("investment", F.investment, lambda value: str(v.clean_investment(value))),
    Step("location", F.location, _text("location")),
    Step("description", F.description, _text("description")),
    Step("key_project", F.key_project, None),
    Step("discharge", F.discharge, None),  # handlers/quota_form.py: skips the next step when there is none
    Step("quota_source", F.quota_source, None),
    Step("documents", F.documents, None),
)
# asked only when the applicant picks it from the confirmation screen's Edit: optional, and a step in the sequence
# would change every form's length (the benchmarks' and the tests' scripts of it)
OPTIONAL: tuple[Step, ...] = (Step("eia_firm", F.eia_firm, _text("eia_firm")),)
BY_STATE = {step.state.state: step for step in (*STEPS, *OPTIONAL)}
BY_FIELD = {step.field: step for step in (*STEPS, *OPTIONAL)}
TEXT_STATES = tuple(step.state for step in (*STEPS, *OPTIONAL) if step.clean is not None)


def next_step(field: str) -> Step | None:
    """The step after ``field`` in the sequence (None after the last, and after an optional one)."""
    fields = [s.field for s in STEPS]
    if field not in fields:
        return None
    index = fields.index(field)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def labels() -> dict[str, str]:
    return {
        "project_name": _("Project"),
        "organisation": _("Organisation"),
        "eia_firm": _("EIA firm"),
        "contact_name": _("Contact"),
        "phone": _("Phone"),
        "category": _("Category"),
        "document_type": _("Document"),
        "investment": _("Investment"),
        "location": _("Location"),
        "description": _("Description"),
        "key_project": _("Key project"),
        "discharge": _("New discharge"),
        "documents": _("Documents"),
    }


def prompt(field: str, *, editing: bool = False) -> tuple[str, InlineKeyboardMarkup | None]:
    """The question for a step, with its buttons. Editing one answer from the confirmation screen is not step 1."""
    if field == "category":
        return _("Which category is the project?"), kb.categories()
    if field == "document_type":
        return _("Which EIA document are you submitting?"), kb.document_types()
    if field == "key_project":
        return (
            _(
                "Is this one of the district's key projects? Send its code or part of its name to search, or press "
                "“Not a key project”."
            ),
            None,
        )
    if field in ("discharge", "quota_source"):
        return quota_prompt(field)
    if field == "eia_firm":
        return (
            _(
                "The EIA firm (环评单位) that prepared the document? It is published with the request's public "
                "notices. Optional: press “No EIA firm” to leave it out."
            ),
            kb.no_eia_firm(),
        )
    if field == "documents":
        return (
            _(
                "Send the documents as files: PDF, DOC, DOCX or ZIP, up to 20 MB each. Several are fine. "
                "Press Done when all are sent."
            ),
            kb.documents_done(),
        )
    questions = {
        "project_name": _("The project name?") if editing else _("Step 1: the project name?"),
        "organisation": _("The construction organisation (建设单位)?"),
        "contact_name": _("The contact person's name?"),
        "phone": _("The contact's phone number (mobile, or landline with area code)?"),
        "investment": _("Total investment in 万元 (e.g. 1200.5)?"),
        "location": _("Where is the project (address or area)?"),
        "description": _("Describe the project briefly (scale, process, main environmental impacts)."),
    }
    return questions[field], None
