"""The bureau's written notices (文书): pure template filling and rendering, given the data.

Nothing here reads the database, the clock or the environment: ``jobs/papers.py`` gathers a document's fields when
the step that issues it goes out, and this package turns them into the same DOCX and PDF bytes every time.
"""

from paperwork.fields import PaperFields, chinese_date
from paperwork.kinds import PaperKind, kind_for
from paperwork.render import Rendered, RenderError, render
from paperwork.templates import TemplateError, Templates

__all__ = [
    "PaperFields",
    "PaperKind",
    "RenderError",
    "Rendered",
    "TemplateError",
    "Templates",
    "chinese_date",
    "kind_for",
    "render",
]
