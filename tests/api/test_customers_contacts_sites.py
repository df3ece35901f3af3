"""Contacts and sites API: CRUD, validation, parent rules, plus codes and geocoding."""

from __future__ import annotations

import pytest

from omnicrm.customers.models import Contact, CustomerStatus, Site
from omnicrm.customers.use_cases import customer_id_for_contact
from omnicrm.geo.adapters.google import GoogleMapsGeocoder
from tests.factories import ContactFactory, CustomerFactory, SiteFactory
from tests.unit.test_geo import API_KEY, FakeGoogleMaps


@pytest.fixture
def customer(db_session):
    customer = CustomerFactory(customer_name="Parent Co")
    db_session.commit()
    return customer


@pytest.fixture
def archived(db_session):
    customer = CustomerFactory(customer_name="Gone Co", customer_status=CustomerStatus.archived)
    db_session.commit()
    return customer


# --------------------------------------------------------------------------------------------
# Contacts
# --------------------------------------------------------------------------------------------
def test_contact_crud(api, admin_headers, customer, db_session):
    response = api.client.post(
        "/crm/contact/",
        json={
            "customer_id": customer.customer_id,
            "contact_firstname": " Jane ",
            "contact_lastname": "Smith",
            "contact_email": "Jane@Example.com",
            "contact_phone": "202-555-0123",
            "contact_types": ["Technical", "Primary", "Primary"],
        },
        headers=admin_headers,
    )
    assert response.status_code == 201, response.get_json()
    contact = response.get_json()
    assert contact["customer_id"] == customer.customer_id
    assert contact["contact_firstname"] == "Jane"
    assert contact["contact_email"] == "jane@example.com"
    assert contact["contact_phone"] == "+12025550123"
    assert contact["contact_types"] == ["Primary", "Technical"]
    url = f"/crm/contact/{contact['contact_id']}"
    assert api.client.get(url, headers=admin_headers).get_json() == contact

    patched = api.client.patch(
        url, json={"contact_types": ["Billing"], "contact_phone": None}, headers=admin_headers
    )
    assert patched.status_code == 200
    assert patched.get_json()["contact_types"] == ["Billing"]
    assert patched.get_json()["contact_phone"] is None
    assert patched.get_json()["contact_lastname"] == "Smith"

    assert (
        customer_id_for_contact(db_session, contact_id=contact["contact_id"])
        == customer.customer_id
    )
    assert api.client.delete(url, headers=admin_headers).status_code == 204
    assert api.client.get(url, headers=admin_headers).status_code == 404
    db_session.expire_all()
    assert db_session.get(Contact, contact["contact_id"]) is None
    assert customer_id_for_contact(db_session, contact_id=contact["contact_id"]) is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"contact_email": "nope"}, "contact_email"),
        ({"contact_phone": "123"}, "contact_phone"),
        ({"contact_types": ["CEO"]}, "contact_types"),
        ({"contact_firstname": ""}, "contact_firstname"),
        ({"contact_id": 5}, "contact_id"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
    ],
)
def test_contact_validation(api, admin_headers, customer, payload, field):
    body = {"customer_id": customer.customer_id, "contact_firstname": "Jo", **payload}
    response = api.client.post("/crm/contact/", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_contact_cannot_move_to_another_customer(api, admin_headers, db_session):
    contact = ContactFactory()
    other = CustomerFactory()
    db_session.commit()
    response = api.client.patch(
        f"/crm/contact/{contact.contact_id}",
        json={"customer_id": other.customer_id},
        headers=admin_headers,
    )
    assert response.status_code == 422


def test_contact_needs_a_live_customer(api, admin_headers, archived):
    missing = api.client.post(
        "/crm/contact/",
        json={"customer_id": 987654, "contact_firstname": "Jo"},
        headers=admin_headers,
    )
    assert missing.status_code == 404
    assert "customer_id" in missing.get_json()["errors"]["json"]
    gone = api.client.post(
        "/crm/contact/",
        json={"customer_id": archived.customer_id, "contact_firstname": "Jo"},
        headers=admin_headers,
    )
    assert gone.status_code == 409
    assert gone.get_json()["code"] == "customer_archived"


def test_contact_list_filters(api, admin_headers, db_session):
    a = CustomerFactory()
    b = CustomerFactory()
    ContactFactory(customer=a, contact_firstname="Ann", contact_types=["Primary", "Billing"])
    ContactFactory(customer=a, contact_firstname="Bob", contact_types=["Technical"])
    ContactFactory(customer=b, contact_firstname="Cid", contact_phone="+12025550188")
    db_session.commit()

    def names(**params):
        response = api.client.get("/crm/contact/", headers=admin_headers, query_string=params)
        assert response.status_code == 200
        return [c["contact_firstname"] for c in response.get_json()]

    assert names(customer_id=a.customer_id) == ["Ann", "Bob"]
    assert names(customer_id=a.customer_id, sort="-contact_firstname") == ["Bob", "Ann"]
    assert names(customer_id=a.customer_id, contact_type="Billing") == ["Ann"]
    assert names(q="(202) 555-0188") == ["Cid"]
    assert (
        api.client.get(
            "/crm/contact/", headers=admin_headers, query_string={"sort": "nope"}
        ).status_code
        == 422
    )


# --------------------------------------------------------------------------------------------
# Sites
# --------------------------------------------------------------------------------------------
def _post_site(api, headers, **payload):
    return api.client.post("/crm/site/", json=payload, headers=headers)


def test_site_with_coordinates_gets_a_plus_code(api, admin_headers, customer):
    response = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="HQ",
        latitude=37.4224428,
        longitude=-122.0842467,
        country="us",
    )
    assert response.status_code == 201, response.get_json()
    site = response.get_json()
    assert site["plus_code"] == "849VCWC8+X8"
    assert site["country"] == "US"
    moved = api.client.patch(
        f"/crm/site/{site['site_id']}",
        json={"latitude": 20.3700625, "longitude": 2.7821875},
        headers=admin_headers,
    )
    assert moved.status_code == 200
    assert moved.get_json()["plus_code"] == "7FG49QCJ+2V"
    cleared = api.client.patch(
        f"/crm/site/{site['site_id']}",
        json={"latitude": None, "longitude": None},
        headers=admin_headers,
    ).get_json()
    assert cleared["plus_code"] is None and cleared["latitude"] is None


def test_offline_geocoder_leaves_an_address_unlocated(api, admin_headers, customer):
    response = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="Shop",
        address_line_1="1600 Amphitheatre Parkway",
        city="Mountain View",
        country="US",
    )
    assert response.status_code == 201
    site = response.get_json()
    assert site["latitude"] is None and site["longitude"] is None and site["plus_code"] is None


def test_offline_address_change_keeps_the_given_coordinates(api, admin_headers, customer):
    site = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="Pinned",
        latitude=20.3700625,
        longitude=2.7821875,
    ).get_json()
    patched = api.client.patch(
        f"/crm/site/{site['site_id']}", json={"city": "Elsewhere"}, headers=admin_headers
    ).get_json()
    assert (patched["latitude"], patched["longitude"]) == (20.3700625, 2.7821875)
    assert patched["plus_code"] == "7FG49QCJ+2V" and patched["city"] == "Elsewhere"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": 0, "longitude": -180.5}, "longitude"),
        ({"latitude": 10}, "longitude"),
        ({"longitude": 10}, "latitude"),
        ({"latitude": "NaN", "longitude": 0}, "latitude"),
        ({"country": "USA"}, "country"),
        ({"country": "ZZ"}, "country"),
        ({"site_name": ""}, "site_name"),
        ({"plus_code": "849VCWC8+X8"}, "plus_code"),  # computed, never given
    ],
)
def test_site_validation(api, admin_headers, customer, payload, field):
    body = {"customer_id": customer.customer_id, "site_name": "X", **payload}
    response = api.client.post("/crm/site/", json=body, headers=admin_headers)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_site_needs_a_live_customer(api, admin_headers, archived):
    assert _post_site(api, admin_headers, customer_id=987654, site_name="X").status_code == 404
    gone = _post_site(api, admin_headers, customer_id=archived.customer_id, site_name="X")
    assert gone.status_code == 409


def test_site_list_get_and_delete(api, admin_headers, db_session):
    a = CustomerFactory()
    SiteFactory(customer=a, site_name="Depot", city="Sydney", country="AU")
    SiteFactory(customer=a, site_name="Annex", city="Perth", country="AU")
    other = SiteFactory(site_name="Elsewhere", country="NZ")
    db_session.commit()

    def names(**params):
        response = api.client.get("/crm/site/", headers=admin_headers, query_string=params)
        assert response.status_code == 200
        return [s["site_name"] for s in response.get_json()]

    assert names(customer_id=a.customer_id, sort="site_name") == ["Annex", "Depot"]
    assert names(q="perth") == ["Annex"]
    assert names(country="nz") == ["Elsewhere"]
    site_id = other.site_id
    url = f"/crm/site/{site_id}"
    assert api.client.get(url, headers=admin_headers).get_json()["site_name"] == "Elsewhere"
    assert api.client.delete(url, headers=admin_headers).status_code == 204
    assert api.client.get(url, headers=admin_headers).status_code == 404
    db_session.expire_all()
    assert db_session.get(Site, site_id) is None


@pytest.fixture
def google_geocoder(app, monkeypatch):
    """The app geocodes with Google Maps, spoken to over HTTP at a local fake server."""
    with FakeGoogleMaps() as fake:
        geocoder = GoogleMapsGeocoder(api_key=API_KEY, base_url=fake.base_url, retry_timeout=1)
        monkeypatch.setitem(app.extensions, "omnicrm_geocoder", geocoder)
        yield fake


def test_google_geocodes_a_new_site_address(api, admin_headers, customer, google_geocoder):
    response = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="Googleplex",
        address_line_1="1600 Amphitheatre Parkway",
        city="Mountain View",
        state="CA",
        zip_code="94043",
        country="US",
    )
    assert response.status_code == 201
    site = response.get_json()
    assert (site["latitude"], site["longitude"]) == (37.4224428, -122.0842467)
    assert site["google_maps_place_id"] == "ChIJeRpOeF67j4AR9ydy_PIzPuM"
    assert site["plus_code"] == "849VCWC8+X8"
    assert google_geocoder.requests[-1]["address"] == [
        "1600 Amphitheatre Parkway, Mountain View, CA, 94043, US"
    ]


def test_google_is_not_asked_when_coordinates_are_given(
    api, admin_headers, customer, google_geocoder
):
    response = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="Pinned",
        address_line_1="1600 Amphitheatre Parkway",
        latitude=-33.8688,
        longitude=151.2093,
    )
    assert response.status_code == 201
    assert response.get_json()["latitude"] == -33.8688
    assert google_geocoder.requests == []


def test_a_changed_address_is_geocoded_again(api, admin_headers, customer, google_geocoder):
    site = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="Moving",
        city="Atlantis",
        google_maps_place_id="stale-place-id",
    ).get_json()
    assert site["latitude"] is None  # ZERO_RESULTS: saved anyway, unlocated
    patched = api.client.patch(
        f"/crm/site/{site['site_id']}",
        json={"address_line_1": "1600 Amphitheatre Parkway"},
        headers=admin_headers,
    ).get_json()
    assert patched["plus_code"] == "849VCWC8+X8"
    assert patched["google_maps_place_id"] == "ChIJeRpOeF67j4AR9ydy_PIzPuM"


def test_a_google_outage_does_not_fail_the_site(api, admin_headers, customer, google_geocoder):
    response = _post_site(
        api,
        admin_headers,
        customer_id=customer.customer_id,
        site_name="X",
        address_line_1="explode",
    )
    assert response.status_code == 201
    assert response.get_json()["latitude"] is None
