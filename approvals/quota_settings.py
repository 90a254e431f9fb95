"""The bureau's quota settings: the pollutants counted, substitution ratios (倍量替代) and exempt categories."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from approvals import quota as q

MAX_POLLUTANTS = 20
MAX_NAME = 20


@dataclass(frozen=True)
class QuotaSettings:
    pollutants: tuple[str, ...] = q.DEFAULT_POLLUTANTS
    ratios: q.Ratios = field(default_factory=q.Ratios)
    exempt: tuple[str, ...] = q.DEFAULT_EXEMPT


def _names(text: str, what: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(part.strip() for part in re.split(r"[,，;；]", text) if part.strip()))
    if len(names) > MAX_POLLUTANTS or any(len(n) > MAX_NAME or not n.isprintable() for n in names):
        raise ValueError(f"at most {MAX_POLLUTANTS} {what}, each at most {MAX_NAME} printable characters")
    return names


def parse_quota_settings(pollutants: str, ratios: str, exempt: str) -> QuotaSettings:
    """QUOTA_POLLUTANTS, QUOTA_RATIOS and QUOTA_EXEMPT as the domain uses them; ValueError names what is wrong."""
    names = _names(pollutants, "pollutants")
    if not names:
        raise ValueError("QUOTA_POLLUTANTS names no pollutant")
    if any(re.search(r"[/=:：\s]", n) or re.fullmatch(r"[\d.]+", n) for n in names):
        raise ValueError("a pollutant's name holds no '/', '=', ':' or space, and is not a number")
    return QuotaSettings(names, q.parse_ratios(ratios, names), _names(exempt, "exempt categories"))
