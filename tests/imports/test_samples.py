"""Sample CSVs for the import pages: their headers are the importer's own for the template (or
for subscribers), and the sample imports cleanly — every row created, none failed. The import
list and page name who uploaded a file."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from omnicrm.imports.models import ImportStatus
from omnicrm.imports.samples import sample_iccid, sample_mac, sample_msisdn
from omnicrm.imports.stock import columns_for
from omnicrm.imports.subscribers import COLUMNS
from omnicrm.imports.use_cases import run_import
from omnicrm.inventory import use_cases as inv
from omnicrm.inventory.models import InventoryTemplate
from omnicrm.inventory.validation import normalise_iccid, normalise_mac, normalise_msisdn


@pytest.fixture(autouse=True)
def templates(db_session):
    inv.sync_inventory_templates(db_session)
    db_session.commit()


def _download(api, headers, url, expected=200):
    response = api.client.get(url, headers=headers)
    assert response.status_code == expected, response.get_data(as_text=True)
    return response


def _rows(response):
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def _import(app, database, call, url, content, **form):
    job = call(
        "post",
        url,
        202,
        data={"file": (io.BytesIO(content), "sample.csv"), **form},
        content_type="multipart/form-data",
    )
    settings = app.extensions["omnicrm_settings"]
    with app.app_context():
        assert run_import(database, settings, job["import_id"], region="US", chunk=50) == (
            ImportStatus.done
        )
    return call("get", f"/crm/import/{job['import_id']}", 200)


@pytest.mark.parametrize("name", ["SIM Card", "Phone Number", "Router", "ONT"])
def test_a_stock_sample_has_the_templates_headers_and_imports_cleanly(
    app, database, api, admin_headers, call, db_session, name
):
    if name == "ONT":
        call(
            "post",
            "/crm/inventory/template/",
            201,
            json={"item": "ONT", "itemtext3_label": "Port"},
        )
    template = db_session.scalar(select(InventoryTemplate).where(InventoryTemplate.item == name))
    response = _download(api, admin_headers, f"/crm/import/stock/sample.csv?template={name}")
    header, *rows = _rows(response)
    assert header == list(columns_for(template)[0])
    assert len(rows) == 3
    job = _import(app, database, call, "/crm/import/stock", response.data, template=name)
    assert (job["total"], job["created"], job["failed"], job["errors"]) == (3, 3, 0, [])
    # a second download is new items, not the first one's again
    again = _download(api, admin_headers, f"/crm/import/stock/sample.csv?template={name}")
    assert (
        _import(app, database, call, "/crm/import/stock", again.data, template=name)["created"] == 3
    )


def test_a_subscriber_sample_has_every_header_and_imports_cleanly(
    app, database, api, admin_headers, call
):
    response = _download(api, admin_headers, "/crm/import/subscribers/sample.csv")
    header, *rows = _rows(response)
    assert header == list(COLUMNS)
    assert len(rows) == 3
    job = _import(app, database, call, "/crm/import/subscribers", response.data)
    assert (job["total"], job["created"], job["failed"]) == (3, 3, 0)


def test_sample_requests_are_checked(api, admin_headers, make_user):
    missing = _download(api, admin_headers, "/crm/import/stock/sample.csv", expected=422)
    assert "template" in str(missing.get_json()["errors"])
    unknown = _download(
        api, admin_headers, "/crm/import/stock/sample.csv?template=Nope", expected=404
    )
    assert "template" in str(unknown.get_json())
    reader = make_user("support")
    headers = api.headers_for(reader.email)
    _download(api, headers, "/crm/import/stock/sample.csv?template=SIM Card", expected=403)
    assert api.client.get("/crm/import/subscribers/sample.csv").status_code == 401


def test_sample_values_pass_the_validators():
    for _ in range(20):
        assert normalise_iccid(sample_iccid())
        assert normalise_mac(sample_mac())
    # a random number is sometimes not a valid one: the sample draws again; most are valid
    valid = 0
    for _ in range(20):
        try:
            normalise_msisdn(sample_msisdn("US"), "US")
            valid += 1
        except ValueError:
            pass
    assert valid > 0


def test_imports_name_their_uploader(app, database, api, make_user, call):
    user = make_user("admin", full_name="Ines Importer")
    headers = api.headers_for(user.email)
    sample = _download(api, headers, "/crm/import/stock/sample.csv?template=Router")
    job = api.client.post(
        "/crm/import/stock",
        headers=headers,
        data={"file": (io.BytesIO(sample.data), "routers.csv"), "template": "Router"},
        content_type="multipart/form-data",
    ).get_json()
    assert job["created_by_user_id"] == user.id
    assert job["created_by_user_name"] == "Ines Importer"
    listed = call("get", "/crm/import/?kind=stock", 200)
    mine = next(i for i in listed if i["import_id"] == job["import_id"])
    assert mine["created_by_user_name"] == "Ines Importer"
    assert call("get", f"/crm/import/{job['import_id']}", 200)["created_by_user_name"] == (
        "Ines Importer"
    )
