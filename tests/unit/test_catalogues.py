"""The .mo files are compiled at start when missing or older than the .po files (catalogues.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiogram.utils.i18n import I18n

import catalogues
from catalogues import compiled_locales

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "Nothing to cancel."  # any msgid with a Chinese translation


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """The committed .po files, without a compiled .mo."""
    copy = tmp_path / "locales"
    for po in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po"):
        target = copy / po.relative_to(ROOT / "locales")
        target.parent.mkdir(parents=True)
        shutil.copy2(po, target)
    return copy


def chinese(path: Path) -> str:
    return I18n(path=path, default_locale="zh_CN", domain="messages").gettext(SAMPLE, locale="zh_CN")


def test_missing_catalogues_are_compiled_next_to_their_po_files(source: Path) -> None:
    assert compiled_locales(source) == source
    assert {p.parent.parent.name for p in source.glob("*/LC_MESSAGES/messages.mo")} == {"en", "zh_CN"}
    assert chinese(source) == "当前没有可取消的操作。"


def test_a_catalogue_older_than_its_po_file_is_compiled_again(source: Path) -> None:
    compiled_locales(source)
    mo = source / "zh_CN" / "LC_MESSAGES" / "messages.mo"
    os.utime(mo, (1_000_000, 1_000_000))  # compiled long before the .po was last edited
    compiled_locales(source)
    assert mo.stat().st_mtime > 1_000_000


def test_fresh_catalogues_are_left_alone(source: Path) -> None:
    compiled_locales(source)
    mo = source / "zh_CN" / "LC_MESSAGES" / "messages.mo"
    future = mo.stat().st_mtime + 3600
    os.utime(mo, (future, future))
    compiled_locales(source)
    assert mo.stat().st_mtime == future


def test_a_read_only_install_is_compiled_into_the_cache(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = catalogues._compile

    def site_packages_owned_by_root(found: list[Path], src: Path, target: Path) -> None:
        if target == src:  # (as root, a chmod would not stop the write: refuse it here instead)
            raise PermissionError(13, "Permission denied")
        real(found, src, target)

    monkeypatch.setattr(catalogues, "_compile", site_packages_owned_by_root)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    used = compiled_locales(source)
    assert used == tmp_path / "cache" / "green-channel" / "locales"
    assert not list(source.glob("*/LC_MESSAGES/messages.mo"))
    assert chinese(used) == "当前没有可取消的操作。"
