"""The version this process runs, as ``--version`` says it (``operations/version.py``: the installed
distribution's, else pyproject.toml's for a checkout never installed)."""

from __future__ import annotations

from operations.version import version


def running_version() -> str:
    return version()
