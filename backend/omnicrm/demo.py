"""Realistic demo data for a fresh install: customers with contacts and sites, a user per role.

Passwords are generated on the first run and printed once (and kept in
``instance/demo-credentials.txt``, mode 600); nothing has a fixed default.
"""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any

import phonenumbers
from flask import current_app
from openlocationcode import openlocationcode as olc
from sqlalchemy import func, select

from omnicrm.auth.deps import auth_deps
from omnicrm.auth.use_cases import create_user, find_user_by_email, sync_rbac
from omnicrm.catalog.demo import seed_catalog
from omnicrm.core.db import utcnow
from omnicrm.customers.models import (
    AccountType,
    Contact,
    Customer,
    CustomerStatus,
    PaymentType,
    Site,
    Tag,
)
from omnicrm.extensions import get_db

FIRST = [
    "Olivia",
    "Liam",
    "Amelia",
    "Noah",
    "Isla",
    "Jack",
    "Mia",
    "William",
    "Ava",
    "Leo",
    "Aigerim",
    "Timur",
    "Aruzhan",
    "Eldar",
    "Dana",
    "Almir",
    "Sofia",
    "Lucas",
    "Chloe",
    "Ethan",
]
LAST = [
    "Smith",
    "Nguyen",
    "Brown",
    "Wilson",
    "Taylor",
    "Ordobaev",
    "Taiypov",
    "Turdahunov",
    "Martin",
    "Anderson",
    "Thompson",
    "White",
    "Walker",
    "Harris",
    "Lee",
    "Kelly",
]
COMPANIES = [
    "Harbour Logistics",
    "Bluegum Dental",
    "Koala Coffee Roasters",
    "Summit Legal",
    "Riverside Motors",
    "Northwind Traders",
    "Eucalypt Health",
    "Tasman Freight",
    "Southern Cross Realty",
    "Outback Solar",
    "Coral Reef Tours",
    "Sandstone Architects",
]
CITIES = [
    ("Sydney", "NSW", "2000", -33.8688, 151.2093),
    ("Melbourne", "VIC", "3000", -37.8136, 144.9631),
    ("Brisbane", "QLD", "4000", -27.4698, 153.0251),
    ("Perth", "WA", "6000", -31.9505, 115.8605),
    ("Adelaide", "SA", "5000", -34.9285, 138.6007),
    ("Hobart", "TAS", "7000", -42.8821, 147.3272),
]
STREETS = ["George St", "Collins St", "Queen St", "Hay St", "King William St", "Elizabeth St"]
TAGS = ["vip", "enterprise", "wholesale", "churn-risk", "new", "reseller"]
ROLE_USERS = ["admin", "support", "sales", "finance"]


def _mobile(rng: random.Random) -> str:
    while True:
        number = phonenumbers.parse(f"+614{rng.randint(10_000_000, 99_999_999)}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


DEMO_SIMS, DEMO_ROUTERS = 25, 5


def _seed_stock(session: Any, rng: random.Random) -> list[str]:
    """SIM cards, phone numbers and routers to sell, once (nothing when any stock exists)."""
    from omnicrm.inventory import use_cases as inv
    from omnicrm.inventory.models import Inventory
    from omnicrm.inventory.validation import luhn_check_digit

    if session.scalar(select(func.count()).select_from(Inventory)):
        return []
    inv.sync_inventory_templates(session)
    sim = inv.template_named(session, "SIM Card")
    number = inv.template_named(session, "Phone Number")
    router = inv.template_named(session, "Router")
    numbers: set[str] = set()
    for n in range(DEMO_SIMS):
        body = f"8961{rng.randint(10**13, 10**14 - 1)}0"[:18]
        inv.create_item(
            session,
            inventory_template_id=sim.inventory_template_id,
            serial=body + luhn_check_digit(body),
            itemtext2=f"50501{n:010d}",
        )
        while (msisdn := _mobile(rng)) in numbers:
            pass
        numbers.add(msisdn)
        inv.create_item(session, inventory_template_id=number.inventory_template_id, serial=msisdn)
    for n in range(DEMO_ROUTERS):
        inv.create_item(
            session,
            inventory_template_id=router.inventory_template_id,
            serial=f"02:4F:4D:00:00:{n:02X}",
            itemtext2=f"OMNI-RT-{n:05d}",
        )
    return [f"seeded stock: {DEMO_SIMS} SIM cards, {DEMO_SIMS} numbers, {DEMO_ROUTERS} routers"]


def seed(*, customers: int = 50, force: bool = False, seed_value: int = 7) -> list[str]:
    """Create demo users and customers; returns lines to print."""
    lines: list[str] = []
    db = get_db()
    rng = random.Random(seed_value)  # noqa: S311 - reproducible demo data, not security
    settings = current_app.extensions["omnicrm_settings"]
    credentials_file = settings.instance_path / "demo-credentials.txt"
    with db.job_scope() as session:
        sync_rbac(session)
        seed_catalog(session, currency=settings.default_currency)
        created: list[tuple[str, str, str]] = []
        for role in ROLE_USERS:
            email = f"{role}@demo.omnicrm.local"
            if find_user_by_email(session, email) is None:
                password = secrets.token_urlsafe(12)
                create_user(
                    session,
                    auth_deps(),
                    email=email,
                    password=password,
                    roles=[role],
                    full_name=f"Demo {role.title()}",
                    email_verified=True,
                    actor=None,
                )
                created.append((role, email, password))
        existing = session.scalar(select(func.count()).select_from(Customer)) or 0
        if existing and not force:
            lines.append(f"demo customers already present ({existing}); nothing added")
        else:
            tags = {name: Tag(name=name) for name in TAGS}
            for tag in tags.values():
                found = session.scalar(select(Tag).where(Tag.name == tag.name))
                if found is not None:
                    tags[tag.name] = found
                else:
                    session.add(tag)
            for index in range(customers):
                _add_customer(session, rng, index, tags, settings.default_currency)
            lines.append(f"seeded {customers} demo customers with contacts and sites")
        lines.extend(_seed_stock(session, rng))
    if created:
        settings.instance_path.mkdir(parents=True, exist_ok=True)
        text = "".join(f"{role:8} {email:32} {password}\n" for role, email, password in created)
        with credentials_file.open("a") as fh:
            fh.write(text)
        credentials_file.chmod(0o600)
        lines.append(
            "demo users (passwords generated now; also saved in instance/demo-credentials.txt):"
        )
        lines.extend(f"  {role:8} {email:32} {password}" for role, email, password in created)
    else:
        lines.append(f"demo users already exist; their passwords are in {credentials_file}")
    return lines


def _add_customer(
    session: object, rng: random.Random, index: int, tags: dict[str, Tag], currency: str
) -> None:
    business = rng.random() < 0.4
    first, last = rng.choice(FIRST), rng.choice(LAST)
    name = f"{rng.choice(COMPANIES)} {index + 1}" if business else f"{first} {last}"
    slug = name.lower().replace(" ", ".")
    phone = _mobile(rng)
    start = utcnow() - timedelta(days=rng.randint(10, 900))
    status = rng.choices(
        [CustomerStatus.open, CustomerStatus.suspended, CustomerStatus.closed], [0.85, 0.1, 0.05]
    )[0]
    customer = Customer(
        customer_name=name,
        customer_account_type=AccountType.business if business else AccountType.individual,
        customer_status=status,
        customer_payment_type=rng.choice([PaymentType.prepaid, PaymentType.postpaid]),
        customer_enabled=status == CustomerStatus.open,
        tax_identifier=f"ABN{rng.randint(10**10, 10**11 - 1)}" if business else None,
        contract_start_date=start,
        contract_end_date=start + timedelta(days=730),
        email=f"{slug}.{index}@example.com",
        phone=phone,
        currency=currency,
        tags=rng.sample(list(tags.values()), k=rng.randint(0, 2)),
    )
    customer.created_at = start
    session.add(customer)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    contact_count = rng.randint(1, 3) if business else 1
    for n in range(contact_count):
        cf, cl = (first, last) if n == 0 and not business else (rng.choice(FIRST), rng.choice(LAST))
        session.add(  # type: ignore[attr-defined]
            Contact(
                customer_id=customer.customer_id,
                contact_firstname=cf,
                contact_lastname=cl,
                contact_email=f"{cf}.{cl}.{index}.{n}@example.com".lower(),
                contact_phone=phone if n == 0 else _mobile(rng),
                contact_types=["Primary", "Billing"]
                if n == 0
                else [rng.choice(["Billing", "Technical"])],
            )
        )
    for n in range(rng.randint(1, 2)):
        city, state, postcode, lat, lng = rng.choice(CITIES)
        lat += rng.uniform(-0.05, 0.05)
        lng += rng.uniform(-0.05, 0.05)
        session.add(  # type: ignore[attr-defined]
            Site(
                customer_id=customer.customer_id,
                site_name="Head office" if n == 0 else f"Branch {n}",
                address_line_1=f"{rng.randint(1, 400)} {rng.choice(STREETS)}",
                city=city,
                state=state,
                zip_code=postcode,
                country="AU",
                latitude=round(lat, 6),
                longitude=round(lng, 6),
                plus_code=olc.encode(lat, lng),
            )
        )
