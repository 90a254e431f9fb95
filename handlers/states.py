"""Conversation states. Kept in SQLite (storage.fsm), so a restart mid-form loses nothing."""

from aiogram.fsm.state import State, StatesGroup


class SubmitForm(StatesGroup):
    project_name = State()
    organisation = State()
    eia_firm = State()  # optional: asked only from the confirmation screen's Edit (not a step of the sequence)
    contact_name = State()
    phone = State()
    category = State()
    document_type = State()
    investment = State()
    location = State()
    description = State()
    key_project = State()
    discharge = State()  # new pollutant discharge per year (总量控制), or none
    quota_source = State()  # where its quota comes from: the balance, a reduction project, or exempt
    documents = State()
    confirm = State()


class Review(StatesGroup):
    reason = State()  # reject / request info / revoke / a correction: the reviewer types the reason
    approval_number = State()
    confirm = State()  # reject / revoke: the reason is shown back with Yes / No before anything changes
    correct_number = State()  # an admin types the corrected approval number (then the reason)


class Supplement(StatesGroup):
    material = State()


class Completeness(StatesGroup):
    ticking = State()  # a reviewer ticks the standard materials missing from a received request
    other = State()  # then types anything else missing (or sends the list as it stands)


class ClockStop(StatesGroup):
    days = State()  # a reviewer stopping the clock (art. 45) types the working days (or presses a number)
    result = State()  # a reviewer restarting it types the result
