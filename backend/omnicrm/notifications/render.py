"""Render a catalogued message from its Jinja2 templates: subject, text, HTML and SMS.

Templates live in ``notifications/templates/`` as ``<name>.subject.txt``, ``<name>.txt``,
``<name>.html`` and ``<name>.sms.txt``; an operator overrides any of them by putting a file of
the same name in ``NOTIFICATION_TEMPLATE_DIR`` (default ``instance/templates/notifications``).
They run in Jinja2's sandbox (an operator's template can read the facts it is given, call no
Python), HTML autoescaped. An override that fails to render is logged and the built-in
template is used instead: a typo in a template never stops the sale or the payment it reports.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    Undefined,
)
from jinja2.sandbox import SandboxedEnvironment

from omnicrm.core.logging import get_logger
from omnicrm.notifications.catalog import spec_of

log = get_logger("omnicrm.notifications")

PARTS = {"subject": "subject.txt", "text": "txt", "html": "html", "sms": "sms.txt"}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str | None
    sms: str | None


def _environment(loader: Any, *, strict: bool, auto_reload: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=loader,
        autoescape=lambda name: bool(name and name.endswith(".html")),
        undefined=StrictUndefined if strict else Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=auto_reload,
    )


_PACKAGE = ("omnicrm.notifications", "templates")
# Shared by every template: overriding one of them puts the operator's directory in play.
_SHARED = ("_layout.html", "_footer.txt")


@functools.cache
def _builtin(strict: bool = False) -> SandboxedEnvironment:
    # The package's files do not change while the process runs: no freshness checks.
    return _environment(PackageLoader(*_PACKAGE), strict=strict, auto_reload=False)


@functools.cache
def _builtin_names() -> frozenset[str]:
    return frozenset(_builtin().list_templates())


@functools.cache
def _with_overrides(directory: str) -> SandboxedEnvironment:
    # An edited override is picked up at its next use (Jinja checks its modification time).
    loader = ChoiceLoader([FileSystemLoader(directory), PackageLoader(*_PACKAGE)])
    return _environment(loader, strict=False, auto_reload=True)


@functools.lru_cache(maxsize=16)
def _listing(directory: str, modified: float) -> frozenset[str]:
    """The override directory's file names, read again whenever the directory changes (a file
    added or removed): one ``stat`` per message instead of one per template part."""
    return frozenset(entry.name for entry in Path(directory).iterdir() if entry.is_file())


def _override_names(directory: Path) -> frozenset[str]:
    try:
        return _listing(str(directory), directory.stat().st_mtime)
    except OSError:
        return frozenset()


def overridden(directory: Path | None, name: str) -> list[str]:
    """Which parts of ``name`` the operator has replaced."""
    spec_of(name)
    if directory is None:
        return []
    names = _override_names(directory)
    return [part for part, ext in PARTS.items() if f"{name}.{ext}" in names]


def _render_with(
    env: SandboxedEnvironment,
    names: frozenset[str],
    name: str,
    facts: dict[str, Any],
    parts: frozenset[str],
) -> Rendered:
    def part(key: str) -> str | None:
        filename = f"{name}.{PARTS[key]}"
        if key not in parts or filename not in names:
            return None
        return env.get_template(filename).render(facts)

    subject = " ".join((part("subject") or "").split())[:255]
    return Rendered(subject=subject, text=part("text") or "", html=part("html"), sms=part("sms"))


def render(
    name: str,
    context: dict[str, Any],
    *,
    globals_: dict[str, Any],
    override_dir: Path | None = None,
    strict: bool = False,
    parts: frozenset[str] = frozenset(PARTS),
) -> Rendered:
    """The message ``name`` for ``context`` (plus ``globals_``: company name, portal URL).
    ``strict``: an undefined fact is an error (tests render every built-in template so).
    ``parts``: only those (the others come back empty)."""
    spec_of(name)  # only catalogued names reach a loader
    facts = {**globals_, **context}
    if override_dir is not None and not strict:
        names = _override_names(override_dir)
        if any(f"{name}.{ext}" in names for ext in PARTS.values()) or any(
            shared in names for shared in _SHARED
        ):
            try:
                env = _with_overrides(str(override_dir))
                return _render_with(env, names | _builtin_names(), name, facts, parts)
            except TemplateError as exc:
                log.error("notification_template_override_failed", template=name, error=str(exc))
    return _render_with(_builtin(strict), _builtin_names(), name, facts, parts)
