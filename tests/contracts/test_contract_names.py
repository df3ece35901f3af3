"""Contract bodies name the customer, product, site and accepting user beside their ids, and a
page of contracts costs one query whatever its length (no N+1)."""

from __future__ import annotations

from sqlalchemy import event

URL = "/crm/contract/"


def _sell(call, customer, product, site=None, headers=None):
    body = {"customer_id": customer.customer_id, "product_id": product.product_id}
    if site is not None:
        body["site_id"] = site.site_id
    return call("post", URL, 201, json=body, headers=headers or {})


def test_detail_and_list_carry_names(api, make_user, call, stock, customer, site, product):
    seller = make_user("admin", full_name="Dana Seller")
    sold = _sell(call, customer, product, site, headers=api.headers_for(seller.email))
    assert sold["customer_name"] == "Harbour Cafe"
    assert sold["product_name"] == "Mobile 20"
    assert sold["site_name"] == "Head office"
    assert sold["accepted_by_user_id"] == seller.id
    assert sold["accepted_by_name"] == "Dana Seller"

    detail = call("get", f"{URL}{sold['contract_id']}", 200)
    assert (detail["customer_name"], detail["product_name"], detail["site_name"]) == (
        "Harbour Cafe",
        "Mobile 20",
        "Head office",
    )
    listed = call("get", f"{URL}?customer_id={customer.customer_id}", 200)
    (row,) = [c for c in listed if c["contract_id"] == sold["contract_id"]]
    assert row["customer_name"] == "Harbour Cafe" and row["product_name"] == "Mobile 20"
    assert row["accepted_by_name"] == "Dana Seller"


def test_name_falls_back_to_username_and_site_is_optional(
    api, make_user, call, stock, customer, product
):
    seller = make_user("admin", full_name="", username="dana")
    sold = _sell(call, customer, product, headers=api.headers_for(seller.email))
    assert sold["site_name"] is None and sold["site_id"] is None
    assert sold["accepted_by_name"] == "dana"


def test_list_names_take_one_query(app, database, call, stock, customer, site, product):
    for _ in range(3):
        _sell(call, customer, product, site)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = database.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        listed = call("get", f"{URL}?customer_id={customer.customer_id}&page_size=50", 200)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(listed) == 3
    assert all(c["customer_name"] == "Harbour Cafe" for c in listed)
    assert all(c["site_name"] == "Head office" for c in listed)
    # Names travel in the contract rows' own SELECT: none of the queries is per contract.
    contract_selects = [s for s in statements if "FROM contract" in s]
    customer_selects = [s for s in statements if s.lstrip().startswith("SELECT customer")]
    assert customer_selects == []
    assert len(contract_selects) <= 3, statements
