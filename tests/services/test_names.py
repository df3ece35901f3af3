"""Service lists and details carry the customer's, product's and site's names beside their
ids, and a list loads them in a fixed number of statements whatever its length."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from tests.factories import CustomerFactory, ProductFactory, ServiceFactory, SiteFactory


def _statements(database: Any, call: Any, *args: Any) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        body = call(*args)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return body, seen


def _services(db_session: Any, count: int) -> tuple[Any, list[Any]]:
    customer: Any = CustomerFactory(customer_name="Acme Pty")
    db_session.flush()
    site: Any = SiteFactory(customer_id=customer.customer_id, site_name="Head office")
    made = []
    for n in range(count):
        product: Any = ProductFactory(product_name=f"Fibre {n}")
        db_session.flush()
        made.append(
            ServiceFactory(
                customer_id=customer.customer_id,
                product_id=product.product_id,
                site_id=site.site_id if n % 2 == 0 else None,
            )
        )
    db_session.commit()
    return customer, made


def test_list_and_detail_carry_the_names(call, db_session):
    customer, (with_site, without_site) = _services(db_session, 2)
    body = call("get", f"/crm/service/?customer_id={customer.customer_id}", 200)
    rows = {row["service_id"]: row for row in body}
    assert rows[with_site.service_id]["customer_name"] == "Acme Pty"
    assert rows[with_site.service_id]["product_name"] == "Fibre 0"
    assert rows[with_site.service_id]["site_name"] == "Head office"
    assert rows[without_site.service_id]["product_name"] == "Fibre 1"
    assert rows[without_site.service_id]["site_name"] is None
    detail = call("get", f"/crm/service/{with_site.service_id}", 200)
    assert (detail["customer_name"], detail["product_name"], detail["site_name"]) == (
        "Acme Pty",
        "Fibre 0",
        "Head office",
    )


def test_a_list_loads_the_names_without_a_query_per_row(call, database, db_session):
    small, _ = _services(db_session, 2)
    large, _ = _services(db_session, 8)
    path = "/crm/service/?customer_id={}&page_size=50"
    call("get", path.format(small.customer_id), 200)  # the caller's identity is cached now
    body_small, few = _statements(database, call, "get", path.format(small.customer_id), 200)
    body_large, many = _statements(database, call, "get", path.format(large.customer_id), 200)
    assert len(body_small) == 2 and len(body_large) == 8
    assert all(row["product_name"].startswith("Fibre") for row in body_large)
    assert len(many) == len(few), "\n\n".join(many)
