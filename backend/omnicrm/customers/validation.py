"""Normalisation rules for customer data: pure functions, ``ValueError`` with a readable reason.

The rules (documented for API users):

- **e-mail**: syntax checked with ``email-validator`` (no DNS lookups), stored lower-case.
- **phone**: parsed with ``phonenumbers`` (national formats use the default region, ``US``
  unless configured), must be a valid number, stored in E.164 (``+12025550123``).
- **tax identifier**: all whitespace removed, upper-cased; then 4-20 characters of
  ``A-Z 0-9 - / .`` starting with a letter or digit (``gb 123 456 789`` -> ``GB123456789``).
  Country-specific check digits are not verified: the formats are too many to be worth it here.
- **tags**: trimmed, lower-case, 1-50 characters, duplicates dropped, at most 20 per customer.
- **country**: an ISO 3166-1 alpha-2 code, upper-cased.
- **currency**: three letters (ISO 4217 style), upper-cased.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import phonenumbers
from email_validator import EmailNotValidError, validate_email

DEFAULT_REGION = "US"
MAX_TAGS = 20
TAG_MAX_LENGTH = 50

_TAX_ID = re.compile(r"[A-Z0-9][A-Z0-9\-/.]{3,19}")
_CURRENCY = re.compile(r"[A-Z]{3}")
_PHONE_LIKE = re.compile(r"[\d\s()+\-.]+")
# phonenumbers knows every region with a numbering plan; these ISO codes have none.
_COUNTRIES = frozenset(phonenumbers.SUPPORTED_REGIONS) | {"AQ", "BV", "GS", "HM", "PN", "TF", "UM"}


# An unquoted ASCII local part (RFC 5322 dot-atom): email-validator takes it as it is.
_DOT_ATOM = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def normalise_email(value: str) -> str:
    """The address, checked and lower-cased. Most addresses are a plain ASCII local part at a
    domain seen before: only the domain goes through ``email-validator`` (once per domain,
    remembered), which makes a bulk import's e-mails about 20 times cheaper; anything else is
    checked whole. Both give the same answer (tests/unit/test_email_fast_path.py)."""
    text = value.strip()
    local, at, domain = text.rpartition("@")
    if at and len(text) <= 254 and len(local) <= 64 and _DOT_ATOM.fullmatch(local):
        normalised = _domain(domain) if domain.isascii() else None
        if normalised is not None:
            return f"{local}@{normalised}".lower()
    return _whole_email(text)


def _whole_email(text: str) -> str:
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address ({exc})") from exc
    return result.normalized.lower()


@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> str | None:
    """The domain as email-validator normalises it, or None when it refuses it (the whole
    address is then checked again, for its message)."""
    try:
        return str(validate_email(f"x@{domain}", check_deliverability=False).domain)
    except EmailNotValidError:
        return None


def parse_phone(value: str, default_region: str = DEFAULT_REGION) -> str | None:
    """E.164 of ``value`` if it is a valid phone number, else None."""
    try:
        number = phonenumbers.parse(value, default_region.upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_phone(value: str, default_region: str = DEFAULT_REGION) -> str:
    if len(value) > 40:
        raise ValueError("not a valid phone number")
    e164 = parse_phone(value.strip(), default_region)
    if e164 is None:
        raise ValueError(
            f"not a valid phone number (use +<country code><number>, "
            f"or a national number of region {default_region.upper()})"
        )
    return e164


def phone_digits(value: str) -> str | None:
    """The digits of a search term that looks like (part of) a phone number."""
    if not _PHONE_LIKE.fullmatch(value.strip()):
        return None
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) >= 3 else None


def normalise_tax_identifier(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    if not _TAX_ID.fullmatch(compact):
        raise ValueError("must be 4-20 characters of A-Z, 0-9, '-', '/', '.' (spaces are ignored)")
    return compact


def normalise_tags(values: Iterable[str]) -> list[str]:
    tags: list[str] = []
    for raw in values:
        tag = " ".join(raw.split()).lower()
        if not 1 <= len(tag) <= TAG_MAX_LENGTH:
            raise ValueError(f"each tag must be 1-{TAG_MAX_LENGTH} characters")
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    return tags


def normalise_country(value: str) -> str:
    code = value.strip().upper()
    if not value.isascii() or code not in _COUNTRIES:  # "\u0131t".upper() is "IT"
        raise ValueError("must be an ISO 3166-1 alpha-2 country code (e.g. US, GB, AU)")
    return code


def country_pattern(blank: bool = False) -> str:
    """A regular expression matching exactly the codes :func:`normalise_country` takes (in any
    case, no spaces), and two blanks when ``blank`` (an API body's blank clears the country):
    the OpenAPI ``pattern`` of a site's ``country``."""
    by_first: dict[str, list[str]] = {}
    for code in sorted(_COUNTRIES):
        by_first.setdefault(code[0], []).append(code[1])
    groups = (
        f"[{first}{first.lower()}][{''.join(c + c.lower() for c in seconds)}]"
        for first, seconds in by_first.items()
    )
    alternatives = [*groups, r"\s\s"] if blank else list(groups)
    return f"^(?:{'|'.join(alternatives)})$"


def normalise_currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError("must be a three-letter currency code (e.g. USD)")
    return code


def normalise_name(value: str) -> str:
    if any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in value):
        raise ValueError("must not contain control characters")
    name = " ".join(value.split())  # tabs and line breaks (pasted text) become single spaces
    if not name:
        raise ValueError("must not be blank")
    return name
