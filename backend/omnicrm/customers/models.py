"""Customer, Contact, Site and tags: the seed's data model with the architecture's corrections."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from omnicrm.activity.audit import Changes, auditable
from omnicrm.core.db import Base, TimestampMixin
from omnicrm.core.fields import enum_column
from omnicrm.response_cache import register_cached_models


class CustomerStatus(enum.StrEnum):
    open = "Open"
    closed = "Closed"
    suspended = "Suspended"
    archived = "Archived"


class AccountType(enum.StrEnum):
    individual = "Individual"
    business = "Business"


class PaymentType(enum.StrEnum):
    prepaid = "prepaid"
    postpaid = "postpaid"


class ContactType(enum.StrEnum):
    primary = "Primary"
    billing = "Billing"
    technical = "Technical"


customer_tag = Table(
    "customer_tag",
    Base.metadata,
    Column("customer_id", ForeignKey("customer.customer_id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.tag_id", ondelete="CASCADE"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tag"

    tag_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)


def _customer_action(changes: Changes) -> str:
    """Archiving and restoring are updates worth naming in the activity log."""
    if "customer_status" in changes:
        before, after = changes["customer_status"]
        if after == CustomerStatus.archived:
            return "archive"
        if before == CustomerStatus.archived:
            return "restore"
    return "update"


# Live customers may not share an e-mail or phone; archived ones no longer count. The use case
# checks first (to answer 409 with the existing id); these indexes close the race between two
# concurrent creates.
_LIVE = text("customer_status <> 'Archived'")


@auditable(
    object_type="customer",
    customer_id_attr="customer_id",
    collections={"tags": "name"},
    classify=_customer_action,
    labels={
        "customer_name": "Name",
        "customer_status": "Status",
        "customer_payment_type": "Payment type",
        "customer_account_type": "Account type",
        "customer_enabled": "Enabled",
    },
)
class Customer(Base, TimestampMixin):
    __tablename__ = "customer"
    __table_args__ = (
        Index(
            "uq_customer_live_email",
            "email",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index(
            "uq_customer_live_phone",
            "phone",
            unique=True,
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        Index("ix_customer_created_at", "created_at"),
    )

    customer_id: Mapped[int] = mapped_column(primary_key=True)
    customer_name: Mapped[str] = mapped_column(String(200), index=True)
    customer_account_type: Mapped[AccountType] = mapped_column(
        enum_column(AccountType), default=AccountType.individual
    )
    customer_status: Mapped[CustomerStatus] = mapped_column(
        enum_column(CustomerStatus), default=CustomerStatus.open, index=True
    )
    customer_payment_type: Mapped[PaymentType] = mapped_column(
        enum_column(PaymentType), default=PaymentType.prepaid
    )
    customer_enabled: Mapped[bool] = mapped_column(default=True)
    tax_identifier: Mapped[str | None] = mapped_column(String(64))
    # The customer's id in the system it came from (a bulk import recognises it by this).
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    contract_start_date: Mapped[datetime | None] = mapped_column()
    contract_end_date: Mapped[datetime | None] = mapped_column()
    # Normalised for de-duplication: lower-case e-mail, E.164 phone.
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    notes: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime | None] = mapped_column()

    tags: Mapped[list[Tag]] = relationship(
        secondary=customer_tag, lazy="selectin", order_by=Tag.name
    )
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", lazy="raise_on_sql", order_by="Contact.contact_id"
    )
    sites: Mapped[list[Site]] = relationship(
        back_populates="customer", lazy="raise_on_sql", order_by="Site.site_id"
    )

    @property
    def tag_names(self) -> list[str]:
        return [t.name for t in self.tags]


@auditable(
    object_type="contact",
    customer_id_attr="customer_id",
    labels={"contact_firstname": "First name", "contact_lastname": "Last name"},
)
class Contact(Base, TimestampMixin):
    __tablename__ = "contact"

    contact_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True
    )
    contact_firstname: Mapped[str] = mapped_column(String(100))
    contact_lastname: Mapped[str] = mapped_column(String(100), default="")
    contact_email: Mapped[str | None] = mapped_column(String(254), index=True)
    contact_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    contact_types: Mapped[list[str]] = mapped_column(JSON, default=list)

    customer: Mapped[Customer] = relationship(back_populates="contacts", lazy="raise_on_sql")


@auditable(
    object_type="site",
    customer_id_attr="customer_id",
    labels={"zip_code": "Postcode", "plus_code": "Plus code"},
    # An address reads as one change: "Address changed from 1 Old St to 2 New St".
    groups={
        "Address": ("address_line_1", "address_line_2", "city", "state", "zip_code", "country")
    },
)
class Site(Base, TimestampMixin):
    __tablename__ = "site"

    site_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True
    )
    site_name: Mapped[str] = mapped_column(String(200))
    address_line_1: Mapped[str | None] = mapped_column(String(200))
    address_line_2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(100))
    zip_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    google_maps_place_id: Mapped[str | None] = mapped_column(String(255))
    plus_code: Mapped[str | None] = mapped_column(String(20))

    customer: Mapped[Customer] = relationship(back_populates="sites", lazy="raise_on_sql")


# Any committed change to these invalidates the cached customer reads (omnicrm.response_cache).
register_cached_models("customers", Customer, Contact, Site, Tag)
