"""Status lists as the schema's queries and partial indexes spell them (SQLite uses a partial index only for the
very term it was created with), shared by the migrations and the queries that must match them."""

from __future__ import annotations

# as the queries spell them: SQLite uses a partial index only for the very term it was created with
OPEN = "('received', 'submitted', 'resubmitted', 'in_review', 'in_notice')"
OPEN_15 = "('received', 'submitted', 'resubmitted', 'in_review')"  # migrations 15-17
FINAL = "('approved', 'rejected', 'withdrawn', 'returned')"
OPEN_1 = "('submitted', 'resubmitted', 'in_review')"  # migrations 1-12 (released: never edited)

# the requests table's columns as migrations 1-12 left it, in order (migration 13 copies them)
COLUMNS_12 = (
    "id, applicant_id, project_name, organisation, contact_name, phone, category, document_type, investment, "
    "location, description, key_code, lane, status, version, submitted_at, updated_at, accepted_on, claimed_by, "
    "decided_by, decided_at, decided_on, approval_number, last_reason, paused_since, paused_working_days, "
    "promised_due, statutory_due, client_key"
)
