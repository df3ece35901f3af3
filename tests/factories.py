"""factory_boy factories bound to the test's session (see ``conftest.db_session``)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from omnicrm.customers.models import Contact, Customer, Site

_session: Session | None = None


def bind(session: Session) -> None:
    global _session
    _session = session


def _current() -> Session:
    assert _session is not None, "use the db_session fixture"
    return _session


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _current
        sqlalchemy_session_persistence = "flush"


class CustomerFactory(_Base):
    class Meta:
        model = Customer

    customer_name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"customer{n}@example.net")
    phone = factory.Sequence(lambda n: f"+1202555{n:04d}")


class ContactFactory(_Base):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    contact_firstname = factory.Faker("first_name")
    contact_lastname = factory.Faker("last_name")
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.net")
    contact_types = ["Primary"]


class SiteFactory(_Base):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    site_name = factory.Sequence(lambda n: f"Site {n}")
    city = factory.Faker("city")
    latitude = -33.8688
    longitude = 151.2093


# ---------------------------------------------------------------------------------------------
# Catalog
# ---------------------------------------------------------------------------------------------
from decimal import Decimal  # noqa: E402

from omnicrm.catalog.models import (  # noqa: E402
    BillingPeriod,
    Product,
    ProductAddonCompatibility,
    ProductBundleItem,
    ProductCategory,
)


class ProductFactory(_Base):
    """A standalone monthly tariff sold to everyone; pass ``category`` and its fields for others
    (or better, use the catalog use cases, which check the category rules)."""

    class Meta:
        model = Product

    product_name = factory.Sequence(lambda n: f"Tariff {n}")
    product_slug = factory.Sequence(lambda n: f"tariff-{n}")
    category = ProductCategory.standalone
    billing_period = BillingPeriod.monthly
    retail_cost = Decimal("20.00")
    wholesale_cost = Decimal("8.00")
    tax_percentage = Decimal("10.00")
    provisioning_json_vars = factory.LazyFunction(dict)
    inventory_items_list = factory.LazyFunction(lambda: ["SIM Card", "Phone Number"])


class AddonFactory(ProductFactory):
    """An add-on attached to ``compatible_with`` (a list of products)."""

    product_name = factory.Sequence(lambda n: f"Add-on {n}")
    product_slug = factory.Sequence(lambda n: f"addon-{n}")
    category = ProductCategory.addon
    inventory_items_list = factory.LazyFunction(list)

    @factory.post_generation
    def compatible_with(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for base in extracted or []:
            self.addon_links.append(ProductAddonCompatibility(base_product_id=base.product_id))


class BundleFactory(ProductFactory):
    """A bundle of ``children`` (a list of products), in order."""

    product_name = factory.Sequence(lambda n: f"Bundle {n}")
    product_slug = factory.Sequence(lambda n: f"bundle-{n}")
    category = ProductCategory.bundle
    inventory_items_list = factory.LazyFunction(list)

    @factory.post_generation
    def children(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        for position, child in enumerate(extracted or []):
            self.bundle_items.append(
                ProductBundleItem(position=position, child_product_id=child.product_id)
            )


# ---------------------------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------------------------
from sqlalchemy import select  # noqa: E402

from omnicrm.inventory.models import Inventory, InventoryTemplate  # noqa: E402
from omnicrm.inventory.use_cases import sync_inventory_templates  # noqa: E402
from omnicrm.inventory.validation import luhn_check_digit  # noqa: E402


def builtin_template(name: str) -> InventoryTemplate:
    """A built-in inventory template (SIM Card, Phone Number, Router), synced if missing."""
    session = _current()
    sync_inventory_templates(session)
    return session.scalars(select(InventoryTemplate).where(InventoryTemplate.item == name)).one()


def make_iccid(n: int, prefix: str = "8944") -> str:
    """A valid 19-digit ICCID (Luhn check digit included) numbered ``n``."""
    body = f"{prefix}{n:0{18 - len(prefix)}d}"
    return body + luhn_check_digit(body)


class SimFactory(_Base):
    """A SIM card in stock (state ``new`` unless given). Made directly, so without history."""

    class Meta:
        model = Inventory

    template = factory.LazyFunction(lambda: builtin_template("SIM Card"))
    serial = factory.Sequence(make_iccid)
    itemtext1 = factory.SelfAttribute("serial")
    itemtext2 = factory.Sequence(lambda n: f"00101{n:010d}")


class PhoneNumberFactory(_Base):
    class Meta:
        model = Inventory

    template = factory.LazyFunction(lambda: builtin_template("Phone Number"))
    serial = factory.Sequence(lambda n: f"+614123{n:05d}")
    itemtext1 = factory.SelfAttribute("serial")


class RouterFactory(_Base):
    class Meta:
        model = Inventory

    template = factory.LazyFunction(lambda: builtin_template("Router"))
    serial = factory.Sequence(
        lambda n: f"02:00:00:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"
    )
    itemtext1 = factory.SelfAttribute("serial")


# ---------------------------------------------------------------------------------------------
# Services and contracts
# ---------------------------------------------------------------------------------------------
import uuid  # noqa: E402

from omnicrm.services.models import Service, ServiceStatus  # noqa: E402


class ServiceFactory(_Base):
    """A service made directly (no history, no inventory); sell through
    ``contracts.use_cases.create_contract`` for the real thing."""

    class Meta:
        model = Service

    customer_id = factory.LazyFunction(lambda: CustomerFactory().customer_id)
    product_id = factory.LazyFunction(lambda: ProductFactory().product_id)
    service_name = factory.Sequence(lambda n: f"Service {n}")
    service_uuid = factory.LazyFunction(lambda: uuid.uuid4().hex)
    service_status = ServiceStatus.pending
    retail_cost = Decimal("20.00")
    wholesale_cost = Decimal("8.00")
    price_snapshot = factory.LazyFunction(dict)


def delete_tickets(session: Session, where: object) -> None:
    """Remove committed tickets matching ``where`` with their history (tests clean up after
    real commits: a provisioning job that fails for good opens a ticket)."""
    from sqlalchemy import delete, select

    from omnicrm.tickets.models import (
        Ticket,
        TicketAttachment,
        TicketComment,
        TicketTag,
        TicketTransition,
    )

    ids = select(Ticket.ticket_id).where(where)
    for model in (TicketTransition, TicketComment, TicketTag, TicketAttachment):
        session.execute(delete(model).where(model.ticket_id.in_(ids)))
    session.execute(delete(Ticket).where(where))
