"""Which step issues which document, and what each is called."""

from __future__ import annotations

from enum import StrEnum


class PaperKind(StrEnum):
    ACCEPTANCE = "acceptance"  # 受理通知书
    DEEMED_ACCEPTANCE = "deemed_acceptance"  # 受理通知书 of a request the law accepted (art. 32(4)): no check was made
    COMPLETION = "completion"  # 补正通知书: the one-time list of missing material
    NOT_ACCEPTED = "not_accepted"  # 不予受理通知书: the listed material never came (退件)
    SPECIAL_PROCEDURE = "special_procedure"  # 特殊程序告知书: excluded time (art. 45)
    APPROVAL = "approval"  # 批复, with its approval number
    REJECTION = "rejection"  # 不予批准决定书, with the remedies


TITLES: dict[PaperKind, str] = {
    PaperKind.ACCEPTANCE: "受理通知书",
    PaperKind.DEEMED_ACCEPTANCE: "受理通知书",
    PaperKind.COMPLETION: "补正通知书",
    PaperKind.NOT_ACCEPTED: "不予受理通知书",
    PaperKind.SPECIAL_PROCEDURE: "特殊程序告知书",
    PaperKind.APPROVAL: "批复",
    PaperKind.REJECTION: "不予批准决定书",
}

# the audit actions that issue a document; a deemed acceptance (art. 32(4)) says why it is one (no check was made
# in time), and a hearing the bot stops the clock for is excluded time like any other stop
_BY_ACTION: dict[str, PaperKind] = {
    "accept": PaperKind.ACCEPTANCE,
    "deem_accept": PaperKind.DEEMED_ACCEPTANCE,
    "list_missing": PaperKind.COMPLETION,
    "return": PaperKind.NOT_ACCEPTED,
    "stop_clock": PaperKind.SPECIAL_PROCEDURE,
    "approve": PaperKind.APPROVAL,
    "reject": PaperKind.REJECTION,
}


def kind_for(action: str) -> PaperKind | None:
    """The document a step issues, if any."""
    return _BY_ACTION.get(action)


def file_stem(kind: PaperKind, request_id: int) -> str:
    """The name an applicant sees, e.g. 受理通知书-12 (ASCII digits only besides the title: safe in any file system)."""
    return f"{TITLES[kind]}-{request_id}"
