"""/find in SQL: what each kind of text finds, and that no query scans the requests table."""

from datetime import UTC, datetime
from typing import Any

import pytest

from approvals.models import ApprovalRequest, AuditEvent, Lane, Status
from storage import search
from storage.database import Database
from storage.repositories import Repositories
from tests.factories import make_draft

AT = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


async def add(repos: Repositories, status: Status = Status.SUBMITTED, applicant: int = 300, **fields: Any) -> int:
    draft = {"organisation": "区城投集团", "contact_name": "李工", **fields}
    request = ApprovalRequest(
        **make_draft(**draft).model_dump(),
        id=0,
        applicant_id=applicant,
        lane=Lane.GREEN,
        status=status,
        submitted_at=AT,
        updated_at=AT,
        accepted_on=AT.date(),
        promised_due=AT.date(),
        statutory_due=AT.date(),
    )
    event = AuditEvent(request_id=0, actor_id=applicant, at=AT, action="submit", from_status=None, to_status=status)
    return (await repos.requests.add(request, event)).id


async def found(repos: Repositories, text: str = "", status: Status | None = None, limit: int = 10) -> list[int]:
    items, _more = await repos.requests.find(text=text, status=status, limit=limit)
    return sorted({r.id for r in items})


async def test_text_is_found_at_the_start_of_names_at_any_age_and_inside_them_among_recent_requests(
    repos: Repositories, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FIND_WINDOW", 5)  # the newest five requests are searched inside names
    old = await add(
        repos, project_name="城东污水处理厂扩建", organisation="区水务集团", contact_name="王工", applicant=101
    )
    waiting = await add(repos, Status.NEEDS_INFO, project_name="物流仓库0")
    for n in range(1, 8):
        await add(repos, project_name=f"物流仓库{n}")
    percent = await add(repos, project_name="达标率100%改造")
    await add(repos, project_name="1000吨项目")
    recent = await add(repos, project_name="新建城东污水泵站", organisation="Riverside Water Co")
    await repos.people.remember(101, "Alice Wang")

    assert await found(repos, "城东") == [old, recent]  # old by its start, recent by its middle
    assert await found(repos, "污水") == [recent]  # the old one has it only in the middle: outside the window
    assert await found(repos, "区水务") == [old]  # organisation
    assert await found(repos, "王") == [old]  # contact person
    assert await found(repos, "alice") == [old]  # the applicant's name, in any case
    assert await found(repos, "riverside") == [recent]
    assert await found(repos, "达标率100%") == [percent]
    assert await found(repos, "100%") == [percent]  # % is a character here, not "anything"
    assert await found(repos, "__") == []
    assert await found(repos, status=Status.NEEDS_INFO) == [waiting]
    assert await found(repos, status=Status.APPROVED) == []

    items, more = await repos.requests.find(text="物流", status=None, limit=3)
    assert len(items) == 3 and more


async def test_every_find_query_walks_an_index_or_a_range_of_the_primary_key(repos: Repositories, db: Database) -> None:
    for n in range(30):
        await add(repos, project_name=f"城东项目{n}", status=Status.SUBMITTED if n % 2 else Status.IN_REVIEW)
    for analysed in (False, True):  # as a new database plans it, and one with statistics (ANALYZE)
        if analysed:
            db.writer.raw.execute("ANALYZE")
        statements: list[str] = []
        await db.reader.conn.set_trace_callback(statements.append)
        await repos.requests.find(text="城东", status=None, limit=10)
        await repos.requests.find(text="项目1", status=None, limit=10)
        await repos.requests.find(text="", status=Status.IN_REVIEW, limit=10)
        await db.reader.conn.set_trace_callback(None)
        queries = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
        assert sum("FROM requests" in s for s in queries) >= 10
        for sql in queries:
            async with db.reader.execute(f"EXPLAIN QUERY PLAN {sql}") as cursor:
                plan = " | ".join(row[3] for row in await cursor.fetchall())
            assert "SCAN" not in plan, (sql, plan)  # never a walk over every row
            if "FROM attachments" not in sql:  # (those of the few requests found are sorted: a handful of rows)
                assert "TEMP B-TREE" not in plan, (sql, plan)  # no sort of everything matched
