"""One subscriber row: validated, then applied in a savepoint of its own — the customer created
or updated (recognised by ``external_id``, then e-mail), a primary contact and a site for a new
customer, and, when the row names a product and a SIM, the contract sold through the same use
case as the GetSim flow. A row that fails leaves nothing of itself; a row already applied is
recognised and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.orm import Session

from omnicrm.activity.recorder import queue_change
from omnicrm.catalog.models import Product
from omnicrm.contracts import use_cases as contracts
from omnicrm.contracts.models import LIVE_STATUSES, Contract
from omnicrm.core.db import utcnow
from omnicrm.core.errors import DomainError
from omnicrm.customers import use_cases as customers
from omnicrm.customers import validation as v
from omnicrm.customers.models import AccountType, Customer, CustomerStatus, PaymentType
from omnicrm.geo.choice import current_geocoder
from omnicrm.imports.rows import Outcomes, Refused, RowError, clean
from omnicrm.inventory.models import Inventory
from omnicrm.inventory.validation import normalise_iccid, normalise_msisdn
from omnicrm.provisioning import use_cases as provisioning

CUSTOMER_COLUMNS = (
    "external_id",
    "customer_name",
    "email",
    "phone",
    "customer_account_type",
    "customer_payment_type",
    "currency",
    "tax_identifier",
    "notes",
)
CONTACT_COLUMNS = ("contact_firstname", "contact_lastname", "contact_email", "contact_phone")
SITE_COLUMNS = (
    "site_name",
    "address_line_1",
    "address_line_2",
    "city",
    "state",
    "zip_code",
    "country",
)
SALE_COLUMNS = ("product_slug", "sim_iccid", "msisdn")
COLUMNS = CUSTOMER_COLUMNS + CONTACT_COLUMNS + SITE_COLUMNS + SALE_COLUMNS
REQUIRED = ("customer_name",)
# A row is recognised by one of these: a file must have at least one.
KEYS = ("external_id", "email")

_EXTERNAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$")
# What a row claims in its file: a later row claiming one of them again is a duplicate.
CLAIMS = {name: name for name in ("external_id", "email", "sim_iccid", "msisdn")}


def _apply(values: dict[str, Any], name: str, check: Callable[[str], Any]) -> None:
    if name in values:
        try:
            values[name] = check(values[name])
        except ValueError as exc:
            raise RowError(name, str(exc)) from None


def validate(header: list[str], cells: list[str], *, region: str) -> dict[str, Any]:
    """The row's values, normalised as the API normalises them, or the first problem."""
    values: dict[str, Any] = clean(header, cells)
    if "customer_name" not in values:
        raise RowError("customer_name", "required")
    if not any(values.get(key) for key in KEYS):
        raise RowError("external_id", "external_id or email is needed to recognise the customer")
    if "external_id" in values and not _EXTERNAL_ID.match(values["external_id"]):
        raise RowError("external_id", "letters, digits and . _ : / - (at most 64)")
    _apply(values, "customer_name", v.normalise_name)
    _apply(values, "email", v.normalise_email)
    _apply(values, "phone", lambda value: v.normalise_phone(value, region))
    _apply(values, "tax_identifier", v.normalise_tax_identifier)
    _apply(values, "currency", v.normalise_currency)
    _apply(values, "contact_email", v.normalise_email)
    _apply(values, "contact_phone", lambda value: v.normalise_phone(value, region))
    _apply(values, "country", v.normalise_country)
    _apply(values, "sim_iccid", normalise_iccid)
    _apply(values, "msisdn", lambda value: normalise_msisdn(value, region))
    for name, allowed in (
        ("customer_account_type", [t.value for t in AccountType]),
        ("customer_payment_type", [t.value for t in PaymentType]),
    ):
        if name in values and values[name] not in allowed:
            raise RowError(name, f"one of {', '.join(allowed)}")
    if any(name in values for name in CONTACT_COLUMNS) and "contact_firstname" not in values:
        raise RowError("contact_firstname", "required when a contact is given")
    if any(name in values for name in SITE_COLUMNS) and "site_name" not in values:
        raise RowError("site_name", "required when a site is given")
    if ("sim_iccid" in values or "msisdn" in values) and "product_slug" not in values:
        raise RowError("product_slug", "required when a SIM or number is given")
    if "product_slug" in values and "sim_iccid" not in values:
        raise RowError("sim_iccid", "required when a product is sold")
    return values


@dataclass
class Context:
    """What a job's rows share: the products by slug (read once) and the settings they need."""

    region: str
    play_config: provisioning.PlayConfig
    currency: str = "USD"  # a new customer's, when the row has none (DEFAULT_CURRENCY)
    products: dict[str, Product | None] = field(default_factory=dict)

    def product(self, session: Session, slug: str) -> Product:
        if slug not in self.products:
            self.products[slug] = session.scalar(
                select(Product).where(Product.product_slug == slug)
            )
        product = self.products[slug]
        if product is None:
            raise RowError("product_slug", f"no product {slug!r}")
        return product


def _find(session: Session, values: dict[str, Any]) -> Customer | None:
    if values.get("external_id"):
        found = session.scalar(
            select(Customer).where(Customer.external_id == values["external_id"])
        )
        if found is not None:
            return found
    if values.get("email"):
        return session.scalar(
            select(Customer).where(Customer.email == values["email"]).order_by(Customer.customer_id)
        )
    return None


def _changes(customer: Customer, values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: values[name]
        for name in CUSTOMER_COLUMNS
        if name in values and getattr(customer, name) != values[name]
    }


def apply(session: Session, ctx: Context, values: dict[str, Any]) -> str:
    """Apply one validated row: ``created``, ``updated`` or ``unchanged``."""
    outcome = "unchanged"
    customer = _find(session, values)
    fields = {name: values[name] for name in CUSTOMER_COLUMNS if name in values}
    try:
        if customer is None:
            fields.setdefault("currency", ctx.currency)
            customer = customers.create_customer(session, default_region=ctx.region, **fields)
            outcome = "created"
            if "contact_firstname" in values:
                customers.create_contact(
                    session,
                    customer_id=customer.customer_id,
                    contact_types=["Primary"],
                    default_region=ctx.region,
                    **{name: values[name] for name in CONTACT_COLUMNS if name in values},
                )
            if "site_name" in values:
                customers.create_site(
                    session,
                    geocoder=current_geocoder(),
                    customer_id=customer.customer_id,
                    **{name: values[name] for name in SITE_COLUMNS if name in values},
                )
        elif changes := _changes(customer, values):
            customers.update_customer(
                session,
                customer_id=customer.customer_id,
                changes=changes,
                default_region=ctx.region,
            )
            outcome = "updated"
    except DomainError as exc:
        raise _row_error(exc, default="customer_name") from None
    if "product_slug" in values and _sell(session, ctx, customer, values):
        outcome = "created" if outcome == "unchanged" else outcome
    return outcome


def _sell(session: Session, ctx: Context, customer: Customer, values: dict[str, Any]) -> bool:
    """Sell the row's product with its SIM (and number); False when this customer already has
    a live contract holding that SIM (the row was applied before)."""
    product = ctx.product(session, values["product_slug"])
    held = session.scalar(
        select(Contract.contract_id)
        .join(Inventory, Inventory.inventory_id == Contract.sim_inventory_id)
        .where(
            Contract.customer_id == customer.customer_id,
            Contract.contract_status.in_(LIVE_STATUSES),
            Inventory.serial == values["sim_iccid"],
        )
    )
    if held is not None:
        return False
    try:
        contracts.create_contract(
            session,
            customer_id=customer.customer_id,
            product_id=product.product_id,
            sim_iccid=values["sim_iccid"],
            msisdn=values.get("msisdn"),
            default_region=ctx.region,
            play_config=ctx.play_config,
        )
    except DomainError as exc:
        raise _row_error(exc, default="sim_iccid") from None
    return True


# The API's field -> the file's column it came from
_COLUMN_OF_FIELD = {"product_id": "product_slug"}
_FIELD_OF_CODE = {
    "product_disabled": "product_slug",
    "product_not_eligible": "product_slug",
    "customer_not_open": "customer_name",
    "duplicate_customer": "email",
}


def _row_error(exc: DomainError, *, default: str) -> RowError:
    """The API's error as a row error: its field where it names one."""
    for fields in (exc.errors or {}).values():
        if isinstance(fields, dict) and fields:
            name, messages = next(iter(fields.items()))
            message = messages[0] if isinstance(messages, list) and messages else str(messages)
            return RowError(_COLUMN_OF_FIELD.get(str(name), str(name)), str(message))
    name = _FIELD_OF_CODE.get(exc.code, default)
    if exc.code == "inventory_unavailable" and "number" in exc.message.lower():
        name = "msisdn"
    return RowError(name, exc.message)


# --- many customer-only rows at once -------------------------------------------------------------
def plain(values: dict[str, Any]) -> bool:
    """A row that only creates or updates a customer (no contact, site or sale): it can go
    with the others of its chunk in a few set-based statements."""
    return not any(name in values for name in CONTACT_COLUMNS + SITE_COLUMNS + SALE_COLUMNS)


def apply_many(
    session: Session, rows: list[tuple[int, dict[str, Any]]], *, currency: str = "USD"
) -> tuple[Outcomes, Refused]:
    """Apply customer-only rows together: one read of the customers they name (by external id
    and e-mail) and of those holding their e-mails and phones, one INSERT for the new ones
    (with their activity rows), an UPDATE per changed one. The same rules as :func:`apply`: a
    row whose e-mail or phone is another live customer's is refused. Returns each line's
    outcome, and the rows refused."""
    outcomes: Outcomes = {}
    refused: Refused = {}
    ids = {v["external_id"] for _, v in rows if v.get("external_id")}
    emails = {v["email"] for _, v in rows if v.get("email")}
    phones = {v["phone"] for _, v in rows if v.get("phone")}
    by_external: dict[str, Customer] = {}
    by_email: dict[str, Customer] = {}
    holders: dict[tuple[str, str], int] = {}
    # One query per key, each on its own index (an OR of the three is planned as a scan).
    found: dict[int, Customer] = {}
    for column, keys in (
        (Customer.external_id, ids),
        (Customer.email, emails),
        (Customer.phone, phones),
    ):
        if keys:
            for stored in session.scalars(select(Customer).where(column.in_(keys))):
                found[stored.customer_id] = stored
    for stored in sorted(found.values(), key=lambda c: c.customer_id):
        if stored.external_id:
            by_external.setdefault(stored.external_id, stored)
        if stored.email:
            by_email.setdefault(stored.email, stored)
        if stored.customer_status != CustomerStatus.archived:
            for name in ("email", "phone"):
                value = getattr(stored, name)
                if value:
                    holders.setdefault((name, value), stored.customer_id)
    new: list[tuple[int, dict[str, Any]]] = []
    for line, values in rows:
        customer = by_external.get(values.get("external_id") or "") or (
            by_email.get(values.get("email") or "")
        )
        me = customer.customer_id if customer is not None else None
        clash = next(
            (
                (name, holders[(name, values[name])])
                for name in ("email", "phone")
                if values.get(name)
                and holders.get((name, values[name])) not in (None, me)
                and (customer is None or getattr(customer, name) != values[name])
            ),
            None,
        )
        if clash is not None:
            refused[line] = RowError(clash[0], f"already customer {clash[1]}'s")
            continue
        if customer is not None and customer.customer_status == CustomerStatus.archived:
            refused[line] = RowError(
                "external_id" if values.get("external_id") else "email",
                f"customer {customer.customer_id} is archived; restore it first",
            )
            continue
        if customer is None:
            new.append((line, values))
        elif changes := _changes(customer, values):
            _update(session, customer, changes)
            outcomes[line] = "updated"
        else:
            outcomes[line] = "unchanged"
    if new:
        for line, customer_id, fields in _insert(session, new, currency):
            outcomes[line] = "created"
            queue_change(
                session, Customer, action="create", object_id=customer_id,
                customer_id=customer_id, before=None, after=fields,
            )  # fmt: skip
    return outcomes, refused


_ENUMS: dict[str, Callable[[Any], Any]] = {
    "customer_account_type": AccountType,
    "customer_payment_type": PaymentType,
}


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    fields = {name: values[name] for name in CUSTOMER_COLUMNS if name in values}
    return {k: _ENUMS[k](v) if k in _ENUMS else v for k, v in fields.items()}


def _insert(
    session: Session, new: list[tuple[int, dict[str, Any]]], currency: str
) -> list[tuple[int, int, dict[str, Any]]]:
    now = utcnow()
    defaults = {
        "customer_account_type": AccountType.individual,
        "customer_status": CustomerStatus.open,
        "customer_payment_type": PaymentType.prepaid,
        "customer_enabled": True,
        "currency": currency,
        "email": None,
        "phone": None,
        "external_id": None,
        "tax_identifier": None,
        "notes": None,
        "created_at": now,
        "updated_at": now,
    }
    rows = [defaults | _fields(values) for _, values in new]
    if session.get_bind().dialect.name == "postgresql":
        ids = _insert_unnest(session, rows)
    else:
        returning = insert(Customer).returning(Customer.customer_id, sort_by_parameter_order=True)
        ids = list(session.scalars(returning, rows).all())
    return [(line, int(cid), row) for (line, _), cid, row in zip(new, ids, rows, strict=True)]


_COLUMNS = (
    "external_id", "customer_name", "email", "phone", "customer_account_type",
    "customer_payment_type", "currency", "tax_identifier", "notes", "customer_status",
)  # fmt: skip


_NAMES = ", ".join(_COLUMNS)
_ARRAYS = ", ".join(f"CAST(:{name} AS text[])" for name in _COLUMNS)
_UNNEST_INSERT = text(
    f"INSERT INTO customer ({_NAMES}, customer_enabled, created_at, updated_at) "  # noqa: S608 - constant column names; values are bound
    f"SELECT {_NAMES}, true, :now, :now FROM unnest({_ARRAYS}) "
    f"WITH ORDINALITY AS m({_NAMES}, ord) ORDER BY ord RETURNING customer_id"
)


def _insert_unnest(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """One ``INSERT ... SELECT FROM unnest(arrays)``: a statement of fixed size whatever the
    row count (a multi-row VALUES of 500 rows costs more to build and parse than to run). The
    rows go in the arrays' order, so their new ids, sorted, are theirs in that order."""

    def column(name: str) -> list[Any]:
        return [getattr(row[name], "value", row[name]) for row in rows]

    params: dict[str, Any] = {name: column(name) for name in _COLUMNS}
    params["now"] = rows[0]["created_at"]
    return sorted(int(i) for i in session.scalars(_UNNEST_INSERT, params))


def _update(session: Session, customer: Customer, changes: dict[str, Any]) -> None:
    before = {name: getattr(customer, name) for name in changes}
    fields = _fields(changes) | {"updated_at": utcnow()}
    session.execute(
        update(Customer).where(Customer.customer_id == customer.customer_id).values(**fields),
        execution_options={"synchronize_session": False},
    )
    queue_change(
        session, Customer, action="update", object_id=customer.customer_id,
        customer_id=customer.customer_id, before=before, after=fields,
    )  # fmt: skip


class SubscriberRows:
    """Subscriber rows as the engine drives them (:class:`omnicrm.imports.rows.RowKind`)."""

    columns: tuple[str, ...] = COLUMNS
    required: tuple[str, ...] = REQUIRED
    one_of: tuple[str, ...] = KEYS
    claims: Mapping[str, str] = CLAIMS
    analyze: tuple[str, ...] = ("customer",)

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def validate(self, header: list[str], cells: list[str]) -> dict[str, Any]:
        return validate(header, cells, region=self.ctx.region)

    def batchable(self, values: dict[str, Any]) -> bool:
        return plain(values)

    def apply(self, session: Session, values: dict[str, Any]) -> str:
        return apply(session, self.ctx, values)

    def apply_many(
        self, session: Session, rows: list[tuple[int, dict[str, Any]]]
    ) -> tuple[Outcomes, Refused]:
        return apply_many(session, rows, currency=self.ctx.currency)
