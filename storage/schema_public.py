"""Migration 19: the public notice board (公示栏).

The EIA firm (环评单位) that wrote a request's document is asked on the form (optional) and published with its
notices; the board reads open notices by their last day, the archive by publication date (newest first, paged by
(opens_on, id); the names in the index too, so a search tests them without reading the rows), and counts each
notice's comments."""

from __future__ import annotations

PUBLIC: tuple[str, ...] = (
    """
    ALTER TABLE requests ADD COLUMN eia_firm TEXT;
    CREATE INDEX notices_open ON notices (ends_on, opens_on);
    CREATE INDEX notices_published ON notices (opens_on, id, ends_on, project_name, organisation);
    CREATE INDEX public_comments_notice ON public_comments (notice_id);
    """,
)
