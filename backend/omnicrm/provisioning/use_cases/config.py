"""Provisioning settings for plays (PlayConfig) and the module-wide names every part uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omnicrm.core.logging import get_logger
from omnicrm.plays import declared_vars
from omnicrm.provisioning.models import (
    Provision,
    ProvisionStatus,
)

P = ProvisionStatus

SORT_COLUMNS: dict[str, Any] = {
    "provision_id": Provision.provision_id,
    "provisioning_status": Provision.provisioning_status,
    "created_at": Provision.created_at,
    "started_at": Provision.started_at,
    "finished_at": Provision.finished_at,
}

log = get_logger("omnicrm.provisioning")


@dataclass(frozen=True)
class PlayConfig:
    """Where plays live and what every job gets (from Settings)."""

    ansible_dir: Path
    spool_dir: Path
    charging_backend: str = "internal"
    cgrates_url: str = ""
    cgrates_tenant: str = "cgrates.org"
    max_retries: int = 3

    @classmethod
    def from_settings(cls, settings: Any) -> PlayConfig:
        return cls(
            ansible_dir=Path(settings.ansible_dir),
            spool_dir=Path(settings.spool_dir),
            charging_backend=settings.charging_backend,
            cgrates_url=settings.cgrates_url,
            cgrates_tenant=settings.cgrates_tenant,
            max_retries=settings.provisioning_max_retries,
        )

    def playbook(self, play: str) -> Path:
        return self.ansible_dir / f"{play}.yml"

    def has_play(self, play: str | None) -> bool:
        return declared_vars.has_play(self.ansible_dir, play)
