"""The variables a caller may give a play, as each play declares them.

Every playbook ``ansible/<play>.yml`` has a declaration ``ansible/caller_vars/<play>.yml``::

    variables:
      apn:
        type: string
        max_length: 100
        pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]{0,98}[A-Za-z0-9])?$'
        default: internet            # what the play uses when it is not given (documentation)
        description: Access point name written to the HSS record

Only the names declared there reach the play from outside the engine: ``extra_vars`` of
``POST /crm/provision/`` and ``/simple`` (anything else is a 422 naming the key, and no job is
written) and the product's ``provisioning_json_vars`` (checked when the product is saved; at
queue time a play gets only the product keys it declares). A play without a declaration
accepts nothing.

Never settable, whatever a declaration says: names starting with ``ansible_`` or ``omnicrm_``,
the variables the engine sets (:data:`ENGINE_VARS`), Ansible's magic variables and Jinja's
names (:data:`ANSIBLE_NAMES`), and every variable the play sets itself (``vars:``, task
``vars:``, ``set_fact``, ``register``, ``loop_var``), read from the playbook.

Rules (``type`` and its bounds are required):

- ``string``: ``max_length`` (1-4096), optional ``min_length``, ``pattern`` (whole value),
  ``enum``; control characters (newlines included) are always refused;
- ``integer``: ``minimum`` and ``maximum`` (JSON integers only: not ``1.0``, not ``true``);
- ``boolean``: ``true`` or ``false`` only (not ``"yes"``, not ``1``);
- ``object``: ``properties`` (each a rule; other keys refused);
- ``list``: ``items`` (a rule) and ``max_items``;
- any type: ``nullable`` (``null`` allowed), ``secret`` (the value is masked in the activity
  log), ``default`` and ``description`` (documentation, checked against the rule).

This module reads files only (no database), so the catalog can use it too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Plays are files in the Ansible directory named like this (no paths, no dots).
PLAY_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
DECLARATIONS_DIR = "caller_vars"

# Set by the engine for every job (see ansible/README.md): never from a caller or a product.
ENGINE_VARS = frozenset(
    {"omnicrm", "customer", "service", "parent_service", "product", "inventory"}
)
RESERVED_PREFIXES = ("ansible_", "omnicrm_")
# Ansible's magic variables and the names Jinja resolves in every template (a variable of the
# same name would shadow them), and Jinja's literals and operators.
ANSIBLE_NAMES = frozenset(
    {
        "environment",
        "group_names",
        "groups",
        "hostvars",
        "inventory_dir",
        "inventory_file",
        "inventory_hostname",
        "inventory_hostname_short",
        "item",
        "omit",
        "play_hosts",
        "playbook_dir",
        "role_name",
        "role_names",
        "role_path",
        "vars",
        "cycler",
        "dict",
        "joiner",
        "lipsum",
        "lookup",
        "namespace",
        "now",
        "q",
        "query",
        "range",
        "undef",
        "and",
        "else",
        "false",
        "if",
        "in",
        "is",
        "none",
        "not",
        "or",
        "true",
    }
)
# Actions whose play a product may name in provisioning_json_vars.plays (see play_for_action).
PLAY_ACTIONS = ("activate", "deprovision", "suspend", "resume", "addon")
FOLLOW_UP_ACTIONS = ("deprovision", "suspend", "resume")
PLAYS_KEY = "plays"

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_TYPES = ("string", "integer", "boolean", "object", "list")
_COMMON_KEYS = frozenset({"type", "description", "default", "nullable", "secret"})
_TYPE_KEYS = {
    "string": frozenset({"min_length", "max_length", "pattern", "enum"}),
    "integer": frozenset({"minimum", "maximum"}),
    "boolean": frozenset(),
    "object": frozenset({"properties"}),
    "list": frozenset({"items", "max_items"}),
}
MAX_STRING = 4096
MASK = "***"


class DeclarationError(ValueError):
    """A declaration file that does not follow the format (a deployment bug)."""


# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """What one variable (or a property of an object variable) may hold."""

    type: str
    description: str = ""
    default: Any = None
    nullable: bool = False
    secret: bool = False
    min_length: int = 0
    max_length: int = 0
    pattern: str | None = None
    enum: tuple[Any, ...] = ()
    minimum: int = 0
    maximum: int = 0
    properties: Mapping[str, Rule] = field(default_factory=dict)
    items: Rule | None = None
    max_items: int = 0

    def problems(self, value: Any) -> list[tuple[str, str]]:
        """(sub-path, message) for each way ``value`` breaks the rule; [] when it is fine."""
        if value is None:
            return [] if self.nullable else [("", "must not be null")]
        check: Callable[[Any], list[tuple[str, str]]] = getattr(self, f"_check_{self.type}")
        return check(value)

    def _check_string(self, value: Any) -> list[tuple[str, str]]:
        if not isinstance(value, str):
            return [("", "must be a string")]
        if any(unicodedata.category(ch) == "Cc" for ch in value):
            return [("", "must not contain control characters (newlines included)")]
        if not self.min_length <= len(value) <= self.max_length:
            return [("", f"must be {self.min_length}-{self.max_length} characters long")]
        if self.enum and value not in self.enum:
            return [("", f"must be one of: {', '.join(map(str, self.enum))}")]
        if self.pattern is not None and re.fullmatch(self.pattern, value) is None:
            return [("", f"must match {self.pattern}")]
        return []

    def _check_integer(self, value: Any) -> list[tuple[str, str]]:
        if isinstance(value, bool) or not isinstance(value, int):
            return [("", "must be an integer")]
        if not self.minimum <= value <= self.maximum:
            return [("", f"must be between {self.minimum} and {self.maximum}")]
        return []

    def _check_boolean(self, value: Any) -> list[tuple[str, str]]:
        return [] if isinstance(value, bool) else [("", "must be true or false")]

    def _check_object(self, value: Any) -> list[tuple[str, str]]:
        if not isinstance(value, dict):
            return [("", "must be an object")]
        found: list[tuple[str, str]] = []
        for key, item in value.items():
            rule = self.properties.get(key)
            if rule is None:
                accepted = ", ".join(sorted(self.properties)) or "none"
                found.append((f".{key}", f"unknown property (accepted: {accepted})"))
                continue
            found.extend((f".{key}{sub}", message) for sub, message in rule.problems(item))
        return found

    def _check_list(self, value: Any) -> list[tuple[str, str]]:
        if not isinstance(value, list):
            return [("", "must be a list")]
        if len(value) > self.max_items:
            return [("", f"must have at most {self.max_items} items")]
        assert self.items is not None
        return [
            (f".{index}{sub}", message)
            for index, item in enumerate(value)
            for sub, message in self.items.problems(item)
        ]

    def masked(self, value: Any) -> Any:
        """``value`` with every secret in it replaced by :data:`MASK` (for the activity log)."""
        if self.secret and value is not None:
            return MASK
        if self.type == "object" and isinstance(value, dict):
            return {
                k: self.properties[k].masked(v) if k in self.properties else v
                for k, v in value.items()
            }
        if self.type == "list" and isinstance(value, list) and self.items is not None:
            return [self.items.masked(v) for v in value]
        return value


def _int(spec: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> int:
    value = spec.get(key)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise DeclarationError(f"{where}: {key} must be an integer")
    return value


def parse_rule(spec: Any, where: str) -> Rule:
    """A rule from its YAML form; :class:`DeclarationError` when it is malformed."""
    if not isinstance(spec, dict):
        raise DeclarationError(f"{where}: a rule is a mapping with a type")
    kind = spec.get("type")
    if kind not in _TYPES:
        raise DeclarationError(f"{where}: type must be one of {', '.join(_TYPES)}")
    unknown = set(spec) - _COMMON_KEYS - _TYPE_KEYS[kind]
    if unknown:
        raise DeclarationError(f"{where}: unknown keys for a {kind}: {', '.join(sorted(unknown))}")
    common: dict[str, Any] = {
        "type": kind,
        "description": str(spec.get("description") or ""),
        "default": spec.get("default"),
        "nullable": spec.get("nullable", False) is True,
        "secret": spec.get("secret", False) is True,
    }
    rule: Rule
    if kind == "string":
        pattern = spec.get("pattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise DeclarationError(f"{where}: bad pattern: {exc}") from exc
        enum = spec.get("enum") or []
        if not isinstance(enum, list) or not all(isinstance(e, str) for e in enum):
            raise DeclarationError(f"{where}: enum must be a list of strings")
        max_length = _int(spec, "max_length", where)
        min_length = _int(spec, "min_length", where, required=False)
        if not 0 <= min_length <= max_length <= MAX_STRING or max_length < 1:
            raise DeclarationError(f"{where}: need 0 <= min_length <= max_length <= {MAX_STRING}")
        rule = Rule(
            **common,
            min_length=min_length,
            max_length=max_length,
            pattern=None if pattern is None else str(pattern),
            enum=tuple(enum),
        )
    elif kind == "integer":
        minimum, maximum = _int(spec, "minimum", where), _int(spec, "maximum", where)
        if minimum > maximum:
            raise DeclarationError(f"{where}: minimum is above maximum")
        rule = Rule(**common, minimum=minimum, maximum=maximum)
    elif kind == "object":
        properties = spec.get("properties")
        if not isinstance(properties, dict) or not properties:
            raise DeclarationError(f"{where}: an object needs its properties")
        parsed = {}
        for name, sub in properties.items():
            if not isinstance(name, str) or not _NAME.match(name):
                raise DeclarationError(f"{where}: bad property name {name!r}")
            parsed[name] = parse_rule(sub, f"{where}.{name}")
        rule = Rule(**common, properties=parsed)
    elif kind == "list":
        max_items = _int(spec, "max_items", where)
        if not 1 <= max_items <= 1000:
            raise DeclarationError(f"{where}: max_items must be 1-1000")
        items = parse_rule(spec.get("items"), f"{where}[]")
        rule = Rule(**common, items=items, max_items=max_items)
    else:
        rule = Rule(**common)
    if rule.default is not None and rule.problems(rule.default):
        raise DeclarationError(f"{where}: the default does not follow the rule")
    return rule


# ---------------------------------------------------------------------------------------------
# What a play sets itself (read from the playbook)
# ---------------------------------------------------------------------------------------------
_SET_FACT = {"set_fact", "ansible.builtin.set_fact", "ansible.legacy.set_fact"}
_TASK_LISTS = ("pre_tasks", "tasks", "post_tasks", "handlers")
_BLOCK_LISTS = ("block", "rescue", "always")


def _names_of_tasks(tasks: Any) -> set[str]:
    names: set[str] = set()
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        if isinstance(task.get("vars"), dict):
            names.update(str(k) for k in task["vars"])
        if isinstance(task.get("register"), str):
            names.add(task["register"])
        loop_control = task.get("loop_control")
        if isinstance(loop_control, dict) and isinstance(loop_control.get("loop_var"), str):
            names.add(loop_control["loop_var"])
        for module in _SET_FACT:
            if isinstance(task.get(module), dict):
                names.update(str(k) for k in task[module] if k != "cacheable")
        for key in _BLOCK_LISTS:
            names |= _names_of_tasks(task.get(key))
    return names


def play_set_names(playbook: Path) -> frozenset[str]:
    """Every variable the playbook sets itself: play and task ``vars``, ``vars_prompt``,
    ``set_fact`` keys, ``register`` and ``loop_var`` names (blocks, rescue and always too)."""
    try:
        return _play_set_names(str(playbook), playbook.stat().st_mtime_ns)
    except OSError:
        return frozenset()


@functools.lru_cache(maxsize=256)
def _play_set_names(path: str, _mtime_ns: int) -> frozenset[str]:  # cached per file version
    try:
        plays = yaml.safe_load(Path(path).read_text()) or []
    except (OSError, yaml.YAMLError):
        return frozenset()
    names: set[str] = set()
    for play in plays if isinstance(plays, list) else []:
        if not isinstance(play, dict):
            continue
        if isinstance(play.get("vars"), dict):
            names.update(str(k) for k in play["vars"])
        for prompt in play.get("vars_prompt") or []:
            if isinstance(prompt, dict) and isinstance(prompt.get("name"), str):
                names.add(prompt["name"])
        for key in _TASK_LISTS:
            names |= _names_of_tasks(play.get(key))
    return frozenset(names)


def why_reserved(name: str, play_names: Iterable[str] = ()) -> str | None:
    """Why ``name`` can never come from a caller or a product, or None when it may."""
    if name.startswith(RESERVED_PREFIXES):
        return "Ansible's and the engine's own variables cannot be set"
    if name in ENGINE_VARS:
        return "set by the engine: cannot be set by a caller"
    if name in ANSIBLE_NAMES:
        return "a name Ansible or Jinja already uses: cannot be set"
    if name in set(play_names):
        return "set by the play itself: cannot be set by a caller"
    return None


# ---------------------------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Declaration:
    """A play's caller variables (empty: the play accepts none)."""

    play: str
    variables: Mapping[str, Rule] = field(default_factory=dict)
    found: bool = False  # a declaration file exists
    play_names: frozenset[str] = frozenset()  # what the playbook sets itself

    def accepted(self) -> str:
        return ", ".join(sorted(self.variables)) or "none"

    def problems(self, name: str, value: Any, field_name: str) -> dict[str, list[str]]:
        """Errors keyed ``<field_name>.<name>[.<sub>]``; {} when the pair is acceptable."""
        key = f"{field_name}.{name}"
        reason = why_reserved(name, self.play_names)
        if reason is not None:
            return {key: [reason]}
        rule = self.variables.get(name)
        if rule is None:
            return {key: [f"not a variable of play {self.play} (it accepts: {self.accepted()})"]}
        errors: dict[str, list[str]] = {}
        for sub, message in rule.problems(value):
            errors.setdefault(f"{key}{sub}", []).append(message)
        return errors

    def masked(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            k: self.variables[k].masked(v) if k in self.variables else v for k, v in values.items()
        }


def declaration_path(ansible_dir: Path, play: str) -> Path:
    return Path(ansible_dir) / DECLARATIONS_DIR / f"{play}.yml"


def has_play(ansible_dir: Path, play: str | None) -> bool:
    return (
        bool(play)
        and re.match(PLAY_NAME, str(play)) is not None
        and (Path(ansible_dir) / f"{play}.yml").is_file()
    )


def declaration_for(ansible_dir: Path, play: str) -> Declaration:
    """The play's declaration (cached per file version); an empty one when the play has no
    declaration file or its name is not a play name. :class:`DeclarationError` when the file
    is malformed or declares a reserved name."""
    if re.match(PLAY_NAME, play) is None:
        return Declaration(play=play)
    path = declaration_path(ansible_dir, play)
    playbook = Path(ansible_dir) / f"{play}.yml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Declaration(play=play, play_names=play_set_names(playbook))
    return _load(str(path), stamp, play, play_set_names(playbook))


@functools.lru_cache(maxsize=256)
def _load(path: str, _mtime_ns: int, play: str, play_names: frozenset[str]) -> Declaration:
    where = f"{DECLARATIONS_DIR}/{play}.yml"
    try:
        document = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise DeclarationError(f"{where}: cannot read it: {exc}") from exc
    if not isinstance(document, dict) or set(document) != {"variables"}:
        raise DeclarationError(f"{where}: must be a mapping with one key, variables")
    declared = document["variables"] or {}
    if not isinstance(declared, dict):
        raise DeclarationError(f"{where}: variables must be a mapping")
    variables: dict[str, Rule] = {}
    for name, spec in declared.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise DeclarationError(f"{where}: bad variable name {name!r}")
        reason = why_reserved(name, play_names)
        if reason is not None:
            raise DeclarationError(f"{where}: {name} is reserved ({reason})")
        variables[name] = parse_rule(spec, f"{where}: {name}")
    return Declaration(play=play, variables=variables, found=True, play_names=play_names)


def check_caller_vars(
    ansible_dir: Path, play: str, values: Mapping[str, Any], *, field_name: str = "extra_vars"
) -> dict[str, list[str]]:
    """Every problem of a caller's variables for ``play`` ({} when all are acceptable)."""
    declaration = declaration_for(ansible_dir, play)
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        errors.update(declaration.problems(str(name), value, field_name))
    return errors


def select_vars(
    ansible_dir: Path, play: str, values: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """The variables ``play`` declares and whose values follow its rules, and the names left
    out (product variables meant for another play of the family, or stored before a rule
    tightened)."""
    declaration = declaration_for(ansible_dir, play)
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for name, value in values.items():
        if declaration.problems(str(name), value, "") == {}:
            kept[str(name)] = value
        else:
            dropped.append(str(name))
    return kept, dropped


# ---------------------------------------------------------------------------------------------
# Products: which plays run for them, and what their provisioning_json_vars may hold
# ---------------------------------------------------------------------------------------------
def play_for_action(
    provisioning_play: str | None,
    json_vars: Mapping[str, Any] | None,
    action: str,
    play_exists: Callable[[str], bool],
) -> str | None:
    """The play for ``action`` on a product: ``provisioning_play`` activates (and applies an
    add-on); other actions use the same family (``mobile_activate`` -> ``mobile_suspend``) when
    that playbook exists, or an explicit ``provisioning_json_vars["plays"][action]``."""
    explicit = (json_vars or {}).get(PLAYS_KEY) or {}
    if isinstance(explicit, dict) and explicit.get(action):
        play = str(explicit[action])
        return play if play_exists(play) else None
    if not provisioning_play:
        return None
    if action in ("activate", "addon"):
        return provisioning_play
    family = (
        provisioning_play[: -len("_activate")]
        if provisioning_play.endswith("_activate")
        else provisioning_play
    )
    candidate = f"{family}_{action}"
    return candidate if play_exists(candidate) else None


def product_plays(
    ansible_dir: Path, provisioning_play: str | None, json_vars: Mapping[str, Any] | None
) -> list[str]:
    """Every play a product may run, its activation play first."""
    plays: list[str] = []
    explicit = (json_vars or {}).get(PLAYS_KEY)
    activation = (explicit or {}).get("activate") if isinstance(explicit, dict) else None
    first = str(activation) if activation else provisioning_play
    if first:
        plays.append(first)
    for action in (*FOLLOW_UP_ACTIONS, "addon"):
        play = play_for_action(
            provisioning_play, json_vars, action, lambda p: has_play(ansible_dir, p)
        )
        if play and play not in plays:
            plays.append(play)
    return plays


def check_product_vars(
    ansible_dir: Path, provisioning_play: str | None, json_vars: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Problems of a product's ``provisioning_json_vars``, keyed
    ``provisioning_json_vars.<key>``: ``plays`` must map actions to play names; every other key
    must be declared by a play the product runs (its activation play, or a play of its family
    or ``plays``), with a value each declaring play accepts."""
    field_name = "provisioning_json_vars"
    errors: dict[str, list[str]] = {}
    plays_map = json_vars.get(PLAYS_KEY)
    if PLAYS_KEY in json_vars:
        key = f"{field_name}.{PLAYS_KEY}"
        if not isinstance(plays_map, dict):
            errors[key] = ["must be an object of action -> play name"]
        else:
            for action, play in plays_map.items():
                if action not in PLAY_ACTIONS:
                    errors.setdefault(f"{key}.{action}", []).append(
                        f"not an action ({', '.join(PLAY_ACTIONS)})"
                    )
                elif not isinstance(play, str) or re.match(PLAY_NAME, play) is None:
                    errors.setdefault(f"{key}.{action}", []).append(
                        "a playbook name: letters, digits, _ and -"
                    )
        if errors:
            return errors
    plays = product_plays(ansible_dir, provisioning_play, json_vars)
    declarations = [declaration_for(ansible_dir, play) for play in plays]
    for name, value in json_vars.items():
        if name == PLAYS_KEY:
            continue
        key = f"{field_name}.{name}"
        if not declarations:
            errors[key] = ["the product has no provisioning play to give it to"]
            continue
        declaring = [d for d in declarations if name in d.variables]
        if not declaring:
            # Reported against the activation play: why it is refused, what it accepts.
            errors.update(declarations[0].problems(name, value, field_name))
            continue
        for declaration in declaring:
            for where, messages in declaration.problems(name, value, field_name).items():
                listed = errors.setdefault(where, [])
                listed.extend(m for m in messages if m not in listed)
    return errors


def current_ansible_dir() -> Path:
    """The Ansible directory of the running app (``ANSIBLE_DIR``), else the repository's."""
    from flask import current_app, has_app_context

    if has_app_context() and "omnicrm_settings" in current_app.extensions:
        return Path(current_app.extensions["omnicrm_settings"].ansible_dir)
    from omnicrm.settings import REPO_ROOT

    return REPO_ROOT / "ansible"
