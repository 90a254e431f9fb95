"""The sandbox's sample quotas (总量控制): the district's opening amounts and two confirmed reduction projects, so
/quota, /stats and the summary show something at once. Clearly marked as sample data."""

from __future__ import annotations

from approvals.models import Actor, Role
from approvals.quota_claim import QuotaClaim
from approvals.quota_service import QuotaService
from approvals.service import ApprovalService
from storage.repositories import Repositories

ADMIN = Actor(user_id=9001, name="刘科长 (admin)", roles=frozenset({Role.ADMIN, Role.REVIEWER}))
OPENING = {"COD": "12.350", "NH3-N": "1.500", "NOx": "0.800", "SO2": "3.000", "VOCs": "2.000", "颗粒物": "5.000"}
REDUCTIONS = (
    ("城西污水处理厂提标改造（样例）", "区水务集团（样例）", "COD 120, NH3-N 12"),
    ("示例水泥厂脱硫改造（样例）", "示例建材公司（样例）", "SO2 85"),
)
# what one sample request declares: more NOx than the district has, so it waits for quota
SAMPLE_CLAIM = QuotaClaim.model_validate({"discharges": {"COD": "2.000", "NOx": "1.200"}})


async def seed_quotas(repos: Repositories, approvals: ApprovalService) -> None:
    quotas = QuotaService(repos.quota, approvals.clock, approvals.tz, approvals.quota_settings)
    for pollutant, amount in OPENING.items():
        if pollutant in quotas.settings.pollutants:
            await quotas.set_opening(ADMIN, pollutant, amount, "样例数据：年度区域总量指标")
    for name, owner, amounts in REDUCTIONS:
        reduction = await quotas.declare_reduction(ADMIN, name, owner, amounts)
        await quotas.confirm_reduction(ADMIN, reduction)
