"""ManyRegister: subscribers from CSV. The file's structure is refused before anything is
written; each row of a hostile file gets its precise error and leaves nothing of itself; good
rows create customers (with a contact and a site) and sell contracts; a dry run writes nothing;
the same file again changes nothing; the error CSV gives the failed rows back with formulas
neutralised; two imports of one file at once cannot both run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from omnicrm.contracts.models import Contract
from omnicrm.customers.models import Contact, Customer, Site
from omnicrm.imports.models import ImportJob, ImportStatus
from omnicrm.imports.use_cases import run_import
from omnicrm.inventory import use_cases as inv
from tests.factories import (
    CustomerFactory,
    PhoneNumberFactory,
    ProductFactory,
    SimFactory,
    make_iccid,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
URL = "/crm/import/subscribers"


def _upload(call, content: bytes, *, name="subscribers.csv", expected=202, dry_run=False):
    query = "?dry_run=true" if dry_run else ""
    return call(
        "post",
        URL + query,
        expected,
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def _run(app, database, import_id, chunk=3):
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        return run_import(database, settings, import_id, region="US", chunk=chunk)


def _state(db_session):
    db_session.expire_all()
    return tuple(
        db_session.scalar(select(func.count()).select_from(model))
        for model in (Customer, Contact, Site, Contract)
    )


@pytest.fixture
def stock(db_session):
    inv.sync_inventory_templates(db_session)
    free, bound = SimFactory.create_batch(2)
    PhoneNumberFactory.create_batch(2)
    product = ProductFactory(product_slug="mobile-import", retail_setup_cost=Decimal("5.00"))
    owner = CustomerFactory()
    db_session.commit()
    return {"free": free, "bound": bound, "product": product, "owner": owner}


def _hostile(stock, call) -> bytes:
    # the "bound" SIM is sold to someone else first
    call(
        "post",
        "/crm/contract/",
        201,
        json={
            "customer_id": stock["owner"].customer_id,
            "product_id": stock["product"].product_id,
            "sim_iccid": stock["bound"].serial,
        },
    )
    good = make_iccid(777)
    text = (DATA / "hostile_rows.csv").read_text()
    return text.format(
        sim_free=stock["free"].serial,
        sim_bound=stock["bound"].serial,
        sim_bad_luhn=good[:-1] + str((int(good[-1]) + 1) % 10),
    ).encode()


def test_a_hostile_file_gives_each_bad_row_its_error_and_applies_the_rest(
    app, database, call, db_session, stock, api, admin_headers
):
    content = _hostile(stock, call)
    before = _state(db_session)
    job = _upload(call, content)
    assert (job["status"], job["total"], job["processed"], job["dry_run"]) == (
        "queued",
        12,
        0,
        False,
    )
    assert _run(app, database, job["import_id"]) == ImportStatus.done
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["status"], done["processed"], done["created"], done["failed"]) == (
        "done",
        12,
        3,
        9,
    )
    assert {(e["row"], e["field"]) for e in done["errors"]} == {
        (4, "external_id"),  # H-1 again
        (5, "email"),  # good@example.com again
        (6, "email"),  # the formula is no e-mail address
        (7, "customer_payment_type"),
        (8, "sim_iccid"),  # Luhn
        (9, "product_slug"),
        (10, "sim_iccid"),  # bound to another customer's contract
        (12, "external_id"),  # neither external_id nor email
        (13, "phone"),
    }
    messages = {e["row"]: e["message"] for e in done["errors"]}
    assert "row 2" in messages[4] and "Luhn" in messages[8] and "no-such-plan" in messages[9]
    customers, contacts, sites, contracts = _state(db_session)
    assert (customers, contacts, sites, contracts) == (
        before[0] + 3,
        before[1],
        before[2],
        before[3] + 1,
    )
    ten = db_session.scalar(select(Customer).where(Customer.external_id == "H-10"))
    sold = db_session.scalar(select(Contract).where(Contract.customer_id == ten.customer_id))
    assert sold.sim.serial == stock["free"].serial
    assert db_session.scalar(select(Customer).where(Customer.external_id == "H-9")) is None

    # the error CSV: the rows as uploaded, why, and no formula left live
    response = api.client.get(f"/crm/import/{job['import_id']}/errors.csv", headers=admin_headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][-3:] == ["line", "field", "error"] and rows[0][0] == "external_id"
    assert len(rows) == 10
    formula = next(r for r in rows if r[0] == "H-5")
    assert formula[2] == "'=cmd|' /C calc'!A0" and formula[-2] == "email"
    assert all(not cell.startswith(("=", "+", "@")) for row in rows[1:] for cell in row)


def test_the_same_file_again_changes_nothing(app, database, call, db_session, stock):
    content = _hostile(stock, call)
    first = _upload(call, content)
    _run(app, database, first["import_id"])
    state = _state(db_session)
    again = _upload(call, content)
    _run(app, database, again["import_id"], chunk=5)
    done = call("get", f"/crm/import/{again['import_id']}", 200)
    assert (done["created"], done["updated"], done["unchanged"], done["failed"]) == (0, 0, 3, 9)
    assert _state(db_session) == state


def test_a_changed_row_updates_its_customer(app, database, call, db_session):
    _run(app, database, _upload(call, b"external_id,customer_name\nU-1,Old Name\n")["import_id"])
    changed = _upload(call, b"external_id,customer_name,phone\nU-1,New Name,+12025550144\n")
    _run(app, database, changed["import_id"])
    done = call("get", f"/crm/import/{changed['import_id']}", 200)
    assert (done["created"], done["updated"]) == (0, 1)
    customer = db_session.scalar(select(Customer).where(Customer.external_id == "U-1"))
    assert (customer.customer_name, customer.phone) == ("New Name", "+12025550144")


def test_a_dry_run_checks_everything_and_writes_nothing(app, database, call, db_session, stock):
    content = _hostile(stock, call)
    before = _state(db_session)
    job = _upload(call, content, dry_run=True)
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["dry_run"], done["created"], done["failed"]) == (True, 3, 9)
    assert _state(db_session) == before
    free = db_session.get(type(stock["free"]), stock["free"].inventory_id)
    db_session.refresh(free)
    assert free.item_state.value == "new"  # checked for the sale, not taken


def test_bom_semicolons_and_quoted_newlines(app, database, call, db_session):
    job = _upload(call, (DATA / "bom_semicolons.csv").read_bytes())
    assert job["total"] == 2
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["created"], done["failed"]) == (2, 0), done["errors"]
    ada = db_session.scalar(select(Customer).where(Customer.external_id == "X-1"))
    assert ada.notes == "first line\nsecond line" and ada.email == "ada@example.com"
    contact = db_session.scalar(select(Contact).where(Contact.customer_id == ada.customer_id))
    site = db_session.scalar(select(Site).where(Site.customer_id == ada.customer_id))
    assert (contact.contact_firstname, site.site_name, site.country) == ("Ada", "Home", "GB")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ((DATA / "wrong_headers.csv").read_bytes(), "unknown headers: name, mail"),
        ((DATA / "not_utf8.csv").read_bytes(), "line 2: the file is not UTF-8"),
        (b"", "the file is empty"),
        (b"\n\n", "the file is empty"),
        (b"external_id,customer_name\n", "no rows"),
        (b"customer_name,phone\nAda,+12025550100\n", "one of these headers is needed"),
        (b"external_id,customer_name,external_id\nA,B,C\n", "repeated headers: external_id"),
    ],
)
def test_a_bad_structure_is_422_and_nothing_is_kept(app, call, db_session, content, needle):
    settings = app.extensions["omnicrm_settings"]
    before = (
        sorted(p.name for p in settings.import_dir.glob("*"))
        if settings.import_dir.exists()
        else []
    )
    jobs = db_session.scalar(select(func.count()).select_from(ImportJob))
    refused = _upload(call, content, expected=422)
    assert refused["code"] == "invalid_file" and needle in refused["message"], refused
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == jobs
    after = (
        sorted(p.name for p in settings.import_dir.glob("*"))
        if settings.import_dir.exists()
        else []
    )
    assert after == before  # the upload was not kept


def test_a_ten_megabyte_line_is_a_row_error(app, database, call, db_session):
    huge = "x" * (10 * 1024 * 1024)
    content = f"external_id,customer_name\nT-1,First\nT-2,{huge}\nT-3,Third\n".encode()
    job = _upload(call, content)
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["created"], done["failed"]) == (2, 1)
    [error] = done["errors"]
    assert error["row"] == 3 and "field larger than field limit" in error["message"]


def test_too_large_a_file_is_413(app, call, monkeypatch):
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "import_max_bytes", 100)
    refused = _upload(call, b"external_id,customer_name\n" + b"A,B\n" * 50, expected=413)
    assert refused["code"] == "payload_too_large"


def test_two_imports_of_one_file_cannot_both_run(app, database, call):
    content = b"external_id,customer_name\nC-1,Concurrent\n"
    first = _upload(call, content)
    refused = _upload(call, content, expected=409)
    assert refused["code"] == "import_in_progress"
    assert refused["import_id"] == first["import_id"]
    _upload(call, content, dry_run=True)  # a dry run is no import: it may run meanwhile
    _run(app, database, first["import_id"])
    _upload(call, content)  # done: the file may be imported again


def test_a_resumed_job_carries_on_after_its_last_committed_chunk(app, database, call, db_session):
    lines = "".join(f"R-{n},Resumed {n}\n" for n in range(10))
    job = _upload(call, f"external_id,customer_name\n{lines}".encode())
    with database.job_scope() as session:  # what a worker had committed before it died
        row = session.get(ImportJob, job["import_id"])
        row.status, row.processed, row.created = ImportStatus.running, 4, 4
    for n in range(4):
        CustomerFactory(external_id=f"R-{n}", customer_name=f"Resumed {n}")
    db_session.commit()
    _run(app, database, job["import_id"], chunk=4)
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["processed"], done["created"], done["unchanged"]) == (10, 10, 0)
    names = db_session.scalars(
        select(Customer.external_id).where(Customer.external_id.like("R-%"))
    ).all()
    assert sorted(names) == [f"R-{n}" for n in range(10)]  # no duplicate, none missing


def test_imports_need_import_write(api, make_user):
    for role in ("support", "sales", "finance"):
        headers = api.headers_for(make_user(role).email)
        answer = api.client.post(
            URL,
            data={"file": (io.BytesIO(b"external_id,customer_name\nA,B\n"), "x.csv")},
            content_type="multipart/form-data",
            headers=headers,
        )
        assert answer.status_code == 403
        assert api.client.get("/crm/import/", headers=headers).status_code == 403
    assert api.client.get("/crm/import/").status_code == 401


def test_the_cli_imports_with_a_progress_bar_and_a_summary(app, tmp_path, db_session, monkeypatch):
    from click.testing import CliRunner

    from omnicrm import cli

    monkeypatch.setattr(cli, "_app", lambda: app)
    path = tmp_path / "subscribers.csv"
    path.write_text("external_id,customer_name,email\nCLI-1,Cli One,cli1@example.com\nCLI-2,,\n")
    runner = CliRunner()
    dry = runner.invoke(cli.main, ["import", "subscribers", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "(dry run): done, 2 rows: 1 created, 0 updated, 0 unchanged, 1 failed" in dry.output
    assert db_session.scalar(select(Customer).where(Customer.external_id == "CLI-1")) is None
    ran = runner.invoke(cli.main, ["import", "subscribers", str(path)])
    assert ran.exit_code == 0, ran.output
    assert "done, 2 rows: 1 created" in ran.output
    assert "line 3: customer_name: required" in ran.output
    db_session.expire_all()
    assert db_session.scalar(select(Customer).where(Customer.external_id == "CLI-1")) is not None
    bad = tmp_path / "bad.csv"
    bad.write_text("nope\n1\n")
    refused = runner.invoke(cli.main, ["import", "subscribers", str(bad)])
    assert refused.exit_code != 0 and "wrong headers" in refused.output


def test_the_reaper_hands_a_stalled_import_back(app, call, db_session, monkeypatch):
    from datetime import timedelta

    from omnicrm.core.db import utcnow
    from omnicrm.imports import jobs, tasks

    sent: list[int] = []
    monkeypatch.setattr(tasks.run_import_job, "send", sent.append)
    job = _upload(call, b"external_id,customer_name\nS-1,Stalled\n")
    assert sent == [job["import_id"]]  # the upload's own hand-off
    sent.clear()
    settings = app.extensions["omnicrm_settings"]
    assert jobs.reap(db_session, settings)["requeued"] == 0  # just queued: a worker has it
    row = db_session.get(ImportJob, job["import_id"])
    row.status, row.heartbeat_at = ImportStatus.running, utcnow() - timedelta(minutes=10)
    db_session.commit()
    from omnicrm.core.db import commit

    assert jobs.reap(db_session, settings)["requeued"] == 1
    commit(db_session)  # the hand-off happens after the commit
    assert sent == [job["import_id"]]
    assert jobs.reap(db_session, settings)["requeued"] == 0  # once per stale period


def test_a_second_run_of_one_job_applies_nothing_twice(app, database, call, db_session):
    from omnicrm.imports import subscribers
    from omnicrm.imports.rows import Seen
    from omnicrm.imports.use_cases import Superseded, _chunk

    job = _upload(call, b"external_id,customer_name\nD-1,Double\nD-2,Double Two\n")
    _run(app, database, job["import_id"], chunk=1)  # the first run: both rows, committed
    with database.job_scope() as session:  # pretend a duplicated message finds it still running
        session.get(ImportJob, job["import_id"]).status = ImportStatus.running
    rows = subscribers.SubscriberRows(subscribers.Context(region="US", play_config=None))
    header = ["external_id", "customer_name"]
    with app.app_context(), pytest.raises(Superseded):
        _chunk(database, job["import_id"], header, [(2, ["D-1", "Double"])], 0, rows,
               Seen(rows.claims), False)  # fmt: skip
    row = db_session.get(ImportJob, job["import_id"])
    db_session.refresh(row)
    assert (row.processed, row.created, row.unchanged) == (2, 2, 0)


def test_rows_that_clash_with_other_customers_are_refused(app, database, call, db_session):
    from omnicrm.customers.models import CustomerStatus

    holder = CustomerFactory(email="taken@example.com", phone="+12025550177")
    archived = CustomerFactory(external_id="ARCH-1", customer_status=CustomerStatus.archived)
    db_session.commit()
    content = (
        b"external_id,customer_name,email,phone\n"
        b"N-1,New One,new1@example.com,+12025550177\n"  # the holder's phone
        b"N-2,New Two,taken@example.com,\n"  # recognised by e-mail: the holder, updated
        b"ARCH-1,Archived,,\n"
        b"N-4,New Four,new4@example.com,+12025550178\n"
    )
    job = _upload(call, content)
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["created"], done["updated"], done["failed"]) == (1, 1, 2)
    assert {(e["row"], e["field"]) for e in done["errors"]} == {(2, "phone"), (4, "external_id")}
    assert f"customer {holder.customer_id}'s" in done["errors"][0]["message"]
    db_session.refresh(holder)
    assert (holder.external_id, holder.customer_name) == ("N-2", "New Two")
    db_session.refresh(archived)
    assert archived.customer_name != "Archived"


def test_the_error_csv_keeps_the_files_own_columns_and_the_later_row_is_the_duplicate(
    app, database, call, api, admin_headers
):
    content = (
        b"contact_firstname,customer_name,external_id,email\n"
        b"Ada,With Contact,O-1,o1@example.com\n"  # one at a time (a contact)
        b",Plain Duplicate,O-1,o1b@example.com\n"  # customer-only, later: the duplicate
        b",Bad Mail,O-3,not-an-address\n"
    )
    job = _upload(call, content)
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert {(e["row"], e["field"]) for e in done["errors"]} == {
        (3, "external_id"),
        (4, "email"),
    }
    assert "row 2" in next(e["message"] for e in done["errors"] if e["row"] == 3)
    response = api.client.get(f"/crm/import/{job['import_id']}/errors.csv", headers=admin_headers)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["contact_firstname", "customer_name", "external_id", "email", "line",
                       "field", "error"]  # fmt: skip
    assert rows[1][:5] == ["", "Plain Duplicate", "O-1", "o1b@example.com", "3"]
    assert rows[2][:5] == ["", "Bad Mail", "O-3", "not-an-address", "4"]


def test_a_sale_in_another_currency_is_a_row_error(app, database, call, db_session, stock):
    euro = ProductFactory(product_slug="euro-plan", currency="EUR")
    db_session.commit()
    content = (
        "external_id,customer_name,product_slug,sim_iccid\n"
        f"CUR-1,Currency One,{euro.product_slug},{stock['free'].serial}\n"
    ).encode()
    job = _upload(call, content)
    _run(app, database, job["import_id"])
    done = call("get", f"/crm/import/{job['import_id']}", 200)
    assert (done["created"], done["failed"]) == (0, 1)
    assert [(e["row"], e["field"]) for e in done["errors"]] == [(2, "product_slug")]
    assert "priced in EUR" in done["errors"][0]["message"]
    assert db_session.scalar(select(Customer).where(Customer.external_id == "CUR-1")) is None
