"""An import worker killed half-way (a real `omnicrm worker` process, SIGKILL) loses no
committed chunk and half-applies none; ``imports.reap`` hands the job to a new worker, which
carries on after the last committed chunk. The end state equals an uninterrupted run: every
customer once, every contract once. PostgreSQL and Redis (real processes)."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from omnicrm.billing.models import Transaction as BillingTransaction
from omnicrm.catalog.models import Product
from omnicrm.contracts.models import Contract, ContractCharge
from omnicrm.customers.models import Customer
from omnicrm.imports.models import ImportJob, ImportRowError, ImportStatus
from omnicrm.imports.use_cases import start_import
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate
from omnicrm.notifications.models import Notification
from omnicrm.services.models import Service, ServiceStatusHistory
from tests.factories import make_iccid
from tests.provisioning.test_worker_process import start_worker, stop

pytestmark = [pytest.mark.committed, pytest.mark.postgres]

ROWS = 1500
CHUNK = 50
SALES_EVERY = 100  # rows 0, 100, 200...: 15 contracts spread over the file


def _wait(what: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_killed_import_resumes_to_the_state_of_an_uninterrupted_run(
    app: Any, settings: Any, database: Any, tmp_path: Path
) -> None:
    if settings.is_sqlite or not settings.redis_url:
        pytest.skip("needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL): worker processes")
    import signal

    tag = uuid.uuid4().hex[:8]
    base = int(tag, 16) % 10_000
    imports_dir = tmp_path / "imports"
    local = settings.model_copy(update={"import_directory": imports_dir})
    with app.app_context(), database.job_scope() as session:
        sims = inv.create_template(session, item=f"Import SIM {tag}", serial_kind="iccid")
        iccids = [make_iccid(base * 100 + n, prefix="8995") for n in range(ROWS // SALES_EVERY)]
        for n, iccid in enumerate(iccids):
            inv.create_item(
                session,
                inventory_template_id=sims.inventory_template_id,
                serial=iccid,
                itemtext2=f"00101{base:04d}{n:06d}",
            )
        product = Product(
            product_name=f"Import plan {tag}",
            product_slug=f"import-plan-{tag}",
            category="standalone",
            retail_cost=Decimal("10.00"),
            inventory_items_list=[f"Import SIM {tag}"],
        )
        session.add(product)
        session.flush()
        product_id, template_id = product.product_id, sims.inventory_template_id
    lines = ["external_id,customer_name,email,product_slug,sim_iccid"]
    for n in range(ROWS):
        sale = n % SALES_EVERY == 0
        lines.append(
            f"K-{tag}-{n},Killed {n},k{n}-{tag}@example.com,"
            + (f"import-plan-{tag},{iccids[n // SALES_EVERY]}" if sale else ",")
        )
    upload = tmp_path / "subscribers.csv"
    upload.write_text("\n".join(lines) + "\n")
    env = {"IMPORT_DIRECTORY": str(imports_dir), "IMPORT_CHUNK_SIZE": str(CHUNK)}
    first = second = None
    made: dict[str, int] = {}
    try:
        first = start_worker(settings, tmp_path, **env)
        with app.app_context(), database.job_scope() as session, upload.open("rb") as stream:
            job = start_import(
                session, local, stream=stream, filename="subscribers.csv", dry_run=False,
                user_id=None,
            )  # fmt: skip
            import_id = made["import_id"] = job.import_id
        from omnicrm.imports.tasks import run_import_job

        run_import_job.send(import_id)

        def processed() -> int:
            with database.job_scope() as session:
                return session.get(ImportJob, import_id).processed

        _wait(lambda: processed() >= 4 * CHUNK)
        stop(first, signal.SIGKILL)  # mid-job: no clean shutdown, no finally blocks
        with database.job_scope() as session:
            killed = session.get(ImportJob, import_id)
            assert killed.status == ImportStatus.running and killed.processed < ROWS
            assert killed.processed % CHUNK == 0  # whole chunks only
            done_then = killed.processed
            customers = session.scalar(
                select(func.count()).where(Customer.external_id.like(f"K-{tag}-%"))
            )
            errors = session.scalars(
                select(ImportRowError.message).where(ImportRowError.import_id == import_id)
            ).all()
            assert customers == done_then, (
                killed.created,
                killed.unchanged,
                killed.failed,
                errors[:3],
            )

        second = start_worker(settings, tmp_path, **env)
        from omnicrm.imports import jobs

        # what imports.reap does once IMPORT_STALE_SECONDS have passed without a chunk
        time.sleep(1)
        stale = local.model_copy(update={"import_stale_seconds": 0})
        with app.app_context(), database.job_scope() as session:
            assert jobs.reap(session, stale)["requeued"] == 1

        def finished() -> ImportJob | None:
            with database.job_scope() as session:
                row = session.get(ImportJob, import_id)
                session.expunge(row)
                return row if row.status == ImportStatus.done else None

        done = _wait(finished)
        assert (done.total, done.processed, done.created, done.failed) == (ROWS, ROWS, ROWS, 0)
        assert done.unchanged == 0  # nothing committed before was applied twice
        with database.job_scope() as session:
            ids = session.scalars(
                select(Customer.external_id).where(Customer.external_id.like(f"K-{tag}-%"))
            ).all()
            assert sorted(ids) == sorted(f"K-{tag}-{n}" for n in range(ROWS))
            contracts = session.execute(
                select(Contract.customer_id, Inventory.serial)
                .join(Inventory, Inventory.inventory_id == Contract.sim_inventory_id)
                .where(Contract.product_id == product_id)
            ).all()
            assert sorted(serial for _, serial in contracts) == sorted(iccids)
            assert len({customer for customer, _ in contracts}) == len(iccids)
    finally:
        for proc in (first, second):
            if proc is not None:
                stop(proc, signal.SIGKILL)
        _clean(database, tag, product_id, template_id, made.get("import_id"))


def _clean(
    database: Any, tag: str, product_id: int, template_id: int, import_id: int | None
) -> None:
    with database.job_scope() as session:
        customers = select(Customer.customer_id).where(Customer.external_id.like(f"K-{tag}-%"))
        services = select(Service.service_id).where(Service.product_id == product_id)
        contracts = select(Contract.contract_id).where(Contract.product_id == product_id)
        items = select(Inventory.inventory_id).where(Inventory.inventory_template_id == template_id)
        session.execute(delete(ContractCharge).where(ContractCharge.contract_id.in_(contracts)))
        session.execute(
            delete(BillingTransaction).where(BillingTransaction.customer_id.in_(customers))
        )
        session.execute(delete(Contract).where(Contract.product_id == product_id))
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(items)))
        session.execute(delete(Inventory).where(Inventory.inventory_template_id == template_id))
        session.execute(
            delete(ServiceStatusHistory).where(ServiceStatusHistory.service_id.in_(services))
        )
        session.execute(delete(Service).where(Service.product_id == product_id))
        session.execute(
            delete(InventoryTemplate).where(InventoryTemplate.inventory_template_id == template_id)
        )
        session.execute(delete(Product).where(Product.product_id == product_id))
        session.execute(delete(Notification).where(Notification.customer_id.in_(customers)))
        session.execute(delete(Customer).where(Customer.external_id.like(f"K-{tag}-%")))
        session.execute(delete(ImportRowError).where(ImportRowError.import_id == import_id))
        session.execute(delete(ImportJob).where(ImportJob.import_id == import_id))
