"""Small readings of what asyncpg hands back."""

from __future__ import annotations


def changed(status: str) -> int:
    """Rows a statement changed, from its command tag ('INSERT 0 1', 'UPDATE 2', 'DELETE 0')."""
    return int(status.rsplit(" ", 1)[-1])
