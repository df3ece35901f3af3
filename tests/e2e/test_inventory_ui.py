"""Inventory in a real browser: a CSV of SIM cards goes through the import engine (as subscriber
imports do). A broken file validated as a dry run shows its bad row (line 3, iccid) and writes
nothing; the good file imported is followed live on the page (Socket.IO ``/imports``) until the
bar is full with 25 created, the stock dashboard then shows SIM Card, and the Imports page lists
the job as a stock import of that template.

Every serial is random; the items and the import jobs of the run are removed afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from tests.e2e.conftest import ARTIFACTS, login, random_iccid, random_imsi

pytestmark = [pytest.mark.e2e, pytest.mark.committed]


@dataclass
class Files:
    tag: str
    serials: list[str] = field(default_factory=list)

    @property
    def filenames(self) -> list[str]:
        return [f"bad-sims-{self.tag}.csv", f"sims-{self.tag}.csv"]


@pytest.fixture
def files(database: Any) -> Iterator[Files]:
    """The run's file names and serials; afterwards the items with those serials (with their
    history) and the import jobs of those files (with their row errors) are deleted."""
    from omnicrm.imports.models import ImportJob, ImportRowError
    from omnicrm.inventory.models import Inventory, InventoryHistory

    made = Files(tag=uuid.uuid4().hex[:8])
    yield made

    with database.job_scope() as session:
        items = select(Inventory.inventory_id).where(Inventory.serial.in_(made.serials))
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(items)))
        session.execute(delete(Inventory).where(Inventory.serial.in_(made.serials)))
        jobs = select(ImportJob.import_id).where(ImportJob.filename.in_(made.filenames))
        session.execute(delete(ImportRowError).where(ImportRowError.import_id.in_(jobs)))
        session.execute(delete(ImportJob).where(ImportJob.filename.in_(made.filenames)))


def _upload(page: Any, button: str) -> int:
    """Press Validate or Import; the upload is queued (202): its import id."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/crm/import/stock" in r.url
    ) as posted:
        page.get_by_test_id(button).click()
    assert posted.value.status == 202, posted.value.text()
    return int(posted.value.json()["import_id"])


def test_csv_import_validates_imports_and_updates_stock(
    page: Any,
    live_server: str,
    committed_user: Callable[..., tuple[str, str]],
    files: Files,
    worker: None,
    database: Any,
    tmp_path: Any,
) -> None:
    from omnicrm.inventory.models import Inventory

    login(page, live_server, *committed_user("admin", "E2E Stock"))
    bad_name, good_name = files.filenames
    good_serials = [random_iccid() for _ in range(25)]
    good = tmp_path / good_name
    good.write_text("iccid,imsi\n" + "".join(f"{s},{random_imsi()}\n" for s in good_serials))
    valid, corrupted = random_iccid(), random_iccid()
    corrupted = corrupted[:-1] + str((int(corrupted[-1]) + 1) % 10)  # wrong Luhn check digit
    bad = tmp_path / bad_name
    bad.write_text(f"iccid,imsi\n{valid},{random_imsi()}\n{corrupted},{random_imsi()}\n")
    files.serials = [*good_serials, valid, corrupted]

    page.goto(f"{live_server}/inventory")
    page.get_by_test_id("inventory-import-link").click()
    page.wait_for_url("**/inventory/import")
    page.get_by_test_id("import-template").select_option(label="SIM Card")

    # The broken file, validated: the worker checks every row, lists line 3, writes nothing.
    page.get_by_test_id("import-file").set_input_files(str(bad))
    expect(page.get_by_test_id("import-file-name")).to_contain_text(bad_name)
    dry_run = _upload(page, "import-validate")
    panel = page.locator(f'[data-testid="import-progress-panel"][data-import-id="{dry_run}"]')
    expect(panel).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("import-dry-run")).to_be_visible()
    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "Dry run of 2 rows: 1 created, 0 updated, 0 unchanged, 1 failed."
    )
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    rows = errors.get_by_test_id("import-error-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-row", "3")  # the header is line 1
    expect(rows.first).to_have_attribute("data-field", "iccid")
    with database.job_scope() as session:
        assert session.scalars(select(Inventory).where(Inventory.serial == valid)).all() == []

    # The good file, imported: the bar follows the worker to the end, here on the page.
    page.get_by_test_id("import-file").set_input_files(str(good))
    expect(page.get_by_test_id("import-file-name")).to_contain_text(good_name)
    imported = _upload(page, "import-submit")
    panel = page.locator(f'[data-testid="import-progress-panel"][data-import-id="{imported}"]')
    expect(panel).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("import-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-count")).to_have_text("25/25 rows")
    expect(page.get_by_test_id("import-created")).to_have_text("25")
    expect(page.get_by_test_id("import-failed")).to_have_text("0")
    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "25 rows: 25 created, 0 updated, 0 unchanged, 0 failed."
    )
    expect(page.get_by_test_id("import-errors")).to_have_count(0)
    expect(page.get_by_test_id("import-items-link")).to_contain_text("SIM Card")
    page.screenshot(path=str(ARTIFACTS / "inventory-import.png"), full_page=True)
    with database.job_scope() as session:
        stored = session.scalars(select(Inventory).where(Inventory.serial.in_(good_serials))).all()
        assert sorted(i.serial for i in stored) == sorted(good_serials)
        assert {i.item_state.value for i in stored} == {"new"}

    page.goto(f"{live_server}/inventory")
    expect(page.get_by_test_id("inventory-stock")).to_contain_text("SIM Card")

    # Both jobs are on the Imports page as stock imports of SIM Card.
    page.goto(f"{live_server}/imports?kind=stock")
    for import_id, dry in ((imported, "false"), (dry_run, "true")):
        row = page.locator(f'[data-testid="imports-row"][data-import-id="{import_id}"]')
        expect(row).to_have_attribute("data-kind", "stock")
        expect(row).to_have_attribute("data-dry-run", dry)
        expect(row.get_by_test_id("imports-row-template")).to_have_text("SIM Card")


@pytest.fixture
def made(database: Any) -> Iterator[dict[str, list[Any]]]:
    """What a test adds by hand: item serials, template names and import file names; all removed
    afterwards (items of those templates too)."""
    from omnicrm.imports.models import ImportJob, ImportRowError
    from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate

    added: dict[str, list[Any]] = {"serials": [], "templates": [], "files": []}
    yield added

    with database.job_scope() as session:
        templates = select(InventoryTemplate.inventory_template_id).where(
            InventoryTemplate.item.in_(added["templates"])
        )
        items = select(Inventory.inventory_id).where(
            Inventory.serial.in_(added["serials"]) | Inventory.inventory_template_id.in_(templates)
        )
        session.execute(delete(InventoryHistory).where(InventoryHistory.inventory_id.in_(items)))
        session.execute(
            delete(Inventory).where(
                Inventory.serial.in_(added["serials"])
                | Inventory.inventory_template_id.in_(templates)
            )
        )
        session.execute(
            delete(InventoryTemplate).where(InventoryTemplate.item.in_(added["templates"]))
        )
        jobs = select(ImportJob.import_id).where(ImportJob.filename.in_(added["files"]))
        session.execute(delete(ImportRowError).where(ImportRowError.import_id.in_(jobs)))
        session.execute(delete(ImportJob).where(ImportJob.filename.in_(added["files"])))


def test_staff_add_a_single_sim_and_see_it_listed(
    page: Any,
    live_server: str,
    committed_user: Callable[..., tuple[str, str]],
    made: dict[str, list[Any]],
) -> None:
    login(page, live_server, *committed_user("admin", "E2E Add Item"))
    iccid, imsi = random_iccid(), random_imsi()
    made["serials"].append(iccid)

    page.goto(f"{live_server}/inventory/items")
    page.get_by_test_id("inventory-add-item").click()
    page.get_by_test_id("add-item-template").click()
    page.get_by_role("option", name="SIM Card", exact=True).click()
    page.get_by_test_id("add-item-serial").fill(iccid)
    # The IMSI is checked as an import row's is: a short one is refused on its field.
    page.get_by_test_id("add-item-itemtext2").fill("12345")
    page.get_by_test_id("add-item-submit").click()
    expect(page.get_by_test_id("add-item-itemtext2")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("add-item-itemtext2").fill(imsi)
    page.get_by_test_id("add-item-submit").click()

    # Added: its page opens, then the list finds it by its ICCID, in state new.
    page.wait_for_url("**/inventory/items/*")
    expect(page.get_by_text(iccid).first).to_be_visible()
    page.goto(f"{live_server}/inventory/items?q={iccid}")
    table = page.get_by_test_id("inventory-items-table")
    expect(table).to_contain_text(iccid)
    expect(table).to_contain_text("New")

    # The same ICCID again is refused on the serial field (409 duplicate_serial).
    page.get_by_test_id("inventory-add-item").click()
    page.get_by_test_id("add-item-template").click()
    page.get_by_role("option", name="SIM Card", exact=True).click()
    page.get_by_test_id("add-item-serial").fill(iccid)
    page.get_by_test_id("add-item-itemtext2").fill(random_imsi())
    page.get_by_test_id("add-item-submit").click()
    expect(page.get_by_test_id("add-item-serial")).to_have_attribute("aria-invalid", "true")


def test_a_new_template_is_offered_on_the_import_page_and_its_sample_imports(
    page: Any,
    live_server: str,
    committed_user: Callable[..., tuple[str, str]],
    made: dict[str, list[Any]],
    worker: None,
    database: Any,
    tmp_path: Any,
) -> None:
    from omnicrm.inventory.models import Inventory, InventoryTemplate

    login(page, live_server, *committed_user("admin", "E2E Templates"))
    name = f"ONT {uuid.uuid4().hex[:6]}"
    made["templates"].append(name)

    page.goto(f"{live_server}/inventory")
    page.get_by_test_id("inventory-templates-link").click()
    page.wait_for_url("**/inventory/templates")
    page.get_by_test_id("templates-new").click()
    page.get_by_test_id("template-name").fill(name)
    page.get_by_test_id("template-label-itemtext3").fill("Port")
    page.get_by_test_id("template-submit").click()
    expect(page.get_by_test_id("template-form")).to_have_count(0)
    expect(page.get_by_test_id("templates-table")).to_contain_text(name)
    expect(page.get_by_test_id("templates-table")).to_contain_text("Port")

    # The import page offers it; its sample CSV downloads with the importer's headers.
    page.get_by_test_id("inventory-import-link").click()
    page.wait_for_url("**/inventory/import")
    page.get_by_test_id("import-template").select_option(label=name)
    with page.expect_download() as download_info:
        page.get_by_test_id("import-sample").click()
    download = download_info.value
    sample = tmp_path / download.suggested_filename
    download.save_as(sample)
    made["files"].append(download.suggested_filename)
    lines = sample.read_text().splitlines()
    assert lines[0].split(",") == [
        "serial",
        *(f"itemtext{n}" for n in range(1, 21)),
        "management_url",
    ]
    serials = [line.split(",")[0] for line in lines[1:]]
    assert len(serials) == 3

    # ...and imports cleanly.
    page.get_by_test_id("import-file").set_input_files(str(sample))
    imported = _upload(page, "import-submit")
    panel = page.locator(f'[data-testid="import-progress-panel"][data-import-id="{imported}"]')
    expect(panel).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("import-summary")).to_contain_text(
        "3 rows: 3 created, 0 updated, 0 unchanged, 0 failed."
    )
    with database.job_scope() as session:
        template_id = session.scalar(
            select(InventoryTemplate.inventory_template_id).where(InventoryTemplate.item == name)
        )
        stored = session.scalars(
            select(Inventory.serial).where(Inventory.inventory_template_id == template_id)
        ).all()
        assert sorted(stored) == sorted(serials)
