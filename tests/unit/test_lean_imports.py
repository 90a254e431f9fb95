"""The bot's process does not carry the document renderers: python-docx, fpdf2 and fontTools (with PIL and numpy)
are ~65 MB that only the rendering child needs (burst peak RSS 243 MB with them, 200 MB without; echo bot 172)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RENDERERS = ("docx", "fpdf", "fontTools", "PIL", "numpy")


def test_starting_the_bot_imports_no_document_renderer() -> None:
    probe = f"import sys, bot, assembly; print(' '.join(m for m in {RENDERERS!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
