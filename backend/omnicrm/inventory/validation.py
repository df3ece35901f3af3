"""Identifier rules for inventory: pure functions, ``ValueError`` with a readable reason.

The rules (documented for API users):

- **ICCID** (SIM serial, ITU-T E.118): spaces and dashes are ignored; then 19 or 20 digits,
  starting with ``89`` (the telecom industry identifier), whose last digit is a valid Luhn
  check digit over the whole number.
- **IMSI**: exactly 15 digits (MCC 3 + MNC 2-3 + MSIN). Where the MNC ends cannot be told
  from the IMSI alone, so only the length and the digits are checked.
- **PUK**: 8 digits.
- **MSISDN**: parsed with ``phonenumbers`` (national formats use the default region), must be
  a valid number, stored in E.164 (``+447700900123``).
- **MAC**: ``AA:BB:CC:DD:EE:FF``, ``aa-bb-cc-dd-ee-ff``, ``aabb.ccdd.eeff`` or 12 bare hex
  digits; stored lower-case with colons (``aa:bb:cc:dd:ee:ff``).
- **free** serials: trimmed, 1-64 printable characters.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "US"
SERIAL_MAX_LENGTH = 64

_SEPARATORS = re.compile(r"[\s\-]")
_DIGITS = re.compile(r"[0-9]+")
_MAC_COLONS = re.compile(r"[0-9a-f]{2}([:\-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}")
_MAC_DOTS = re.compile(r"[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}")
_MAC_BARE = re.compile(r"[0-9a-f]{12}")


def _ascii_digits(value: str) -> bool:
    # str.isdigit() accepts "²" and Arabic-Indic digits; identifiers are ASCII only.
    return bool(_DIGITS.fullmatch(value))


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that makes ``payload + digit`` valid (payload: ASCII digits)."""
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these sit left of the (future) check digit
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) >= 2 and luhn_check_digit(number[:-1]) == number[-1]


def normalise_iccid(value: str) -> str:
    iccid = _SEPARATORS.sub("", value)
    if not _ascii_digits(iccid) or not 19 <= len(iccid) <= 20:
        raise ValueError("an ICCID is 19 or 20 digits")
    if not iccid.startswith("89"):
        raise ValueError("an ICCID starts with 89 (telecom industry identifier)")
    if not luhn_valid(iccid):
        raise ValueError("the ICCID check digit (Luhn) is wrong")
    return iccid


def normalise_imsi(value: str) -> str:
    imsi = value.strip()
    if not _ascii_digits(imsi) or len(imsi) != 15:
        raise ValueError("an IMSI is exactly 15 digits (MCC + MNC + MSIN)")
    return imsi


def normalise_puk(value: str) -> str:
    puk = value.strip()
    if not _ascii_digits(puk) or len(puk) != 8:
        raise ValueError("a PUK is 8 digits")
    return puk


def normalise_msisdn(value: str, default_region: str = DEFAULT_REGION) -> str:
    if len(value) > 40:
        raise ValueError("not a valid phone number")
    try:
        number = phonenumbers.parse(value.strip(), default_region.upper())
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a valid phone number (use +<country code><number>)") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number (use +<country code><number>)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_mac(value: str) -> str:
    mac = value.strip().lower()
    if _MAC_COLONS.fullmatch(mac) or _MAC_DOTS.fullmatch(mac) or _MAC_BARE.fullmatch(mac):
        hex_digits = re.sub(r"[:\-.]", "", mac)
        return ":".join(hex_digits[i : i + 2] for i in range(0, 12, 2))
    raise ValueError("a MAC address is 6 hex bytes, e.g. aa:bb:cc:dd:ee:ff")


def normalise_free_serial(value: str) -> str:
    serial = value.strip()
    if not serial:
        raise ValueError("must not be blank")
    if len(serial) > SERIAL_MAX_LENGTH:
        raise ValueError(f"at most {SERIAL_MAX_LENGTH} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in serial):
        raise ValueError("must not contain control characters")
    return serial


def normalise_url(value: str) -> str:
    url = value.strip()
    if not re.fullmatch(r"https?://[^\s]+", url, flags=re.IGNORECASE) or len(url) > 500:
        raise ValueError("must be an http:// or https:// URL (at most 500 characters)")
    return url
