"""A confined child that reports what it was given: its environment and its limits."""

from __future__ import annotations

import os
import resource
from collections.abc import Sequence
from typing import Any

from untrusted.confined import serve_child


def report(args: Sequence[str], data: bytes) -> dict[str, Any]:
    return {
        "environment": sorted(os.environ),
        "memory": resource.getrlimit(resource.RLIMIT_AS)[0],
        "cpu": resource.getrlimit(resource.RLIMIT_CPU)[0],
        "args": list(args),
        "read": len(data),
    }


if __name__ == "__main__":
    serve_child(report)
