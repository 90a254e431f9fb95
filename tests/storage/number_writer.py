"""Run as a subprocess by test_numbers: approve requests one after another as fast as it can, each approval
issuing the next approval number, printing each number once its COMMIT returned — until it is killed."""

import asyncio
import sys
from pathlib import Path

from approvals.numbering import parse_number_format
from tests.conftest import notice_served
from tests.factories import REVIEWER
from tests.storage.crash_writer import build_service


async def main(path: Path) -> None:
    # each approval is proposed and its notice taken as run, as in the other tests of numbers
    service = notice_served(
        await build_service(path, numbering=parse_number_format("{prefix}〔{year}〕{seq}号", "区环审"))
    )
    for request in await service.requests.all_requests():
        if request.approval_number is None:
            approved = await service.approve(REVIEWER, request.id)
            print(request.id, approved.approval_number, flush=True)  # printed only after COMMIT returned
    print("done", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
