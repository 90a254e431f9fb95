"""Run as a subprocess by test_durability: commit requests, report each id, then wait to be killed. (Its
service is number_writer's too.)"""

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from approvals.calendar import WorkCalendar
from approvals.deadlines import DeadlinePolicy
from approvals.numbering import NumberFormat
from approvals.service import ApprovalService
from storage.database import Database
from storage.repositories import Repositories
from tests.factories import APPLICANT, make_draft


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 30, 2, tzinfo=UTC)


async def build_service(path: Path, numbering: NumberFormat | None = None) -> ApprovalService:
    db = await Database.open(path)
    repos = Repositories.over(db)
    return ApprovalService(
        requests=repos.requests,
        key_projects=repos.key_projects,
        calendar=WorkCalendar.china([2026, 2027]),
        policy=DeadlinePolicy(),
        clock=Clock(),
        tz=ZoneInfo("Asia/Shanghai"),
        numbering=numbering,
        notices=repos.notices,
    )


async def main(path: Path, count: int) -> None:
    service = await build_service(path)
    for n in range(count):
        request = await service.submit(APPLICANT, make_draft(project_name=f"项目 {n}"))
        print(request.id, flush=True)  # printed only after COMMIT returned
    print("done", flush=True)
    await asyncio.Event().wait()  # hold the connection open until SIGKILL


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
