"""Customer data normalisation rules (pure functions) and their use from the use cases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnicrm.core.errors import ValidationFailed
from omnicrm.customers import use_cases as uc
from omnicrm.customers import validation as v


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jane.Doe@Example.COM", "jane.doe@example.com"),
        ("  ops@isp.example  ", "ops@isp.example"),
        ("o'brien+billing@example.co.uk", "o'brien+billing@example.co.uk"),
    ],
)
def test_email_is_checked_and_lower_cased(raw, expected):
    assert v.normalise_email(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "plainaddress", "a@b", "two@@example.com", "x@example..com", "a b@example.com"]
)
def test_bad_emails_are_refused(raw):
    with pytest.raises(ValueError, match="e-mail"):
        v.normalise_email(raw)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+1 202-555-0123", "US", "+12025550123"),
        ("(202) 555-0123", "US", "+12025550123"),
        ("202.555.0123", "US", "+12025550123"),
        ("0412 345 678", "AU", "+61412345678"),
        ("+61 412 345 678", "US", "+61412345678"),
        ("020 7946 0958", "GB", "+442079460958"),
    ],
)
def test_phone_numbers_become_e164(raw, region, expected):
    assert v.normalise_phone(raw, region) == expected


@pytest.mark.parametrize(
    "raw", ["12", "not a number", "+1 202 555 01234567", "0412 345 678", "+999 1234", "1" * 41]
)
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValueError, match="phone"):
        v.normalise_phone(raw, "US")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("gb 123 456 789", "GB123456789"),
        ("DE 812 526 315", "DE812526315"),
        ("12-3456789", "12-3456789"),
        ("ABN 51 824 753 556", "ABN51824753556"),
        ("123/456.78", "123/456.78"),
    ],
)
def test_tax_identifiers_are_compacted_and_upper_cased(raw, expected):
    assert v.normalise_tax_identifier(raw) == expected


@pytest.mark.parametrize("raw", ["abc", "A" * 21, "GB12345678!", "-1234", "   ", "GB<script>"])
def test_bad_tax_identifiers_are_refused(raw):
    with pytest.raises(ValueError, match="4-20 characters"):
        v.normalise_tax_identifier(raw)


def test_tags_are_trimmed_lower_cased_and_deduplicated():
    assert v.normalise_tags(["VIP", " vip ", "Fibre   Customer", "b2b"]) == [
        "vip",
        "fibre customer",
        "b2b",
    ]


@pytest.mark.parametrize("tags", [[""], ["   "], ["x" * 51], [f"t{i}" for i in range(21)]])
def test_bad_tags_are_refused(tags):
    with pytest.raises(ValueError):
        v.normalise_tags(tags)


@pytest.mark.parametrize(("raw", "expected"), [("gb", "GB"), (" us ", "US"), ("AQ", "AQ")])
def test_countries_are_iso_alpha2(raw, expected):
    assert v.normalise_country(raw) == expected


@pytest.mark.parametrize("raw", ["ZZ", "UK", "USA", "1"])
def test_unknown_countries_are_refused(raw):
    with pytest.raises(ValueError, match="ISO 3166"):
        v.normalise_country(raw)


@pytest.mark.parametrize(
    ("raw", "digits"), [("555 0123", "5550123"), ("(202)", "202"), ("+1", None), ("acme", None)]
)
def test_phone_like_search_terms_give_their_digits(raw, digits):
    assert v.phone_digits(raw) == digits


@given(st.text(max_size=30))
def test_tax_identifier_rule_is_idempotent(raw):
    try:
        once = v.normalise_tax_identifier(raw)
    except ValueError:
        return
    assert v.normalise_tax_identifier(once) == once
    assert 4 <= len(once) <= 20


@given(st.lists(st.text(max_size=60), max_size=25))
def test_tag_rule_is_idempotent(raw):
    try:
        once = v.normalise_tags(raw)
    except ValueError:
        return
    assert v.normalise_tags(once) == once
    assert all(t == t.lower().strip() and 1 <= len(t) <= 50 for t in once)


@given(st.text(alphabet="0123456789 +-().", max_size=25))
def test_phone_rule_never_crashes_and_is_idempotent(raw):
    try:
        once = v.normalise_phone(raw, "US")
    except ValueError:
        return
    assert once.startswith("+")
    assert v.normalise_phone(once, "US") == once


# --------------------------------------------------------------------------------------------
# The use cases apply the rules and report every bad field at once
# --------------------------------------------------------------------------------------------
def test_create_customer_reports_every_bad_field(db_session):
    with pytest.raises(ValidationFailed) as caught:
        uc.create_customer(
            db_session,
            customer_name="  ",
            email="nope",
            phone="12",
            tax_identifier="!",
            currency="US1",
            tags=["x" * 51],
        )
    fields = caught.value.errors["json"]
    assert set(fields) == {"customer_name", "email", "phone", "tax_identifier", "currency", "tags"}


def test_contract_end_must_not_precede_start(db_session):
    from datetime import date

    with pytest.raises(ValidationFailed) as caught:
        uc.create_customer(
            db_session,
            customer_name="Acme",
            contract_start_date=date(2025, 6, 1),
            contract_end_date=date(2025, 5, 31),
        )
    assert "contract_end_date" in caught.value.errors["json"]
    same_day = uc.create_customer(
        db_session,
        customer_name="Acme",
        contract_start_date=date(2025, 6, 1),
        contract_end_date=date(2025, 6, 1),
    )
    assert same_day.contract_end_date == same_day.contract_start_date


def test_national_numbers_use_the_given_region(db_session):
    customer = uc.create_customer(
        db_session, customer_name="Sydney ISP", phone="0412 345 678", default_region="AU"
    )
    assert customer.phone == "+61412345678"
