"""What a request declares about pollutant quotas (总量控制); the rules are in approvals/quota.py.

Apart from approvals/quota.py so the request's model can carry it without importing the rules."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class QuotaSource(StrEnum):
    ALLOCATION = "allocation"  # from the district's balance
    REDUCTION = "reduction"  # 削减替代: from a named reduction project's confirmed reductions
    EXEMPT = "exempt"  # a category the bureau lists


class QuotaClaim(BaseModel):
    """What a request declares: its new discharge per pollutant and where the quota for it comes from."""

    model_config = ConfigDict(frozen=True)

    discharges: dict[str, Decimal] = Field(default_factory=dict, max_length=20)
    source: QuotaSource = QuotaSource.ALLOCATION
    reduction_id: int | None = None  # the reduction project, for QuotaSource.REDUCTION
    exempt_as: str | None = Field(default=None, max_length=40)  # the listed category, for QuotaSource.EXEMPT

    @property
    def needs_quota(self) -> bool:
        return bool(self.discharges) and self.source is not QuotaSource.EXEMPT
