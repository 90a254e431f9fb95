"""Rendering in a confined child: ``python -m paperwork.child MEMORY CPU``, the job as JSON on stdin.

Parsing and subsetting two CJK fonts is seconds of pure-Python work (fontTools): in the bot's process it would hold
the GIL and slow every chat, so it runs here, bounded in memory and time like the readers of untrusted files
(untrusted/confined.py), and hands back both files base64-encoded.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from paperwork.fields import PaperFields
from paperwork.kinds import PaperKind
from paperwork.render import RenderError, render
from paperwork.templates import TemplateError, Templates
from untrusted.confined import serve_child


def job(kind: PaperKind, fields: PaperFields, created: datetime, templates_dir: Path | None) -> bytes:
    """The child's input for one document."""
    return json.dumps(
        {
            "kind": kind.value,
            "fields": fields.to_json(),
            "created": created.isoformat(),
            "templates": str(templates_dir) if templates_dir is not None else None,
        },
        ensure_ascii=False,
    ).encode()


def work(args: Sequence[str], payload: bytes) -> dict[str, Any]:
    data = json.loads(payload)
    try:
        templates = Templates.load(Path(data["templates"]) if data["templates"] else None)
        done = render(
            templates,
            PaperKind(data["kind"]),
            PaperFields.from_json(data["fields"]),
            created=datetime.fromisoformat(data["created"]),
        )
    except (RenderError, TemplateError) as exc:
        return {"error": str(exc)}
    return {
        "title": done.title,
        "docx": base64.b64encode(done.docx).decode(),
        "pdf": base64.b64encode(done.pdf).decode(),
    }


if __name__ == "__main__":
    serve_child(work)
