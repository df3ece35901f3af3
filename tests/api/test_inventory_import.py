"""CSV import of inventory (ManyRegister): structure first, every row checked, all or nothing."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select, text

from omnicrm.activity.models import Activity
from omnicrm.inventory import importer
from omnicrm.inventory import use_cases as uc
from omnicrm.inventory.models import Inventory, InventoryHistory, ItemState
from tests.factories import SimFactory, make_iccid

URL = "/crm/inventory/import"
SIM_HEADER = "iccid,imsi,puk1,puk2,ki_ref"


@pytest.fixture(autouse=True)
def templates(db_session):
    uc.sync_inventory_templates(db_session)
    db_session.commit()


def sim_rows(count, start=0):
    return [
        f"{make_iccid(700000 + n)},{310150000000000 + n},{10000000 + n},{20000000 + n},hsm://{n}"
        for n in range(start, start + count)
    ]


def csv_file(lines, header=SIM_HEADER):
    text = "\n".join([header, *lines]) + "\n" if header is not None else "\n".join(lines)
    return text.encode()


@pytest.fixture
def upload(api, admin_headers):
    def _upload(content, template="SIM Card", expected=201, dry_run=None, **extra):
        data = {"file": (io.BytesIO(content), "stock.csv"), **extra}
        if template is not None:
            data["template"] = template
        query = {"dry_run": dry_run} if dry_run is not None else {}
        response = api.client.post(
            URL,
            data=data,
            headers=admin_headers,
            content_type="multipart/form-data",
            query_string=query,
        )
        assert response.status_code == expected, response.get_json()
        return response.get_json()

    return _upload


def _counts(db_session):
    db_session.expire_all()
    return (
        db_session.scalar(select(func.count()).select_from(Inventory)),
        db_session.scalar(select(func.count()).select_from(InventoryHistory)),
    )


def test_a_good_file_imports_every_row_with_history(upload, db_session):
    body = upload(csv_file(sim_rows(100)))
    assert body == {
        "created": 100,
        "rows": 100,
        "template": "SIM Card",
        "inventory_template_id": body["inventory_template_id"],
        "dry_run": False,
        "errors": [],
    }
    assert _counts(db_session) == (100, 100)
    first = db_session.scalar(select(Inventory).order_by(Inventory.inventory_id))
    assert first.serial == make_iccid(700000)
    assert first.itemtext1 == first.serial  # the ICCID is mirrored
    assert (first.itemtext2, first.itemtext3, first.itemtext4, first.itemtext5) == (
        "310150000000000",
        "10000000",
        "20000000",
        "hsm://0",
    )
    assert first.item_state == ItemState.new
    history = db_session.scalars(select(InventoryHistory)).all()
    assert {(h.from_state, h.to_state, h.reason) for h in history} == {(None, "new", "imported")}
    assert all(h.user_id is not None for h in history)
    event = db_session.scalar(select(Activity).where(Activity.action == "import"))
    assert event.object_type == "inventory_template"
    assert event.after == {"template": "SIM Card", "created": 100}


def test_columns_follow_the_header_whatever_its_order_and_case(upload, db_session):
    rows = [f"310150000000001,{make_iccid(1)}"]
    assert upload(b"\xef\xbb\xbf" + csv_file(rows, header=" IMSI , ICCID "))["created"] == 1
    item = db_session.scalar(select(Inventory))
    assert (item.serial, item.itemtext2, item.itemtext3) == (make_iccid(1), "310150000000001", None)


def test_numbers_and_routers(upload, db_session):
    body = upload(csv_file(["+61 412 000 001", "(202) 555-0100"], header="msisdn"), "Phone Number")
    assert body["created"] == 2
    routers = csv_file(
        ["AA-BB-CC-00-00-01,SN1,https://10.0.0.1/", "aabbcc000002,,"],
        header="mac,serial_number,management_url",
    )
    assert upload(routers, "router")["created"] == 2
    serials = set(db_session.scalars(select(Inventory.serial)))
    assert serials == {"+61412000001", "+12025550100", "aa:bb:cc:00:00:01", "aa:bb:cc:00:00:02"}
    router = db_session.scalar(select(Inventory).where(Inventory.serial == "aa:bb:cc:00:00:01"))
    assert (router.itemtext1, router.itemtext2, router.itemtext3, router.management_url) == (
        "aa:bb:cc:00:00:01",
        "SN1",
        "https://10.0.0.1/",
        "https://10.0.0.1/",
    )


def test_a_user_template_imports_serial_and_itemtexts(upload, api, admin_headers, db_session):
    api.client.post(
        "/crm/inventory/template/", json={"item": "ONT"}, headers=admin_headers
    ).get_json()
    body = upload(csv_file(["ONT-1,port 1", "ONT-2,"], header="serial,itemtext3"), "ONT")
    assert body["created"] == 2
    assert db_session.scalar(select(Inventory.itemtext3).where(Inventory.serial == "ONT-1")) == (
        "port 1"
    )


@pytest.mark.parametrize(
    ("header", "unknown", "missing"),
    [
        ("iccid,imsi,colour", ["colour"], []),
        ("iccid,puk1", [], ["imsi"]),
        ("msisdn,imsi,iccid", ["msisdn"], []),
        ("iccid,imsi,imsi", [], []),
    ],
)
def test_bad_headers_are_422_and_nothing_is_written(upload, db_session, header, unknown, missing):
    body = upload(csv_file(sim_rows(3), header=header), expected=422)
    assert body["code"] == "invalid_file"
    assert body["unknown_headers"] == unknown
    assert body["missing_headers"] == missing
    assert "iccid" in body["expected_headers"]
    assert body["errors"]["multipart"]["file"]
    assert _counts(db_session) == (0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n \n,,\n", "empty"),
        (SIM_HEADER.encode() + b"\n\n", "no rows"),
        (b"iccid,imsi\n\xff\xfe\x00", "UTF-8"),
        (b"iccid,imsi\n1\x00,2\n", "NUL"),
    ],
)
def test_structurally_broken_files_are_422(upload, db_session, content, message):
    body = upload(content, expected=422)
    assert body["code"] == "invalid_file"
    assert message in body["message"]
    assert _counts(db_session) == (0, 0)


def test_one_bad_row_among_100_names_its_row_and_field_and_writes_nothing(upload, db_session):
    rows = sim_rows(100)
    iccid, _imsi, *rest = rows[36].split(",")
    rows[36] = ",".join([iccid, "31015", *rest])  # data row 37 = line 38 of the file
    body = upload(csv_file(rows), expected=422)
    assert body["code"] == "invalid_rows"
    assert body["errors"]["rows"] == [
        {"row": 38, "field": "imsi", "message": body["errors"]["rows"][0]["message"]}
    ]
    assert "15 digits" in body["errors"]["rows"][0]["message"]
    assert body["error_count"] == 1
    assert "1 of 100 rows" in body["message"]
    assert _counts(db_session) == (0, 0)
    assert db_session.scalar(select(Activity).where(Activity.action == "import")) is None


def test_every_problem_of_every_row_is_reported_with_file_line_numbers(upload, db_session):
    good = sim_rows(3)
    iccid = make_iccid(9)
    lines = [
        good[0],
        "",  # blank lines are skipped but still counted as lines
        f"{iccid[:-1]}{(int(iccid[-1]) + 1) % 10},12,1234,,",  # bad Luhn, IMSI, PUK1
        good[1],
        "too,few",
        good[0].replace(make_iccid(700000), make_iccid(8)),  # same IMSI as row 2
        good[2],
        good[2],  # duplicate of the previous line
    ]
    body = upload(csv_file(lines), expected=422)
    found = [(e["row"], e["field"]) for e in body["errors"]["rows"]]
    assert found == [
        (4, "iccid"),
        (4, "imsi"),
        (4, "puk1"),
        (6, ""),
        (7, "imsi"),
        (9, "iccid"),
        (9, "imsi"),
    ]
    messages = {(e["row"], e["field"]): e["message"] for e in body["errors"]["rows"]}
    assert "Luhn" in messages[(4, "iccid")]
    assert messages[(7, "imsi")] == "duplicate of row 2"
    assert messages[(9, "iccid")] == "duplicate of row 8"
    assert "expected 5 values, found 2" in messages[(6, "")]
    assert _counts(db_session) == (0, 0)


def test_duplicates_against_the_database(upload, db_session):
    existing = SimFactory(serial=make_iccid(700001), itemtext2="999990000000000")
    other = SimFactory(itemtext2="310150000000002")  # the IMSI of row 3 below
    db_session.commit()
    body = upload(csv_file(sim_rows(3)), expected=422)
    assert [(e["row"], e["field"], e["message"]) for e in body["errors"]["rows"]] == [
        (3, "iccid", f"already in inventory (item {existing.inventory_id})"),
        (4, "imsi", f"already in inventory (item {other.inventory_id})"),
    ]
    assert _counts(db_session) == (2, 0)


def test_dry_run_validates_only(upload, db_session):
    body = upload(csv_file(sim_rows(10)), dry_run="true", expected=200)
    assert (body["dry_run"], body["rows"], body["created"], body["errors"]) == (True, 10, 0, [])
    assert _counts(db_session) == (0, 0)
    bad = sim_rows(10)
    bad[4] = "x,y,,,"
    body = upload(csv_file(bad), dry_run="true", expected=422)
    assert {e["row"] for e in body["errors"]["rows"]} == {6}
    assert _counts(db_session) == (0, 0)


def test_request_shape_errors(upload, api, admin_headers, db_session):
    body = upload(csv_file(sim_rows(1)), template="Pager", expected=404)
    assert body["errors"]["multipart"]["template"]
    upload(csv_file(sim_rows(1)), template=None, expected=422)
    upload(csv_file(sim_rows(1)), expected=422, colour="red")  # unknown form field
    response = api.client.post(
        URL,
        data={"template": "SIM Card"},
        headers=admin_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "file" in response.get_json()["errors"]["multipart"]
    response = api.client.post(URL, json={"template": "SIM Card"}, headers=admin_headers)
    assert response.status_code == 422
    assert _counts(db_session) == (0, 0)


def test_size_and_row_limits(upload, db_session, monkeypatch):
    too_big = csv_file(sim_rows(1)) + b"#" * importer.MAX_IMPORT_BYTES
    assert upload(too_big, expected=413)["code"] == "payload_too_large"
    monkeypatch.setattr(importer, "MAX_IMPORT_ROWS", 10)
    body = upload(csv_file(sim_rows(11)), expected=422)
    assert "more than 10 rows" in body["message"]
    assert upload(csv_file(sim_rows(10)))["created"] == 10


def test_10000_sims_import_in_a_few_seconds(upload, db_session):
    content = csv_file(sim_rows(10_000))
    started = time.perf_counter()
    assert upload(content)["created"] == 10_000
    elapsed = time.perf_counter() - started
    assert _counts(db_session) == (10_000, 10_000)
    print(f"\n10,000 SIM rows imported in {elapsed:.2f}s")
    assert elapsed < 15, elapsed  # a few seconds on a laptop; generous for slow CI machines


def test_a_large_import_refreshes_postgres_statistics(upload, db_session, settings):
    if settings.is_sqlite:
        pytest.skip("planner statistics are PostgreSQL's")
    assert upload(csv_file(sim_rows(importer.ANALYZE_FROM_ROWS)))["created"] == 1_000
    # Without the ANALYZE a table that was just filled still counts as (nearly) empty.
    estimate = db_session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'inventory'"))
    assert estimate >= importer.ANALYZE_FROM_ROWS
