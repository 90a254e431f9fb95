"""The columns of the tables both dialects share by name (storage/ and storage/postgres/), listed once: a column
added to one dialect's reads and writes and forgotten in the other's would otherwise pass every test that does
not look at it."""

from __future__ import annotations

# requests: the columns written from the model as they are (text, numbers) …
REQUEST_PLAIN = (
    "applicant_id",
    "project_name",
    "organisation",
    "contact_name",
    "phone",
    "category",
    "document_type",
    "location",
    "description",
    "key_code",
    "status",
    "version",
    "claimed_by",
    "decided_by",
    "approval_number",
    "last_reason",
    "paused_working_days",
    "client_key",
    "listed_documents",
    "signing_decision",
    "signing_step",
    "eia_firm",
)
# … and all of them, the rest needing a conversion each dialect makes its own way (money, lanes, days, times)
REQUEST_COLUMNS = (
    *REQUEST_PLAIN,
    "investment",
    "lane",
    "submitted_at",
    "updated_at",
    "accepted_on",
    "decided_at",
    "decided_on",
    "paused_since",
    "promised_due",
    "statutory_due",
    "received_on",
    "listed_on",
)
AUDIT_COLUMNS = (
    "request_id",
    "actor_id",
    "actor_name",
    "at",
    "action",
    "from_status",
    "to_status",
    "reason",
    "approval_number",
    "target_id",
    "target_name",
    "file_name",
    "sha256",
    "file_size",
)
CLOCK_STOP_COLUMNS = (
    "id",
    "request_id",
    "kind",
    "days",
    "started_on",
    "started_at",
    "expected_end",
    "ended_on",
    "ended_at",
    "ended_by",
    "result",
    "excluded_days",
)
