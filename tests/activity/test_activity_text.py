"""Activity rows as staff read them: labelled fields, plain values, one sentence per change,
and the actor by name rather than "user #1"."""

from __future__ import annotations

import pytest

from omnicrm.activity.render import (
    FieldChange,
    describe_change,
    field_changes,
    format_value,
    humanize,
    summarize,
)
from tests.factories import CustomerFactory


def test_labels_and_values_read_as_words():
    assert humanize("address_line_1") == "Address line 1"
    assert humanize("service_uuid") == "Service UUID"
    assert format_value(["Billing", "Technical"]) == "Billing, Technical"
    assert format_value(None) == "(empty)" and format_value(True) == "yes"


def test_an_address_change_is_one_sentence():
    [change] = field_changes("site", {"address_line_1": "1 Old St"}, {"address_line_1": "2 New St"})
    assert change.label == "Address"
    assert describe_change(change) == "Address changed from 1 Old St to 2 New St"
    assert (
        summarize(
            "update",
            "site",
            "12",
            {"address_line_1": "1 Old St", "city": "Sydney"},
            {"address_line_1": "2 New St", "city": "Perth"},
        )
        == "Address changed from 1 Old St, Sydney to 2 New St, Perth"
    )


def test_created_contact_lists_its_fields_with_labels():
    changes = field_changes(
        "contact", None, {"contact_firstname": "Ann", "contact_types": ["Billing"]}
    )
    assert [describe_change(c) for c in changes] == ["First name: Ann", "Contact types: Billing"]
    assert summarize("create", "contact", "3", None, {"contact_firstname": "Ann"}) == (
        "Contact created"
    )
    assert describe_change(FieldChange("x", "Email", "a@b.c", None)) == "Email was a@b.c"


def test_unregistered_fields_are_humanised_not_raw():
    assert summarize("update", "widget", "1", {"wire_count": 1}, {"wire_count": 2}) == (
        "Wire count changed from 1 to 2"
    )


@pytest.fixture
def headers(api, make_user):
    return api.headers_for(make_user("admin", full_name="Robin Staff").email)


def test_customer_activity_api_shows_names_and_sentences(api, headers, db_session):
    customer = CustomerFactory(customer_name="Bay Bakery")
    db_session.commit()
    site = api.client.post(
        "/crm/site/",
        json={
            "customer_id": customer.customer_id,
            "site_name": "Shop",
            "address_line_1": "1 Old St",
        },
        headers=headers,
    )
    assert site.status_code == 201, site.get_json()
    site_id = site.get_json()["site_id"]
    changed = api.client.patch(
        f"/crm/site/{site_id}", json={"address_line_1": "2 New St"}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    contact = api.client.post(
        "/crm/contact/",
        json={
            "customer_id": customer.customer_id,
            "contact_firstname": "Ann",
            "contact_types": ["Billing"],
        },
        headers=headers,
    )
    assert contact.status_code == 201, contact.get_json()

    response = api.client.get(f"/crm/customer/{customer.customer_id}/activity", headers=headers)
    assert response.status_code == 200
    rows = response.get_json()
    update = next(r for r in rows if r["object_type"] == "site" and r["action"] == "update")
    assert update["summary"] == "Address changed from 1 Old St to 2 New St"
    assert update["actor"] == "Robin Staff"
    assert update["changes"] == [
        {"field": "address_line_1", "label": "Address", "before": "1 Old St", "after": "2 New St"}
    ]
    created = next(r for r in rows if r["object_type"] == "contact")
    labels = {c["label"]: c["after"] for c in created["changes"]}
    assert labels["Contact types"] == "Billing"
    assert labels["First name"] == "Ann"
    assert "contact_types" not in labels


def test_system_and_api_key_actors(db_session):
    from omnicrm.activity.models import Activity

    assert Activity(user_id=None, api_key_id=None).actor == "System"
    assert Activity(user_id=None, api_key_id=4).actor == "API key #4"
