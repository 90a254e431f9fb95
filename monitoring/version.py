"""The version this process runs: the installed distribution's (a wheel, or `pip install -e .`)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

DISTRIBUTION = "green-channel"


def running_version() -> str:
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:  # run from a checkout never installed: say so rather than guess
        return "0+unknown"
