"""Activity rows as people read them: "Address changed from 1 Old St to 2 New St".

The log stores column names and JSON values (what the recorder saw); staff read labels and
plain values. Labels come from the model's ``@auditable(labels=..., groups=...)`` and default
to the column name humanised ("address_line_1" -> "Address line 1"), so this module needs no
domain import: the domains describe their own fields when they register.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omnicrm.activity.audit import AuditSpec, spec_for_type

EMPTY = "(empty)"
# Words that read wrong when merely capitalised.
_WORDS = {
    "id": "id",
    "uuid": "UUID",
    "msisdn": "MSISDN",
    "iccid": "ICCID",
    "sms": "SMS",
    "mb": "MB",
    "url": "URL",
    "ip": "IP",
    "api": "API",
    "sim": "SIM",
    "2fa": "2FA",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str | None  # None: the field did not exist before (create) / after (delete)
    after: str | None


def humanize(name: str) -> str:
    """``address_line_1`` -> ``Address line 1``; ``customer_id`` -> ``Customer id``."""
    words = [w for w in str(name).split("_") if w]
    if not words:
        return str(name)
    out = [_WORDS.get(w.lower(), w.lower()) for w in words]
    first = out[0]
    out[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(out)


def format_value(value: Any) -> str:
    """A stored JSON value as text: lists joined, booleans yes/no, nothing as "(empty)"."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{humanize(str(k))}: {format_value(v)}" for k, v in value.items())
    return str(value)


def _label(spec: AuditSpec | None, name: str) -> str:
    if spec is not None and name in spec.labels:
        return spec.labels[name]
    return humanize(name)


def field_changes(
    object_type: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[FieldChange]:
    """What one row changed, labelled, grouped fields (an address) read as one change."""
    spec = spec_for_type(object_type)
    before = before or {}
    after = after or {}
    names = [
        n
        for n in dict.fromkeys([*before.keys(), *after.keys()])
        if before.get(n) != after.get(n) or (n in before) != (n in after)
    ]
    changes: list[FieldChange] = []
    grouped: set[str] = set()
    for label, members in (spec.groups if spec else {}).items():
        present = [m for m in members if m in names]
        if not present:
            continue
        grouped.update(present)

        def joined(side: Mapping[str, Any], present: list[str] = present) -> str | None:
            if not any(m in side for m in present):
                return None
            parts = [format_value(side.get(m)) for m in present if side.get(m) not in (None, "")]
            return ", ".join(parts) or EMPTY

        changes.append(FieldChange("+".join(present), label, joined(before), joined(after)))
    for name in names:
        if name in grouped:
            continue
        changes.append(
            FieldChange(
                name,
                _label(spec, name),
                format_value(before[name]) if name in before else None,
                format_value(after[name]) if name in after else None,
            )
        )
    return changes


def describe_change(change: FieldChange) -> str:
    """One change as a sentence: "Address changed from 1 Old St to 2 New St"."""
    if change.before is None:
        return f"{change.label}: {change.after}"
    if change.after is None:
        return f"{change.label} was {change.before}"
    return f"{change.label} changed from {change.before} to {change.after}"


_VERBS = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "archive": "archived",
    "restore": "restored",
}


def summarize(
    action: str,
    object_type: str,
    object_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> str:
    """The whole row in one line, e.g. "Site #12: Address changed from 1 Old St to 2 New St"."""
    thing = humanize(object_type)
    if action == "update" and before is not None and after is not None:
        changes = field_changes(object_type, before, after)
        if changes:
            return "; ".join(describe_change(c) for c in changes)
    verb = _VERBS.get(action, humanize(action).lower())
    return f"{thing} {verb}"
