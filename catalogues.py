"""The translations the bot speaks: compiled from the .po files at start when a .mo is missing or older.

`make` compiles them, but `python bot.py` run without it — a fresh checkout, or after `pip install .` — would
otherwise find no .mo and answer in English msgids. They are compiled next to the .po files when that directory
is writable, else (a read-only install) into a cache directory, which is then the one the bot reads.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "messages"
log = logging.getLogger(__name__)


def compiled_locales(source: Path, cache: Path | None = None) -> Path:
    """A directory with a fresh ``<locale>/LC_MESSAGES/messages.mo`` for every .po under ``source``."""
    catalogues = sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if all(_fresh(po, po.with_suffix(".mo")) for po in catalogues):
        return source
    try:
        _compile(catalogues, source, source)
        return source
    except OSError as exc:  # e.g. site-packages owned by root
        target = cache or _cache_dir()
        log.info("locales not writable (%s): compiling into %s", exc.strerror, target)
        _compile(catalogues, source, target)
        return target


def _fresh(po: Path, mo: Path) -> bool:
    return mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime


def _compile(catalogues: list[Path], source: Path, target: Path) -> None:
    for po in catalogues:
        mo = target / po.relative_to(source).with_suffix(".mo")
        if _fresh(po, mo):
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as text:
            catalog = read_po(text)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as binary:
            write_mo(binary, catalog)  # fuzzy entries left out, as `pybabel compile` does
        os.replace(partial, mo)  # whole or not at all: another process starting now never reads half a file
        log.info("compiled %s", mo)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "green-channel" / "locales"
