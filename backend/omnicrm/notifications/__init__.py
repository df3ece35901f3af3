"""Outgoing notifications: an outbox table that a mailer backend drains."""
