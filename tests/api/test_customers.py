"""Customers API: create/read/update/archive, validation, de-duplication, search and lists."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from omnicrm.customers.models import AccountType, Customer, CustomerStatus, PaymentType
from tests.factories import ContactFactory, CustomerFactory

URL = "/crm/customer/"


@pytest.fixture
def post(api, admin_headers):
    def _post(payload, expected=201, **params):
        response = api.client.post(URL, json=payload, headers=admin_headers, query_string=params)
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _post


@pytest.fixture
def listing(api, admin_headers):
    def _list(**params):
        response = api.client.get(URL, headers=admin_headers, query_string=params)
        assert response.status_code == 200, response.get_json()
        return response.get_json(), json.loads(response.headers["X-Pagination"])

    return _list


def _count(db_session):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Customer))


# --------------------------------------------------------------------------------------------
# Create, read, update
# --------------------------------------------------------------------------------------------
def test_create_with_defaults(post):
    body = post({"customer_name": "Acme Telecom"})
    assert body["customer_id"] > 0
    assert body["customer_name"] == "Acme Telecom"
    assert body["customer_account_type"] == "Individual"
    assert body["customer_status"] == "Open"
    assert body["customer_payment_type"] == "prepaid"
    assert body["customer_enabled"] is True
    assert body["currency"] == "USD"
    assert body["tags"] == []
    assert body["archived_at"] is None
    assert body["created_at"] and body["updated_at"]


def test_create_normalises_every_field(post, api, admin_headers):
    body = post(
        {
            "customer_name": "  Jane   Doe ",
            "customer_account_type": "Business",
            "customer_payment_type": "postpaid",
            "email": " Jane.Doe@Example.COM ",
            "phone": "(202) 555-0123",
            "tax_identifier": "gb 123 456 789",
            "currency": "eur",
            "contract_start_date": "2025-01-01",
            "contract_end_date": "2026-12-31T23:59:59Z",
            "notes": " likes fibre ",
            "tags": ["VIP", " vip ", "Fibre  Customer"],
        }
    )
    assert body["customer_name"] == "Jane Doe"
    assert body["email"] == "jane.doe@example.com"
    assert body["phone"] == "+12025550123"
    assert body["tax_identifier"] == "GB123456789"
    assert body["currency"] == "EUR"
    assert body["notes"] == "likes fibre"
    assert body["tags"] == ["fibre customer", "vip"]
    assert body["contract_start_date"].startswith("2025-01-01T00:00:00")
    assert body["contract_end_date"].startswith("2026-12-31T23:59:59")
    fetched = api.client.get(f"{URL}{body['customer_id']}", headers=admin_headers).get_json()
    assert fetched == body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "0412 345 678"}, "phone"),  # an Australian mobile is not a US number
        ({"tax_identifier": "A!"}, "tax_identifier"),
        ({"tags": ["x" * 51]}, "tags"),
        ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"currency": "EURO"}, "currency"),
        ({"customer_status": "Archived"}, "customer_status"),
        ({"customer_status": "Deleted"}, "customer_status"),
        ({"customer_account_type": "Robot"}, "customer_account_type"),
        ({"customer_payment_type": "cash"}, "customer_payment_type"),
        ({"contract_start_date": "yesterday"}, "contract_start_date"),
        (
            {"contract_start_date": "2025-02-01", "contract_end_date": "2025-01-31"},
            "contract_end_date",
        ),
        ({"customer_name": ""}, "customer_name"),
        ({"customer_name": "   "}, "customer_name"),
        ({"customer_name": "x" * 201}, "customer_name"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(post, db_session, payload, field):
    before = _count(db_session)
    body = post({"customer_name": "Acme", **payload}, expected=422)
    assert field in body["errors"]["json"], body
    assert _count(db_session) == before


def test_missing_name_is_422(post):
    assert "customer_name" in post({}, expected=422)["errors"]["json"]


def test_every_bad_field_is_reported_at_once(post):
    body = post(
        {"customer_name": "Acme", "email": "x", "phone": "1", "tax_identifier": "?"}, expected=422
    )
    assert {"email", "phone", "tax_identifier"} <= set(body["errors"]["json"])


@pytest.mark.parametrize(
    "extra",
    [
        {"customer_id": 999},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"updated_at": "2020-01-01T00:00:00Z"},
        {"archived_at": "2020-01-01T00:00:00Z"},
        {"balance": "100.00"},
        {"role": "admin"},
        {"status": "Open"},
    ],
)
def test_unknown_and_read_only_fields_are_refused(post, db_session, extra):
    before = _count(db_session)
    body = post({"customer_name": "Acme", **extra}, expected=422)
    assert set(extra) <= set(body["errors"]["json"])
    assert _count(db_session) == before


def test_patch_refuses_read_only_fields_and_changes_nothing(post, api, admin_headers):
    created = post({"customer_name": "Acme"})
    url = f"{URL}{created['customer_id']}"
    for extra in (
        {"customer_id": 5},
        {"archived_at": None},
        {"created_at": "2020-01-01T00:00:00Z"},
    ):
        response = api.client.patch(
            url, json={"customer_name": "Changed", **extra}, headers=admin_headers
        )
        assert response.status_code == 422
    assert api.client.get(url, headers=admin_headers).get_json() == created


def test_patch_changes_only_what_is_given(post, api, admin_headers):
    created = post({"customer_name": "Acme", "email": "a@example.com", "tags": ["old"]})
    url = f"{URL}{created['customer_id']}"
    response = api.client.patch(
        url,
        json={
            "customer_name": "Acme Ltd",
            "tags": ["New", "Other"],
            "phone": "+1 202 555 0111",
            "email": None,
        },
        headers=admin_headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["customer_name"] == "Acme Ltd"
    assert body["tags"] == ["new", "other"]
    assert body["phone"] == "+12025550111"
    assert body["email"] is None
    assert body["customer_payment_type"] == created["customer_payment_type"]
    assert body["updated_at"] >= created["updated_at"]


def test_patch_checks_contract_dates_against_stored_ones(post, api, admin_headers):
    created = post({"customer_name": "Acme", "contract_start_date": "2025-06-01"})
    response = api.client.patch(
        f"{URL}{created['customer_id']}",
        json={"contract_end_date": "2025-05-01"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert "contract_end_date" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_missing_customer_is_404(api, admin_headers, method):
    kwargs = {"json": {"customer_name": "x"}} if method == "patch" else {}
    response = getattr(api.client, method)(f"{URL}987654", headers=admin_headers, **kwargs)
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


# --------------------------------------------------------------------------------------------
# De-duplication
# --------------------------------------------------------------------------------------------
def test_duplicate_email_is_409_with_the_existing_id(post, db_session):
    first = post({"customer_name": "First", "email": "dup@example.com"})
    before = _count(db_session)
    body = post({"customer_name": "Second", "email": "DUP@example.com "}, expected=409)
    assert body["code"] == "duplicate_customer"
    assert body["existing_customer_id"] == first["customer_id"]
    assert body["field"] == "email"
    assert "email" in body["errors"]["json"]
    assert _count(db_session) == before


def test_duplicate_phone_in_another_format_is_409(post):
    first = post({"customer_name": "First", "phone": "+12025550142"})
    body = post({"customer_name": "Second", "phone": "(202) 555-0142"}, expected=409)
    assert body["existing_customer_id"] == first["customer_id"]
    assert body["field"] == "phone"


def test_duplicate_on_patch_is_409(post, api, admin_headers):
    first = post({"customer_name": "First", "email": "one@example.com"})
    second = post({"customer_name": "Second", "email": "two@example.com"})
    response = api.client.patch(
        f"{URL}{second['customer_id']}", json={"email": "ONE@example.com"}, headers=admin_headers
    )
    assert response.status_code == 409
    assert response.get_json()["existing_customer_id"] == first["customer_id"]


def test_an_archived_customers_email_can_be_reused(post, api, admin_headers):
    first = post({"customer_name": "First", "email": "reuse@example.com"})
    assert (
        api.client.delete(f"{URL}{first['customer_id']}", headers=admin_headers).status_code == 200
    )
    second = post({"customer_name": "Second", "email": "reuse@example.com"})
    # ...and then the archived one cannot come back while the new one holds the address.
    response = api.client.patch(
        f"{URL}{first['customer_id']}", json={"customer_status": "Open"}, headers=admin_headers
    )
    assert response.status_code == 409
    assert response.get_json()["existing_customer_id"] == second["customer_id"]


def test_the_database_also_refuses_live_duplicates(db_session):
    """The partial unique index closes the race between two concurrent creates."""
    from sqlalchemy.exc import IntegrityError

    CustomerFactory(email="race@example.com")
    with pytest.raises(IntegrityError), db_session.begin_nested():
        CustomerFactory(email="race@example.com")
    CustomerFactory(email="race@example.com", customer_status=CustomerStatus.archived)


# --------------------------------------------------------------------------------------------
# Archive
# --------------------------------------------------------------------------------------------
def test_delete_archives_and_never_deletes(post, api, admin_headers, db_session, listing):
    created = post({"customer_name": "Leaving Ltd"})
    customer_id = created["customer_id"]
    response = api.client.delete(f"{URL}{customer_id}", headers=admin_headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["customer_status"] == "Archived"
    assert body["archived_at"] is not None
    db_session.expire_all()
    row = db_session.get(Customer, customer_id)
    assert row is not None and row.customer_status == CustomerStatus.archived
    # Hidden from the default list, visible on request, still readable by id.
    ids = lambda items: {c["customer_id"] for c in items}  # noqa: E731
    assert customer_id not in ids(listing()[0])
    assert customer_id in ids(listing(include_archived="true")[0])
    archived_only, _ = listing(customer_status="Archived")
    assert ids(archived_only) == {customer_id}
    assert api.client.get(f"{URL}{customer_id}", headers=admin_headers).status_code == 200
    # Archiving again is harmless and keeps the first archive time.
    again = api.client.delete(f"{URL}{customer_id}", headers=admin_headers).get_json()
    assert again["archived_at"] == body["archived_at"]


def test_archived_customer_is_read_only_until_restored(post, api, admin_headers):
    created = post({"customer_name": "Frozen"})
    url = f"{URL}{created['customer_id']}"
    api.client.delete(url, headers=admin_headers)
    response = api.client.patch(url, json={"customer_name": "Thawed"}, headers=admin_headers)
    assert response.status_code == 409
    assert response.get_json()["code"] == "customer_archived"
    restored = api.client.patch(
        url, json={"customer_status": "Open", "customer_name": "Thawed"}, headers=admin_headers
    )
    assert restored.status_code == 200
    assert restored.get_json()["customer_status"] == "Open"
    assert restored.get_json()["archived_at"] is None
    assert restored.get_json()["customer_name"] == "Thawed"


def test_patch_cannot_archive(post, api, admin_headers):
    created = post({"customer_name": "Acme"})
    response = api.client.patch(
        f"{URL}{created['customer_id']}",
        json={"customer_status": "Archived"},
        headers=admin_headers,
    )
    assert response.status_code == 422
    assert "customer_status" in response.get_json()["errors"]["json"]


# --------------------------------------------------------------------------------------------
# Search, filters, sort, pagination
# --------------------------------------------------------------------------------------------
@pytest.fixture
def population(db_session):
    acme = CustomerFactory(
        customer_name="Acme Fibre", email="noc@acme.example", phone="+12025550101"
    )
    globex = CustomerFactory(
        customer_name="Globex Mobile",
        email="billing@globex.example",
        phone="+61412345678",
        customer_payment_type=PaymentType.postpaid,
        customer_account_type=AccountType.business,
    )
    initech = CustomerFactory(
        customer_name="Initech 100% Fibre",
        email="it@initech.example",
        phone="+12025550199",
        customer_enabled=False,
    )
    ContactFactory(
        customer=globex,
        contact_firstname="Jane",
        contact_lastname="Smith",
        contact_email="jane@smith.example",
    )
    ContactFactory(
        customer=initech,
        contact_firstname="Bill",
        contact_lastname="Lumbergh",
        contact_phone="+12025550177",
    )
    db_session.commit()
    return {"acme": acme.customer_id, "globex": globex.customer_id, "initech": initech.customer_id}


def _ids(items):
    return {c["customer_id"] for c in items}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("acme", {"acme"}),
        ("FIBRE", {"acme", "initech"}),
        ("billing@globex", {"globex"}),
        ("(202) 555-0101", {"acme"}),  # national format, normalised
        ("555 0199", {"initech"}),  # partial digits
        ("+61 412 345 678", {"globex"}),
        ("jane smith", {"globex"}),  # a contact's full name
        ("jane@smith.example", {"globex"}),  # a contact's e-mail
        ("(202) 555-0177", {"initech"}),  # a contact's phone
        ("%", {"initech"}),  # LIKE wildcards are literal
        ("_", set()),
        ("nothing matches this", set()),
    ],
)
def test_search(listing, population, q, expected):
    items, _ = listing(q=q)
    assert _ids(items) == {population[name] for name in expected}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"customer_payment_type": "postpaid"}, {"globex"}),
        ({"customer_account_type": "Business"}, {"globex"}),
        ({"customer_enabled": "false"}, {"initech"}),
        ({"customer_enabled": "true"}, {"acme", "globex"}),
        ({"customer_status": "Open"}, {"acme", "globex", "initech"}),
        ({"customer_status": ["Suspended", "Closed"]}, set()),
    ],
)
def test_filters(listing, population, params, expected):
    items, _ = listing(**params)
    assert _ids(items) == {population[name] for name in expected}


def test_tag_filter_needs_every_tag(post, listing):
    both = post({"customer_name": "Both", "tags": ["vip", "fibre"]})
    post({"customer_name": "One", "tags": ["vip"]})
    assert len(listing(tag="VIP")[0]) == 2
    assert _ids(listing(tag=["vip", "fibre"])[0]) == {both["customer_id"]}


def test_created_range(db_session, listing):
    old = CustomerFactory(customer_name="Old", created_at=datetime(2024, 1, 15, 12, tzinfo=UTC))
    mid = CustomerFactory(customer_name="Mid", created_at=datetime(2024, 2, 29, 23, 59, tzinfo=UTC))
    CustomerFactory(customer_name="New", created_at=datetime(2024, 3, 1, 0, 0, tzinfo=UTC))
    db_session.commit()
    assert _ids(listing(created_from="2024-01-01", created_to="2024-02-29")[0]) == {
        old.customer_id,
        mid.customer_id,
    }
    assert _ids(listing(created_from="2024-02-01T00:00:00Z", created_to="2024-02-29")[0]) == {
        mid.customer_id
    }


def test_inverted_created_range_matches_nothing(listing, population):
    # A range the document allows (two valid dates) is answered, not refused: it is just empty.
    assert listing(created_from="2024-01-01")[0]
    assert listing(created_from="2024-03-01", created_to="2024-01-01")[0] == []


def test_sort(listing, population):
    names = lambda items: [c["customer_name"] for c in items]  # noqa: E731
    assert names(listing(sort="customer_name")[0]) == [
        "Acme Fibre",
        "Globex Mobile",
        "Initech 100% Fibre",
    ]
    assert names(listing(sort="-customer_name")[0]) == [
        "Initech 100% Fibre",
        "Globex Mobile",
        "Acme Fibre",
    ]
    ids = [c["customer_id"] for c in listing(sort="-customer_id")[0]]
    assert ids == sorted(ids, reverse=True)
    by_update = [c["customer_id"] for c in listing(sort="-updated_at,customer_name")[0]]
    assert len(by_update) == 3


@pytest.mark.parametrize(
    "sort", ["password_hash", "customer_name;drop", "-", "", "customer_name,nope"]
)
def test_invalid_sort_is_422(api, admin_headers, sort):
    response = api.client.get(URL, headers=admin_headers, query_string={"sort": sort})
    assert response.status_code == 422
    assert "sort" in response.get_json()["errors"]["query"]


def test_pagination(db_session, listing):
    for i in range(5):
        CustomerFactory(customer_name=f"Paged {i}")
    db_session.commit()
    page1, meta = listing(q="Paged", page_size=2, sort="customer_name")
    assert [c["customer_name"] for c in page1] == ["Paged 0", "Paged 1"]
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["page"] == 1
    page3, meta3 = listing(q="Paged", page_size=2, page=3, sort="customer_name")
    assert [c["customer_name"] for c in page3] == ["Paged 4"]
    assert meta3["last_page"] == 3


def test_page_size_above_100_is_refused(api, admin_headers):
    response = api.client.get(URL, headers=admin_headers, query_string={"page_size": 101})
    assert response.status_code == 422
    assert "page_size" in response.get_json()["errors"]["query"]
