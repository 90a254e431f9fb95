"""What several bot instances must agree on, in one place: update claims, flood control, per-chat isolation, form
state and job runs. ``local`` is one process's memory (the default); ``redis`` shares it between instances."""

from __future__ import annotations

from coordination.base import Coordination, TokenBuckets
from coordination.local import LocalCoordination


def open_coordination(redis_url: str | None, *, prefix: str = "green_channel") -> Coordination:
    """Redis when a URL is set, else this process alone (nothing changes for a single bot)."""
    if not redis_url:
        return LocalCoordination()
    from coordination.redis import RedisCoordination  # only a scaled-out bot needs the client

    return RedisCoordination.from_url(redis_url, prefix=prefix)


__all__ = ["Coordination", "LocalCoordination", "TokenBuckets", "open_coordination"]
