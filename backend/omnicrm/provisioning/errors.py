"""Provisioning errors (409s with their own codes)."""

from __future__ import annotations

from omnicrm.core.errors import Conflict


class PlaybookMissing(Conflict):
    code = "playbook_missing"


class JobNotRetryable(Conflict):
    code = "job_not_retryable"


class JobFinished(Conflict):
    code = "job_finished"
