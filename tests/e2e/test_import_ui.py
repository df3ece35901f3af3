"""Subscriber import (ManyRegister) in a real browser: an admin first uploads a file with a
wrong header and is told what is wrong with it, then uploads a CSV of 8 subscribers of which
exactly 3 are bad (no customer_name, an invalid e-mail, an external_id an earlier row already
used). The import's page follows the embedded worker live (Socket.IO ``/imports``) until the
bar is full and the job done: 5 created, 3 failed, the 3 rows in the error table with their
fields; "Download error CSV" gives those 3 rows with their line, field and reason. The import
is then listed on the Imports page.

Every external id and e-mail is unique to the run; the customers (with their contact and
site) and the import's rows are removed afterwards."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, or_, select

from tests.e2e.conftest import ARTIFACTS, login, socket_frames

pytestmark = [pytest.mark.e2e, pytest.mark.committed]

HEADER = "external_id,customer_name,email,contact_firstname,contact_lastname,site_name,city,country"


@dataclass
class Upload:
    tag: str
    filename: str
    content: str
    # (line in the file, field, a piece of the reason) of each bad row
    bad: list[tuple[int, str, str]] = field(default_factory=list)


@pytest.fixture
def upload(app: Any, database: Any) -> Iterator[Upload]:
    """The CSV (unique ids per run); afterwards every customer it made (with its contacts and
    sites) and the import jobs of this file (with their row errors) are deleted."""
    from omnicrm.customers.models import Contact, Customer, Site
    from omnicrm.imports.models import ImportJob, ImportRowError

    tag = uuid.uuid4().hex[:8]
    ext = lambda n: f"IMP-{tag}-{n}"  # noqa: E731
    mail = lambda n: f"imp-{tag}-{n}@customer.example"  # noqa: E731
    # Lines 2 and 8 (its duplicate) are both customer-only rows on purpose: the importer
    # currently applies a chunk's customer-only rows before those with a contact, site or sale,
    # so a duplicate is blamed on the later line only when both rows are of the same kind.
    rows = [
        f"{ext(1)},Import One {tag},{mail(1)},,,,,",
        f"{ext(2)},,{mail(2)},,,,,",  # line 3: no customer_name
        # line 4: a customer with a primary contact and a site
        f"{ext(3)},Import Three {tag},{mail(3)},Ada,Lovelace,Head office,Sydney,AU",
        f"{ext(4)},Import Four {tag},not-an-email,,,,,",  # line 5: not an e-mail address
        f"{ext(5)},Import Five {tag},{mail(5)},Grace,Hopper,,,",
        f"{ext(6)},Import Six {tag},{mail(6)},,,Depot,Perth,AU",
        f"{ext(1)},Import Again {tag},{mail(7)},,,,,",  # line 8: line 2's external_id
        f"{ext(8)},Import Eight {tag},{mail(8)},,,,,",
    ]
    made = Upload(
        tag=tag,
        filename=f"subscribers-{tag}.csv",
        content="\n".join([HEADER, *rows]) + "\n",
        bad=[
            (3, "customer_name", "required"),
            (5, "email", "not a valid e-mail address"),
            (8, "external_id", "row 2"),
        ],
    )
    yield made

    with database.job_scope() as session:
        customers = select(Customer.customer_id).where(
            or_(Customer.external_id.like(f"IMP-{tag}-%"), Customer.email.like(f"imp-{tag}-%"))
        )
        session.execute(delete(Contact).where(Contact.customer_id.in_(customers)))
        session.execute(delete(Site).where(Site.customer_id.in_(customers)))
        session.execute(delete(Customer).where(Customer.customer_id.in_(customers)))
        jobs = select(ImportJob.import_id).where(ImportJob.filename == made.filename)
        session.execute(delete(ImportRowError).where(ImportRowError.import_id.in_(jobs)))
        session.execute(delete(ImportJob).where(ImportJob.filename == made.filename))


def _choose(page: Any, tmp_path: Any, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    page.get_by_test_id("imports-file").set_input_files(str(path))
    expect(page.get_by_test_id("imports-file-name")).to_contain_text(name)


def test_importing_subscribers_with_three_bad_rows(
    page: Any,
    live_server: str,
    committed_user: Callable[..., tuple[str, str]],
    upload: Upload,
    worker: None,
    app: Any,
    database: Any,
    tmp_path: Any,
) -> None:
    from omnicrm.customers.models import Contact, Customer, Site

    email, password = committed_user("admin", "E2E Imports")
    frames = socket_frames(page)
    login(page, live_server, email, password)
    page.get_by_test_id("nav-imports").click()
    page.wait_for_url("**/imports")
    expect(page.get_by_test_id("imports-column")).to_have_count(23)
    required = page.locator('[data-testid="imports-column"][data-required="true"]')
    expect(required).to_have_count(1)
    expect(required).to_have_attribute("data-column", "customer_name")

    # The sample: the importer's own headers (from the server) and a few rows that validate.
    from omnicrm.imports.subscribers import COLUMNS

    with page.expect_download() as template_info:
        page.get_by_test_id("imports-template").click()
    template = tmp_path / "template.csv"
    template_info.value.save_as(template)
    header, *rows = template.read_text().strip().splitlines()
    assert header.split(",") == list(COLUMNS) and len(rows) == 3

    # A file whose header is wrong is refused at once, saying why; no job is made.
    _choose(page, tmp_path, upload.filename, f"externalid,customer_name\nIMP-{upload.tag}-0,X\n")
    page.get_by_test_id("imports-submit").click()
    refused = page.get_by_test_id("imports-file-error")
    expect(refused).to_be_visible()
    problems = refused.get_by_test_id("imports-file-problem")
    expect(problems.filter(has_text="unknown headers: externalid")).to_have_count(1)
    expect(problems.filter(has_text="external_id, email")).to_have_count(1)
    assert page.url.endswith("/imports")

    # The real file: queued (202), then the import's page follows the worker over the socket.
    _choose(page, tmp_path, upload.filename, upload.content)
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/crm/import/subscribers" in r.url
    ) as posted:
        page.get_by_test_id("imports-submit").click()
    assert posted.value.status == 202, posted.value.text()
    import_id = posted.value.json()["import_id"]
    page.wait_for_url(f"**/imports/{import_id}")
    expect(page.get_by_test_id("import-job-file")).to_have_text(upload.filename)

    status = page.get_by_test_id("import-job-status")
    expect(status).to_have_text("Done", timeout=60_000)
    expect(status).to_have_attribute("data-status", "done")
    expect(page.get_by_test_id("import-job-progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("import-job-count")).to_have_text("8/8 rows")
    expect(page.get_by_test_id("import-job-rate")).to_have_text(re.compile(r"rows/s$"))
    expect(page.get_by_test_id("import-job-created")).to_have_text("5")
    expect(page.get_by_test_id("import-job-updated")).to_have_text("0")
    expect(page.get_by_test_id("import-job-unchanged")).to_have_text("0")
    expect(page.get_by_test_id("import-job-failed")).to_have_text("3")
    expect(page.get_by_test_id("import-job-summary")).to_contain_text(
        "8 rows: 5 created, 0 updated, 0 unchanged, 3 failed."
    )
    # The page joined the import's room on /imports: the server sent its progress there.
    progress = [f for f in frames if '"import.progress"' in f]
    assert any(f'"import_id":{import_id}' in f for f in progress), frames

    # The three bad rows, each with its line and field.
    errors = page.get_by_test_id("import-job-errors").get_by_test_id("import-job-error-row")
    expect(errors).to_have_count(3)
    for index, (line, name, reason) in enumerate(upload.bad):
        row = errors.nth(index)
        expect(row).to_have_attribute("data-row", str(line))
        expect(row).to_have_attribute("data-field", name)
        expect(row).to_contain_text(reason)
    expect(page.get_by_test_id("import-job-errors-more")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "import-done.png"), full_page=True)

    # The error file: those rows as uploaded, with their line, field and reason.
    with page.expect_download() as download_info:
        page.get_by_test_id("import-job-download-errors").click()
    download = download_info.value
    assert download.suggested_filename == f"import-{import_id}-errors.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    table = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert len(table) == 3, table
    got = [(int(r["line"]), r["field"], r["error"]) for r in table]
    for (line, name, reason), (got_line, got_field, got_error) in zip(upload.bad, got, strict=True):
        assert (got_line, got_field) == (line, name), got
        assert reason in got_error, got
    # The file's own cells come back too (the rows to fix and upload again).
    assert [(r["external_id"], r["email"]) for r in table] == [
        (f"IMP-{upload.tag}-2", f"imp-{upload.tag}-2@customer.example"),
        (f"IMP-{upload.tag}-4", "not-an-email"),
        (f"IMP-{upload.tag}-1", f"imp-{upload.tag}-7@customer.example"),
    ], table

    # What was written: the 5 good rows, line 4 with its primary contact and its site.
    with database.job_scope() as session:
        made = session.scalars(
            select(Customer).where(Customer.external_id.like(f"IMP-{upload.tag}-%"))
        ).all()
        assert sorted((c.external_id, c.customer_name) for c in made) == [
            (f"IMP-{upload.tag}-{n}", f"Import {word} {upload.tag}")
            for n, word in ((1, "One"), (3, "Three"), (5, "Five"), (6, "Six"), (8, "Eight"))
        ]
        third = next(c for c in made if c.external_id == f"IMP-{upload.tag}-3")
        contacts = session.scalars(
            select(Contact).where(Contact.customer_id == third.customer_id)
        ).all()
        assert [(c.contact_firstname, c.contact_lastname) for c in contacts] == [
            ("Ada", "Lovelace")
        ]
        sites = session.scalars(select(Site).where(Site.customer_id == third.customer_id)).all()
        assert [s.site_name for s in sites] == ["Head office"]

    # The import on the Imports page, linking back to its page.
    page.get_by_test_id("nav-imports").click()
    page.wait_for_url("**/imports")
    row = page.locator(f'[data-testid="imports-row"][data-import-id="{import_id}"]')
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_have_attribute("data-dry-run", "false")
    expect(row.get_by_test_id("imports-row-file")).to_have_text(upload.filename)
    expect(row.get_by_role("cell")).to_have_text(
        [f"#{import_id}", "Done", upload.filename, "8", "5", "0", "0", "3", re.compile(r".+")]
    )
    page.screenshot(path=str(ARTIFACTS / "imports.png"), full_page=True)
    row.get_by_role("link", name=f"#{import_id}").click()
    page.wait_for_url(f"**/imports/{import_id}")
    expect(page.get_by_test_id("import-job-status")).to_have_text("Done")
