"""Scheduled work: the daily summary, deadline reminders, and delivery of the outbox."""
