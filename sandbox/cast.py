"""The people in the sandbox, and the sample data they find on first open (clearly marked as sample data)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from approvals.key_stages import Consultation
from approvals.ledger import KeyProject
from approvals.models import Actor, Attachment, Category, DocumentType, RequestDraft, Role, Status
from approvals.ports import Clock
from approvals.service import ApprovalService
from sandbox.quota_sample import SAMPLE_CLAIM, seed_quotas
from storage.repositories import Repositories

GROUP_ID = -1001000000001
TOKEN = "100000:SANDBOX-not-a-real-telegram-token-x"
# the sample requests' one document, put on the local server at every start (its files live in memory)
SAMPLE_FILE_ID = "sample-file"
SAMPLE_FILE_NAME = "样例环评报告表.pdf"
SAMPLE_PDF = b"%PDF-1.4\n% sample data: not a real EIA document\ntrailer\n<<>>\nstartxref\n0\n%%EOF\n"


@dataclass(frozen=True)
class Person:
    key: str  # how the web page names them
    user_id: int
    name: str
    language: str  # the Telegram app's language
    role: Role | None = None


CAST = (
    Person("applicant", 1001, "王建设 (区水务集团)", "zh-hans"),
    Person("applicant2", 1002, "Li Na (Eastport Energy)", "en"),
    Person("reviewer", 2001, "张审批", "zh-hans", Role.REVIEWER),
    Person("reviewer2", 2002, "Chen Review", "en", Role.REVIEWER),
    Person("admin", 9001, "刘科长 (admin)", "zh-hans", Role.ADMIN),
)
GROUP_TITLE = "审批科 Reviewers"

# How long ago the sample submission that shows a return (退件) was received: its list of missing material, sent
# the same day, must have run out (15 working days, more across a holiday week).
RETURNED_AGO = timedelta(days=45)
PROPOSED_AGO = timedelta(days=21)  # the approved samples' notices (5 working days) ran long ago
ACCEPTED_AGO = timedelta(days=56)  # and their acceptance notices (10 working days) before they were proposed

SAMPLE_PROJECTS = tuple(
    KeyProject(code=f"S{n:02d}", name=f"示例重点项目{n:02d}（样例数据）", owner=f"示例建设单位{(n - 1) % 7 + 1}")
    for n in range(1, 51)
)


def _draft(name: str, category: Category, document: DocumentType, key: str | None = None) -> RequestDraft:
    return RequestDraft(
        project_name=f"{name}（样例）",
        organisation="示例建设单位",
        contact_name="示例联系人",
        phone="13800000000",
        category=category,
        document_type=document,
        investment="1200",
        location="示例街道",
        description="样例数据：演示用，非真实项目。",
        key_code=key,
        attachments=(
            Attachment(file_id=SAMPLE_FILE_ID, name=SAMPLE_FILE_NAME, size=len(SAMPLE_PDF), mime="application/pdf"),
        ),
    )


async def seed(repos: Repositories, approvals: ApprovalService) -> bool:
    """Fill an empty sandbox database; False (nothing done) when it was filled before."""
    if await repos.key_projects.codes():
        return False
    await repos.key_projects.replace_all(SAMPLE_PROJECTS)
    for person in CAST:
        await repos.people.remember(person.user_id, person.name)
        if person.role is Role.REVIEWER:
            await repos.people.grant(person.user_id, Role.REVIEWER)
    applicant, applicant2 = (Actor(user_id=p.user_id, name=p.name) for p in CAST[:2])
    reviewer = Actor(user_id=2001, name=CAST[2].name, roles=frozenset({Role.REVIEWER}))
    # One request in each stage, so a newcomer sees the procedure: received (待受理), incomplete (待补正), returned
    # (退件); the rest accepted (受理) first, as the law requires, then claimed and decided or asked about.
    await approvals.submit(applicant, _draft("城东污水处理厂扩建", Category.INFRASTRUCTURE, DocumentType.REPORT_FORM))
    # the approved samples were proposed weeks ago: their notices of the intended decision (拟审批公示) have run
    then = replace(approvals, clock=_Ago(approvals.clock, PROPOSED_AGO))
    before = replace(approvals, clock=_Ago(approvals.clock, ACCEPTED_AGO))
    accepted = [
        await before.submit(applicant, _draft("示例重点项目01", Category.LIVELIHOOD, DocumentType.REPORT, "S01")),
        await before.submit(applicant2, _draft("光伏屋顶改造", Category.ENERGY_SAVING, DocumentType.REPORT_FORM)),
        await approvals.submit(applicant2, _draft("物流仓库新建", Category.OTHER, DocumentType.REPORT_FORM)),
        await approvals.submit(  # it declares a new discharge (sandbox/quota_sample.py): it waits for quota
            applicant,
            _draft("示例重点项目02", Category.INFRASTRUCTURE, DocumentType.REPORT, "S02").model_copy(
                update={"quota": SAMPLE_CLAIM}
            ),
        ),
        await approvals.submit(applicant2, _draft("社区卫生服务中心", Category.LIVELIHOOD, DocumentType.REPORT_FORM)),
    ]
    for n, request in enumerate(accepted):
        await (before if n < 2 else approvals).accept(reviewer, request.id)
    approved, approved2, rejected, asked, claimed = (r.id for r in accepted)
    for proposed in (approved, approved2):
        await then.claim(reviewer, proposed)
        await then.propose_approval(reviewer, proposed)
    await approvals.approve(reviewer, approved)  # the bureau issues its number: 示环审〔this year〕1号
    await approvals.approve(reviewer, approved2)
    await approvals.claim(reviewer, rejected)
    await approvals.reject(reviewer, rejected, "选址位于饮用水源保护区（样例）")
    await approvals.claim(reviewer, asked)
    await approvals.request_info(reviewer, asked, "请补充噪声监测报告（样例）")
    await approvals.claim(reviewer, claimed)
    incomplete = await approvals.submit(
        applicant2, _draft("美食街油烟净化改造", Category.LIVELIHOOD, DocumentType.REPORT_FORM)
    )
    await approvals.list_missing(reviewer, incomplete.id, "1. 规划选址意见（样例）\n2. 噪声监测报告（样例）")
    await _returned(approvals, applicant, reviewer)
    await _liaisons(repos, approvals)
    await seed_quotas(repos, approvals)
    return True


async def _liaisons(repos: Repositories, approvals: ApprovalService) -> None:
    """Each sample key project has a liaison (帮包): the first reviewer the first half, the second the rest; two
    projects are preparing (consultations on record) and one needs no EIA, so every stage shows up."""
    store = repos.key_service
    admin = CAST[4].user_id
    now = approvals.clock.now()
    for project in SAMPLE_PROJECTS:
        liaison = CAST[2].user_id if int(project.code[1:]) <= 25 else CAST[3].user_id
        await store.assign(project.code, liaison, by=admin, at=now)
    today = approvals.today()
    for code, days_ago, note in (
        ("S03", 30, "与建设单位前期对接：确定编制环评报告表（样例）"),
        ("S03", 9, "现场踏勘，核实选址与水源地距离（样例）"),
        ("S27", 4, "Pre-application meeting: the owner will file a report form (sample)"),
    ):
        held = today - timedelta(days=days_ago)
        await store.add_consultation(Consultation(code, held, note, CAST[2].user_id), at=now)
    await store.mark_no_eia("S50", today - timedelta(days=10), by=admin, at=now)


@dataclass(frozen=True)
class _Ago:
    """The service's clock, moved back: the returned sample was received and listed weeks ago."""

    clock: Clock
    by: timedelta

    def now(self) -> datetime:
        return self.clock.now() - self.by


async def _returned(approvals: ApprovalService, applicant: Actor, reviewer: Actor) -> None:
    then = replace(approvals, clock=_Ago(approvals.clock, RETURNED_AGO))
    old = await then.submit(applicant, _draft("旧厂房改建仓储", Category.OTHER, DocumentType.REPORT_FORM))
    await then.list_missing(reviewer, old.id, "1. 建设项目备案文件（样例）")
    returned = await approvals.take_overdue_step(old.id)  # the job's step, taken now: 退件
    assert returned is not None and returned.status is Status.RETURNED
