"""A user's self-care link follows its contact and customer (no stale cached access)."""

from __future__ import annotations


def _linked_user(api, make_user, admin_headers):
    customer = api.client.post(
        "/crm/customer/", json={"customer_name": "Portal Co"}, headers=admin_headers
    ).get_json()
    contact = api.client.post(
        "/crm/contact/",
        json={"customer_id": customer["customer_id"], "contact_firstname": "Pat"},
        headers=admin_headers,
    ).get_json()
    user = make_user("customer", contact_id=contact["contact_id"])
    token = api.login(user.email)["token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = api.client.get("/crm/auth/me", headers=headers).get_json()
    assert me["customer_id"] == customer["customer_id"]
    return customer, contact, headers


def test_archiving_the_customer_ends_portal_access(api, make_user, admin_headers):
    customer, _, headers = _linked_user(api, make_user, admin_headers)
    assert (
        api.client.delete(
            f"/crm/customer/{customer['customer_id']}", headers=admin_headers
        ).status_code
        == 200
    )
    assert api.client.get("/crm/auth/me", headers=headers).get_json()["customer_id"] is None


def test_deleting_the_contact_unlinks_the_user(api, make_user, admin_headers):
    _, contact, headers = _linked_user(api, make_user, admin_headers)
    assert (
        api.client.delete(
            f"/crm/contact/{contact['contact_id']}", headers=admin_headers
        ).status_code
        == 204
    )
    me = api.client.get("/crm/auth/me", headers=headers).get_json()
    assert me["customer_id"] is None
    assert me["user"]["contact_id"] is None
