"""Ready-made drafts and actors for tests."""

from __future__ import annotations

from typing import Any

from approvals.models import Actor, Category, DocumentType, RequestDraft, Role

APPLICANT = Actor(user_id=101, name="王工", roles=frozenset({Role.APPLICANT}))
OTHER_APPLICANT = Actor(user_id=102, name="李工", roles=frozenset({Role.APPLICANT}))
REVIEWER = Actor(user_id=201, name="张审", roles=frozenset({Role.APPLICANT, Role.REVIEWER}))
REVIEWER_2 = Actor(user_id=202, name="赵审", roles=frozenset({Role.APPLICANT, Role.REVIEWER}))
ADMIN = Actor(user_id=9001, name="局长", roles=frozenset({Role.APPLICANT, Role.REVIEWER, Role.ADMIN}))


def make_draft(**changes: Any) -> RequestDraft:
    fields: dict[str, Any] = {
        "project_name": "城东污水处理厂扩建",
        "organisation": "区水务集团",
        "contact_name": "王工",
        "phone": "13812345678",
        "category": Category.INFRASTRUCTURE,
        "document_type": DocumentType.REPORT_FORM,
        "investment": "1200",
        "location": "城东街道",
        "description": "日处理能力由2万吨扩至4万吨",
    }
    fields.update(changes)
    return RequestDraft(**fields)
