"""Inventory identifier rules (pure functions): ICCID + Luhn, IMSI, PUK, MSISDN, MAC, URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnicrm.inventory import validation as v
from omnicrm.inventory.models import SerialKind
from omnicrm.inventory.use_cases import normalise_serial

DIGITS = st.text(alphabet="0123456789", min_size=16, max_size=17)


def _iccid(body: str) -> str:
    """``89`` + body + the Luhn digit: 19 or 20 digits."""
    payload = "89" + body
    return payload + v.luhn_check_digit(payload)


@pytest.mark.parametrize(
    "number",
    # Published Luhn examples: the textbook one (Wikipedia) and a Visa test card number.
    ["79927398713", "4539148803436467"],
)
def test_luhn_accepts_known_valid_numbers(number):
    assert v.luhn_valid(number)
    assert v.luhn_check_digit(number[:-1]) == number[-1]


@given(DIGITS)
def test_every_valid_iccid_is_accepted(body):
    iccid = _iccid(body)
    assert len(iccid) in (19, 20)
    assert v.normalise_iccid(iccid) == iccid


@given(DIGITS, st.data())
def test_every_single_digit_corruption_is_rejected(body, data):
    iccid = _iccid(body)
    position = data.draw(st.integers(min_value=0, max_value=len(iccid) - 1), label="position")
    replacement = data.draw(
        st.sampled_from([d for d in "0123456789" if d != iccid[position]]), label="digit"
    )
    corrupted = iccid[:position] + replacement + iccid[position + 1 :]
    with pytest.raises(ValueError, match="ICCID"):
        v.normalise_iccid(corrupted)


def test_iccid_separators_are_ignored():
    iccid = _iccid("4400000000000001")
    spaced = " ".join(iccid[i : i + 4] for i in range(0, len(iccid), 4))
    assert v.normalise_iccid(spaced) == iccid
    assert v.normalise_iccid(iccid[:6] + "-" + iccid[6:]) == iccid


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "19 or 20 digits"),
        ("8944000000000000", "19 or 20 digits"),  # too short
        ("8" * 21, "19 or 20 digits"),
        ("89440000000000000a1", "19 or 20 digits"),
        ("\u0668\u0669" + "0" * 17, "19 or 20 digits"),  # Arabic-Indic digits are not ASCII
        ("1234567890123456782", "starts with 89"),
    ],
)
def test_malformed_iccids_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(ValueError, match=reason):
        v.normalise_iccid(raw)


def test_wrong_check_digit_is_named():
    iccid = _iccid("4400000000000001")
    wrong = iccid[:-1] + str((int(iccid[-1]) + 1) % 10)
    with pytest.raises(ValueError, match="Luhn"):
        v.normalise_iccid(wrong)


@given(st.text(alphabet="0123456789", min_size=15, max_size=15))
def test_any_15_digit_imsi_is_accepted(imsi):
    assert v.normalise_imsi(f" {imsi} ") == imsi


@pytest.mark.parametrize(
    "raw", ["", "00101123456789", "0010112345678901", "00101abcdefghij", "²" * 15]
)
def test_bad_imsis_are_rejected(raw):
    with pytest.raises(ValueError, match="15 digits"):
        v.normalise_imsi(raw)


def test_puk_is_8_digits():
    assert v.normalise_puk(" 12345678 ") == "12345678"
    for bad in ("1234567", "123456789", "1234567a"):
        with pytest.raises(ValueError, match="8 digits"):
            v.normalise_puk(bad)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+61 412 345 678", "US", "+61412345678"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("0412 345 678", "AU", "+61412345678"),
        ("+1-202-555-0123", "GB", "+12025550123"),
    ],
)
def test_msisdn_is_normalised_to_e164(raw, region, expected):
    assert v.normalise_msisdn(raw, region) == expected


@pytest.mark.parametrize(
    "raw", ["", "12", "+999 123", "not a number", "+1 202 555 01234567", "9" * 41]
)
def test_bad_msisdns_are_rejected(raw):
    with pytest.raises(ValueError, match="phone number"):
        v.normalise_msisdn(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "AA:BB:CC:DD:EE:0F",
        "aa-bb-cc-dd-ee-0f",
        "aabb.ccdd.ee0f",
        "AABBCCDDEE0F",
        " aa:bb:cc:dd:ee:0f ",
    ],
)
def test_mac_is_normalised_to_lower_case_colons(raw):
    assert v.normalise_mac(raw) == "aa:bb:cc:dd:ee:0f"


@given(st.binary(min_size=6, max_size=6), st.sampled_from([":", "-", ""]), st.booleans())
def test_any_mac_round_trips(raw, separator, upper):
    text = separator.join(f"{b:02x}" for b in raw)
    text = text.upper() if upper else text
    assert v.normalise_mac(text) == ":".join(f"{b:02x}" for b in raw)


@pytest.mark.parametrize(
    "raw", ["", "aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:gg", "aa:bb-cc:dd:ee:ff", "aabbccddeeff00"]
)
def test_bad_macs_are_rejected(raw):
    with pytest.raises(ValueError, match="MAC"):
        v.normalise_mac(raw)


def test_free_serials_and_urls():
    assert v.normalise_free_serial("  ABC-123 ") == "ABC-123"
    for bad in ("", "   ", "x" * 65, "a\x07b"):
        with pytest.raises(ValueError):
            v.normalise_free_serial(bad)
    assert v.normalise_url(" https://10.0.0.1:8443/ ") == "https://10.0.0.1:8443/"
    for bad in ("ftp://x", "javascript:alert(1)", "http://", "https://a b"):
        with pytest.raises(ValueError, match="URL"):
            v.normalise_url(bad)


def test_serial_is_checked_by_the_template_kind():
    iccid = _iccid("4400000000000001")
    assert normalise_serial(SerialKind.iccid, iccid) == iccid
    assert normalise_serial(SerialKind.msisdn, "+61 412 345 678") == "+61412345678"
    assert normalise_serial(SerialKind.mac, "AABBCCDDEEFF") == "aa:bb:cc:dd:ee:ff"
    assert normalise_serial(SerialKind.free, " x ") == "x"
    with pytest.raises(ValueError):
        normalise_serial(SerialKind.iccid, "+61412345678")
