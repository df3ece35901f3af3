"""Stock imports on the import engine: a CSV of items of one template is checked for its
structure before anything is written, then each row is validated and applied on its own — a bad
row is listed with its line, field and reason and leaves nothing, the good ones are added with an
``imported`` history row; a known serial is unchanged or updated (only while still in stock);
the same file again changes nothing; a dry run writes nothing; the old address still works."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from omnicrm.core.db import commit
from omnicrm.imports.models import ImportJob, ImportKind, ImportStatus
from omnicrm.imports.use_cases import ANALYZE_FROM_ROWS, run_import
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import Inventory, InventoryHistory, InventoryTemplate, ItemState
from tests.factories import SimFactory, make_iccid

URL = "/crm/import/stock"
SIM_HEADER = "iccid,imsi,puk1,puk2,ki_ref"


# The highest ids before each test: rows committed by tests that ran earlier (browser tests
# commit theirs) are not this test's.
_BEFORE = {"item": 0, "history": 0, "job": 0}


@pytest.fixture(autouse=True)
def templates(db_session):
    inv.sync_inventory_templates(db_session)
    db_session.commit()
    for key, column in (
        ("item", Inventory.inventory_id),
        ("history", InventoryHistory.inventory_history_id),
        ("job", ImportJob.import_id),
    ):
        _BEFORE[key] = db_session.scalar(select(func.coalesce(func.max(column), 0)))


def _mine(stmt):
    """``stmt`` on the items this test added."""
    return stmt.where(Inventory.inventory_id > _BEFORE["item"])


def _jobs(db_session):
    return db_session.scalar(
        select(func.count()).select_from(ImportJob).where(ImportJob.import_id > _BEFORE["job"])
    )


def sim_rows(count, start=0):
    return [
        f"{make_iccid(700000 + n)},{310150000000000 + n},{10000000 + n},{20000000 + n},hsm://{n}"
        for n in range(start, start + count)
    ]


def csv_file(lines, header=SIM_HEADER):
    return ("\n".join([header, *lines]) + "\n").encode()


def _upload(call, content, template="SIM Card", *, expected=202, dry_run=False, url=URL, **form):
    data = {"file": (io.BytesIO(content), "stock.csv"), **form}
    if template is not None:
        data["template"] = template
    return call(
        "post",
        url + ("?dry_run=true" if dry_run else ""),
        expected,
        data=data,
        content_type="multipart/form-data",
    )


def _run(app, database, import_id, chunk=4):
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        assert run_import(database, settings, import_id, region="US", chunk=chunk) in (
            ImportStatus.done,
            ImportStatus.failed,
        )


@pytest.fixture
def stock_import(app, database, call):
    """Upload and run a stock import here; returns the finished job as the API shows it."""

    def _import(content, template="SIM Card", *, dry_run=False, chunk=4):
        job = _upload(call, content, template, dry_run=dry_run)
        _run(app, database, job["import_id"], chunk=chunk)
        return call("get", f"/crm/import/{job['import_id']}", 200)

    return _import


def _counts(db_session):
    db_session.expire_all()
    return (
        db_session.scalar(_mine(select(func.count()).select_from(Inventory))),
        db_session.scalar(
            select(func.count())
            .select_from(InventoryHistory)
            .where(InventoryHistory.inventory_history_id > _BEFORE["history"])
        ),
    )


def _summary(job):
    return tuple(job[k] for k in ("status", "total", "created", "updated", "unchanged", "failed"))


def test_a_good_file_adds_every_item_in_stock_with_its_history(
    call, stock_import, db_session, admin_headers
):
    job = stock_import(csv_file(sim_rows(10)))
    assert _summary(job) == ("done", 10, 10, 0, 0, 0)
    assert (job["kind"], job["template"], job["errors"]) == ("stock", "SIM Card", [])
    assert _counts(db_session) == (10, 10)
    sim = db_session.scalar(select(Inventory).where(Inventory.serial == make_iccid(700003)))
    assert sim.item_state == ItemState.new
    assert (sim.itemtext1, sim.itemtext2, sim.itemtext3, sim.itemtext4, sim.itemtext5) == (
        make_iccid(700003),  # itemtext1 mirrors the ICCID
        "310150000000003",
        "10000003",
        "20000003",
        "hsm://3",
    )
    history = db_session.scalar(
        select(InventoryHistory).where(InventoryHistory.inventory_id == sim.inventory_id)
    )
    stored = db_session.get(ImportJob, job["import_id"])
    assert (history.to_state, history.reason, history.user_id) == (
        "new",
        "imported",
        stored.created_by_user_id,
    )
    assert history.user_id is not None  # the uploader, though a worker wrote the row
    listed = call("get", "/crm/import/?kind=stock", 200)
    assert job["import_id"] in [i["import_id"] for i in listed]
    assert {i["kind"] for i in listed} == {"stock"}
    others = call("get", "/crm/import/?kind=subscribers", 200)
    assert job["import_id"] not in [i["import_id"] for i in others]


def test_columns_follow_the_header_whatever_its_order_case_and_delimiter(stock_import, db_session):
    content = b"\xef\xbb\xbf" + csv_file([f"310150000000001;{make_iccid(1)}"], " IMSI ; ICCID ")
    assert stock_import(content)["created"] == 1
    item = db_session.scalar(_mine(select(Inventory)))
    assert (item.serial, item.itemtext2, item.itemtext3) == (make_iccid(1), "310150000000001", None)


def test_numbers_routers_and_a_user_template(stock_import, call, db_session):
    numbers = csv_file(["+61 412 000 001", "(202) 555-0100"], header="msisdn")
    assert stock_import(numbers, "Phone Number")["created"] == 2
    routers = csv_file(
        ["AA-BB-CC-00-00-01,SN1,https://10.0.0.1/", "aabbcc000002,,"],
        header="mac,serial_number,management_url",
    )
    assert stock_import(routers, "router")["template"] == "Router"
    call("post", "/crm/inventory/template/", 201, json={"item": "ONT"})
    ont = stock_import(csv_file(["ONT-1,port 1", "ONT-2,"], header="serial,itemtext3"), "ONT")
    assert ont["created"] == 2
    serials = set(db_session.scalars(_mine(select(Inventory.serial))))
    assert serials == {
        "+61412000001",
        "+12025550100",
        "aa:bb:cc:00:00:01",
        "aa:bb:cc:00:00:02",
        "ONT-1",
        "ONT-2",
    }
    router = db_session.scalar(select(Inventory).where(Inventory.serial == "aa:bb:cc:00:00:01"))
    assert (router.itemtext1, router.itemtext2, router.management_url) == (
        "aa:bb:cc:00:00:01",
        "SN1",
        "https://10.0.0.1/",
    )


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        ("iccid,imsi,colour", [("unknown_headers", ["colour"])]),
        ("iccid,puk1", [("missing_headers", ["imsi"])]),
        ("msisdn,imsi,iccid", [("unknown_headers", ["msisdn"])]),
        ("iccid,imsi,imsi", [("repeated_headers", ["imsi"])]),
        ("serial,imsi,puk1,puk1", [
            ("unknown_headers", ["serial"]),
            ("missing_headers", ["iccid"]),
            ("repeated_headers", ["puk1"]),
        ]),
    ],
)  # fmt: skip
def test_bad_headers_are_a_422_listing_each_problem_and_nothing_is_kept(
    call, db_session, app, header, problems
):
    kept = set(Path(app.extensions["omnicrm_settings"].import_dir).glob("*.csv"))
    body = _upload(call, csv_file(sim_rows(3), header=header), expected=422)
    assert body["code"] == "invalid_file"
    assert [(p["problem"], p["headers"]) for p in body["problems"]] == problems
    assert body["errors"]["multipart"]["file"] == [p["message"] for p in body["problems"]]
    assert "iccid" in body["expected_headers"] and body["required_headers"] == ["iccid", "imsi"]
    assert _counts(db_session) == (0, 0)
    assert _jobs(db_session) == 0
    assert set(Path(app.extensions["omnicrm_settings"].import_dir).glob("*.csv")) <= kept


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n \n,,\n", "empty"),  # blank records only
        (SIM_HEADER.encode() + b"\n\n", "no rows"),
        (b"iccid,imsi\n\xff\xfe\x00", "UTF-8"),
    ],
)
def test_structurally_broken_files_are_422(call, db_session, content, message):
    body = _upload(call, content, expected=422)
    assert body["code"] == "invalid_file" and message in body["message"]
    assert _jobs(db_session) == 0


def test_bad_rows_are_listed_with_line_and_field_and_the_good_ones_go_in(
    stock_import, call, db_session, api, admin_headers
):
    good = sim_rows(4)
    iccid = make_iccid(9)
    lines = [
        good[0],
        "",  # blank lines are skipped but still counted as lines
        f"{iccid[:-1]}{(int(iccid[-1]) + 1) % 10},310150000000099,,,",  # bad Luhn
        good[1],
        f"{make_iccid(10)},31015,,,",  # IMSI too short
        "a,b,c,d,e,f,g",  # more cells than headers
        good[0].replace(make_iccid(700000), make_iccid(8)),  # same IMSI as row 2
        good[2],
        good[2],  # the same ICCID as the previous line
        f"=cmd|' /C calc'!A0,{310150000000077},,,",  # formula injection in the ICCID
        f"{make_iccid(11)},310150000000011,1234\x005678,,",  # a NUL inside a cell
        good[3],
    ]
    job = stock_import(csv_file(lines))
    assert _summary(job) == ("done", 11, 4, 0, 0, 7)
    found = {(e["row"], e["field"]): e["message"] for e in job["errors"]}
    assert sorted(found) == [
        (4, "iccid"),
        (6, "imsi"),
        (7, "row"),
        (8, "imsi"),
        (10, "iccid"),
        (11, "iccid"),
        (12, "puk1"),
    ]
    assert "Luhn" in found[(4, "iccid")] and "15 digits" in found[(6, "imsi")]
    assert found[(8, "imsi")] == "the same imsi as row 2 of this file"
    assert found[(10, "iccid")] == "the same iccid as row 9 of this file"
    assert found[(12, "puk1")] == "contains a NUL character"
    assert _counts(db_session) == (4, 4)

    response = api.client.get(f"/crm/import/{job['import_id']}/errors.csv", headers=admin_headers)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [*SIM_HEADER.split(","), "line", "field", "error"]
    assert [row[-3] for row in rows[1:]] == ["4", "6", "7", "8", "10", "11", "12"]
    formula = next(row for row in rows if row[-3] == "11")
    assert formula[0] == "'=cmd|' /C calc'!A0"  # never comes back out live


def test_the_same_file_again_changes_nothing(stock_import, db_session):
    content = csv_file(sim_rows(6))
    assert stock_import(content)["created"] == 6
    again = stock_import(content)
    assert _summary(again) == ("done", 6, 0, 0, 6, 0)
    assert _counts(db_session) == (6, 6)


def test_a_known_serial_is_updated_while_in_stock_and_refused_once_it_left(
    stock_import, db_session
):
    in_stock = SimFactory(serial=make_iccid(700000), itemtext2="310150000000000")
    assigned = SimFactory(
        serial=make_iccid(700001), itemtext2="310150000000001", item_state=ItemState.assigned
    )
    other = SimFactory(itemtext2="310150000000002")  # the IMSI row 4 names
    db_session.commit()
    job = stock_import(csv_file(sim_rows(4)))
    assert _summary(job) == ("done", 4, 1, 1, 0, 2)
    messages = {(e["row"], e["field"]): e["message"] for e in job["errors"]}
    assert messages == {
        (3, "iccid"): f"item {assigned.inventory_id} is assigned: an import changes only "
        "items in stock (new)",
        (4, "imsi"): f"already the IMSI of SIM item {other.inventory_id}",
    }
    db_session.expire_all()
    assert (in_stock.itemtext3, in_stock.itemtext5) == ("10000000", "hsm://0")
    assert assigned.itemtext3 is None  # refused: unchanged
    assert (
        db_session.scalar(select(Inventory).where(Inventory.serial == make_iccid(700002))) is None
    )
    assert db_session.scalar(select(Inventory).where(Inventory.serial == make_iccid(700003)))


def test_a_dry_run_counts_what_would_happen_and_writes_nothing(stock_import, db_session):
    SimFactory(serial=make_iccid(700000), itemtext2="310150000000000")
    db_session.commit()
    rows = sim_rows(10)
    rows[4] = "x,y,,,"
    job = stock_import(csv_file(rows), dry_run=True)
    assert job["dry_run"] is True
    assert _summary(job) == ("done", 10, 8, 1, 0, 1)
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(6, "iccid")]
    assert _counts(db_session) == (1, 0)
    db_session.expire_all()
    assert db_session.scalar(_mine(select(Inventory.itemtext3))) is None  # taken back


def test_request_shape_errors(call, api, admin_headers, db_session):
    body = _upload(call, csv_file(sim_rows(1)), template="Pager", expected=404)
    assert body["errors"]["multipart"]["template"]
    _upload(call, csv_file(sim_rows(1)), template=None, expected=422)
    _upload(call, csv_file(sim_rows(1)), expected=422, colour="red")  # unknown form field
    response = api.client.post(
        URL,
        data={"template": "SIM Card"},
        headers=admin_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in response.get_json()["errors"]["multipart"]
    response = api.client.post(URL, json={"template": "SIM Card"}, headers=admin_headers)
    assert response.status_code == 422
    assert _jobs(db_session) == 0


def test_too_large_a_file_is_413_and_nothing_is_kept(call, app, monkeypatch, db_session):
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "import_max_bytes", 1024)
    body = _upload(call, csv_file(sim_rows(40)), expected=413)
    assert body["code"] == "payload_too_large"
    assert _jobs(db_session) == 0


def test_the_old_address_runs_the_same_job_and_names_its_successor(
    app, database, api, admin_headers, db_session
):
    response = api.client.post(
        "/crm/inventory/import",
        data={"file": (io.BytesIO(csv_file(sim_rows(3))), "old.csv"), "template": "SIM Card"},
        headers=admin_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    assert response.headers["Deprecation"] == "true"
    assert response.headers["Link"] == '</crm/import/stock>; rel="successor-version"'
    job = response.get_json()
    assert (job["kind"], job["template"], job["status"]) == ("stock", "SIM Card", "queued")
    _run(app, database, job["import_id"])
    assert _counts(db_session) == (3, 3)


def test_a_stock_import_needs_both_import_and_inventory_rights(api, make_user, db_session):
    for role in ("sales", "support", "finance"):
        headers = api.headers_for(make_user(role).email)
        response = api.client.post(
            URL,
            data={"file": (io.BytesIO(csv_file(sim_rows(1))), "s.csv"), "template": "SIM Card"},
            headers=headers,
            content_type="multipart/form-data",
        )
        assert response.status_code == 403, role
        assert response.get_json()["required"] == ["import.write", "inventory.write"]
    assert _jobs(db_session) == 0


def test_two_uploads_of_one_file_at_once_cannot_both_run(call, db_session):
    content = csv_file(sim_rows(2))
    first = _upload(call, content)
    second = _upload(call, content, expected=409)
    assert (second["code"], second["import_id"]) == ("import_in_progress", first["import_id"])
    assert db_session.get(ImportJob, first["import_id"]).kind == ImportKind.stock


def test_a_job_whose_template_was_removed_fails_with_the_reason(app, database, call, db_session):
    created = call("post", "/crm/inventory/template/", 201, json={"item": "Pager"})
    job = _upload(call, csv_file(["P-1"], header="serial"), "Pager")
    db_session.delete(db_session.get(InventoryTemplate, created["inventory_template_id"]))
    db_session.commit()
    _run(app, database, job["import_id"])
    failed = call("get", f"/crm/import/{job['import_id']}", 200)
    assert failed["status"] == "failed" and "Pager" in failed["error"]
    assert _counts(db_session) == (0, 0)


def test_a_large_import_refreshes_postgres_statistics(stock_import, db_session, settings):
    if settings.is_sqlite:
        pytest.skip("planner statistics are PostgreSQL's")
    job = stock_import(csv_file(sim_rows(ANALYZE_FROM_ROWS + 500)), chunk=500)
    assert job["created"] == ANALYZE_FROM_ROWS + 500
    commit(db_session)
    # without the ANALYZE a table that was just filled still counts as (nearly) empty
    estimate = db_session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'inventory'"))
    assert estimate >= ANALYZE_FROM_ROWS


def test_the_cli_imports_stock_with_a_summary(app, tmp_path, db_session, monkeypatch):
    from click.testing import CliRunner

    from omnicrm import cli

    monkeypatch.setattr(cli, "_app", lambda: app)
    path = tmp_path / "sims.csv"
    path.write_bytes(csv_file([*sim_rows(2), "x,y,,,"]))
    runner = CliRunner()
    ran = runner.invoke(cli.main, ["import", "stock", str(path), "--template", "sim card"])
    assert ran.exit_code == 0, ran.output
    assert "done, 3 rows: 2 created, 0 updated, 0 unchanged, 1 failed" in ran.output
    assert "line 4: iccid:" in ran.output
    assert _counts(db_session) == (2, 2)
    unknown = runner.invoke(cli.main, ["import", "stock", str(path), "--template", "Pager"])
    assert unknown.exit_code != 0 and "Pager" in unknown.output
