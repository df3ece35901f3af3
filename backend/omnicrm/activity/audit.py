"""Which models are audited and how: the ``@auditable`` registry and JSON-safe snapshots.

A domain marks its model ``@auditable(object_type=...)``; the recorder then writes one activity
row per created, changed or deleted instance. Secrets never reach the log: every column named in
:data:`SECRET_COLUMNS` is dropped whatever the model says, on top of the model's own ``exclude``.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

Changes = Mapping[str, tuple[Any, Any]]

# Never recorded, on any model (hashes are secrets too: they allow offline guessing).
SECRET_COLUMNS = frozenset(
    {
        "password",
        "password_hash",
        "totp_secret",
        "totp_pending_secret",
        "key_hash",
        "token_hash",
        "code_hash",
        "secret",
        "token",
        "refresh_token",
        "api_key",
    }
)
# Bookkeeping columns that would only add noise (the activity row has its own timestamp).
NOISE_COLUMNS = frozenset({"created_at", "updated_at"})


@dataclass(frozen=True)
class AuditSpec:
    object_type: str
    exclude: frozenset[str] = frozenset()
    customer_id_attr: str | None = None
    # relationship name -> attribute of the related objects to record (e.g. tags -> name)
    collections: Mapping[str, str] = field(default_factory=dict)
    # Names the action of an update from its changes (e.g. "archive"); default "update".
    classify: Callable[[Changes], str] | None = None
    # How people read the log: field -> label ("address_line_1" -> "Address line 1"; default:
    # the column name humanised), and label -> fields shown as one change ("Address").
    labels: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def skips(self, key: str) -> bool:
        return key in self.exclude or key in SECRET_COLUMNS or key in NOISE_COLUMNS


_REGISTRY: dict[type, AuditSpec] = {}


def auditable(
    *,
    object_type: str,
    exclude: Iterable[str] = (),
    customer_id_attr: str | None = None,
    collections: Mapping[str, str] | None = None,
    classify: Callable[[Changes], str] | None = None,
    labels: Mapping[str, str] | None = None,
    groups: Mapping[str, tuple[str, ...]] | None = None,
) -> Callable[[T], T]:
    """Class decorator: record every change of this model in the activity log."""

    def register(cls: T) -> T:
        _REGISTRY[cls] = AuditSpec(
            object_type=object_type,
            exclude=frozenset(exclude),
            customer_id_attr=customer_id_attr,
            collections=dict(collections or {}),
            classify=classify,
            labels=dict(labels or {}),
            groups=dict(groups or {}),
        )
        return cls

    return register


def spec_for(obj: object) -> AuditSpec | None:
    for cls in type(obj).__mro__:
        spec = _REGISTRY.get(cls)
        if spec is not None:
            return spec
    return None


def spec_for_type(object_type: str) -> AuditSpec | None:
    """The spec registered under ``object_type`` (how its rows are labelled), if any."""
    for spec in _REGISTRY.values():
        if spec.object_type == object_type:
            return spec
    return None


def audited_types() -> dict[type, AuditSpec]:
    return dict(_REGISTRY)


def to_json(value: Any) -> Any:
    """A JSON-safe rendering of a column value (enums by value, dates ISO, money as string)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, enum.Enum):
        return to_json(value.value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "<binary>"
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items() if str(k) not in SECRET_COLUMNS}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return str(value)


def scrub(payload: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``payload`` as JSON with secret-named keys removed at any depth."""
    if payload is None:
        return None
    cleaned = to_json(dict(payload))
    assert isinstance(cleaned, dict)
    return cleaned
