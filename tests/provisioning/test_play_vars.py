"""Security finding 1: a caller's variables must never steer a play.

Before the fix, ``extra_vars`` (``POST /crm/provision/``, ``/simple``) and a product's
``provisioning_json_vars`` were merged into the play's top-level variables, where Ansible gives
extra vars the last word: ``hss_file`` chose the file written as root (and deleted on
rollback), ``cgr_url`` the URL the server called (its reply stored in the job's events),
``ansible_python_interpreter`` the program run. Now each play declares what a caller may set
(ansible/caller_vars/<play>.yml); everything else is a 422 naming the key, nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from omnicrm.activity.models import Activity
from omnicrm.catalog.demo import DEMO_PRODUCTS, seed_catalog
from omnicrm.catalog.models import Product
from omnicrm.plays import declared_vars as dv
from omnicrm.provisioning import use_cases as uc
from omnicrm.provisioning.models import Provision
from omnicrm.provisioning.tasks import JobRun
from tests.factories import CustomerFactory, ProductFactory, ServiceFactory

ANSIBLE_DIR = Path(__file__).resolve().parents[2] / "ansible"
PLAYBOOKS = sorted(p.stem for p in ANSIBLE_DIR.glob("*.yml"))
ATTACKS = {
    # A file of the caller's choosing written as root (and removed by the rollback).
    "hss_file": "/etc/cron.d/pwned",
    # The server calls the caller's URL and stores the reply in the job's events.
    "cgr_url": "http://169.254.169.254/latest/meta-data/",
    # A program of the caller's choosing run for every module.
    "ansible_python_interpreter": "/tmp/evil.sh",
}


# ---------------------------------------------------------------------------------------------
# Every play declares its variables; none collides with what the play or the engine sets
# ---------------------------------------------------------------------------------------------
def test_every_playbook_has_a_declaration_and_every_declaration_a_playbook():
    assert {"mobile_activate", "router_activate", "provision_smoke"} <= set(PLAYBOOKS)
    for play in PLAYBOOKS:
        declaration = dv.declaration_for(ANSIBLE_DIR, play)
        assert declaration.found, f"ansible/{dv.DECLARATIONS_DIR}/{play}.yml is missing"
    declared = {p.stem for p in (ANSIBLE_DIR / dv.DECLARATIONS_DIR).glob("*.yml")}
    assert declared == set(PLAYBOOKS), "a declaration without its playbook"


@pytest.mark.parametrize("play", PLAYBOOKS)
def test_no_declared_variable_collides_with_the_play_or_the_reserved_names(play):
    # Read the files directly (the loader refuses a colliding declaration: so would this).
    document = yaml.safe_load((ANSIBLE_DIR / dv.DECLARATIONS_DIR / f"{play}.yml").read_text())
    declared = set(document["variables"] or {})
    own = dv.play_set_names(ANSIBLE_DIR / f"{play}.yml")
    assert not declared & own, f"{play} declares variables it sets itself"
    assert not declared & dv.ENGINE_VARS
    assert not declared & dv.ANSIBLE_NAMES
    assert not [name for name in declared if name.startswith(dv.RESERVED_PREFIXES)]
    assert all(dv.why_reserved(name, own) is None for name in declared)
    # Plays run as the worker's user: none asks for privilege escalation.
    text = (ANSIBLE_DIR / f"{play}.yml").read_text()
    assert "become" not in text


def test_the_walk_finds_what_the_plays_set():
    """The collision test is only as good as the walk: it sees play vars, set_fact, register
    and task vars, inside blocks and rescue."""
    activate = dv.play_set_names(ANSIBLE_DIR / "mobile_activate.yml")
    assert {"hss_file", "cgr_url", "cgr_tenant", "use_cgrates", "account", "sim"} <= activate
    assert {"set_account", "get_account", "rollback_account"} <= activate  # register
    assert {"hss_record", "found_balances", "failure_reason"} <= activate  # task vars, rescue
    assert "smoke_line" in dv.play_set_names(ANSIBLE_DIR / "provision_smoke.yml")  # set_fact
    assert "router_config" in dv.play_set_names(ANSIBLE_DIR / "router_activate.yml")


def test_a_declaration_of_a_reserved_name_is_refused(tmp_path):
    (tmp_path / "p.yml").write_text("- hosts: localhost\n  vars:\n    target: x\n  tasks: []\n")
    (tmp_path / dv.DECLARATIONS_DIR).mkdir()
    for name in ("target", "ansible_become", "inventory", "hostvars"):
        (tmp_path / dv.DECLARATIONS_DIR / "p.yml").write_text(
            f"variables:\n  {name}: {{type: boolean}}\n"
        )
        with pytest.raises(dv.DeclarationError, match="reserved"):
            dv.declaration_for(tmp_path, "p")
    for bad in (
        "variables:\n  s: {type: string}\n",  # a string without max_length
        "variables:\n  n: {type: integer, minimum: 1}\n",  # no maximum
        "variables:\n  o: {type: object}\n",  # an object without properties
        "variables:\n  x: {type: float, minimum: 0, maximum: 1}\n",
        "variables:\n  s: {type: string, max_length: 3, default: toolong}\n",
        "vars: {}\n",
    ):
        (tmp_path / dv.DECLARATIONS_DIR / "p.yml").write_text(bad)
        with pytest.raises(dv.DeclarationError):
            dv.declaration_for(tmp_path, "p")


def test_rules_check_types_and_bounds(tmp_path):
    (tmp_path / "p.yml").write_text("- hosts: localhost\n  tasks: []\n")
    (tmp_path / dv.DECLARATIONS_DIR).mkdir()
    (tmp_path / dv.DECLARATIONS_DIR / "p.yml").write_text(
        yaml.safe_dump(
            {
                "variables": {
                    "name": {"type": "string", "max_length": 5, "pattern": "^[a-z]+$"},
                    "count": {"type": "integer", "minimum": 1, "maximum": 10},
                    "flag": {"type": "boolean"},
                    "qos": {
                        "type": "object",
                        "properties": {"level": {"type": "integer", "minimum": 0, "maximum": 9}},
                    },
                    "tags": {
                        "type": "list",
                        "max_items": 2,
                        "items": {"type": "string", "max_length": 3},
                    },
                }
            }
        )
    )

    def refused(**values: Any) -> set[str]:
        return set(dv.check_caller_vars(tmp_path, "p", values))

    assert refused(name="abc", count=10, flag=False, qos={"level": 3}, tags=["a", "b"]) == set()
    assert refused(name="toolong") == {"extra_vars.name"}
    assert refused(name="ab1") == {"extra_vars.name"}  # pattern
    assert refused(name="ab\n") == {"extra_vars.name"}  # control characters
    assert refused(name=5) == {"extra_vars.name"}
    assert refused(count=0) == refused(count=11) == {"extra_vars.count"}
    assert refused(count=1.0) == refused(count=True) == refused(count="3") == {"extra_vars.count"}
    assert refused(flag="yes") == refused(flag=1) == {"extra_vars.flag"}  # booleans are strict
    assert refused(flag=None) == {"extra_vars.flag"}
    assert refused(qos={"level": 3, "extra": 1}) == {"extra_vars.qos.extra"}
    assert refused(qos={"level": 99}) == {"extra_vars.qos.level"}
    assert refused(qos="3") == {"extra_vars.qos"}
    assert refused(tags=["a", "b", "c"]) == {"extra_vars.tags"}
    assert refused(tags=["abcd"]) == {"extra_vars.tags.0"}
    assert refused(other=1) == {"extra_vars.other"}
    # A play without a declaration accepts nothing.
    assert set(dv.check_caller_vars(tmp_path, "nope", {"a": 1})) == {"extra_vars.a"}


def test_the_demo_catalog_follows_the_declarations(app, db_session):
    for spec in DEMO_PRODUCTS:
        problems = dv.check_product_vars(
            ANSIBLE_DIR, spec.get("provisioning_play"), spec.get("provisioning_json_vars") or {}
        )
        assert problems == {}, (spec["product_name"], problems)
    created = seed_catalog(db_session)  # through the catalog use cases, which check them
    assert {p.product_slug for p in created} >= {"mobile-basic-5gb", "home-fibre-100"}


# ---------------------------------------------------------------------------------------------
# The attacks, through the API
# ---------------------------------------------------------------------------------------------
@pytest.fixture
def dispatched(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Jobs sent to the workers (recorded instead of sent)."""
    sent: list[int] = []
    monkeypatch.setattr(
        "omnicrm.provisioning.tasks.dispatch", lambda provision_id, **_: sent.append(provision_id)
    )
    return sent


@pytest.fixture
def target(db_session) -> dict[str, Any]:
    customer = CustomerFactory(customer_name="Ada Lovelace")
    product = ProductFactory(
        provisioning_play="mobile_activate",
        provisioning_json_vars={"apn": "internet", "qos_profile": "basic"},
        inventory_items_list=[],
    )
    service = ServiceFactory(customer_id=customer.customer_id, product_id=product.product_id)
    db_session.commit()
    return {"customer": customer, "product": product, "service": service}


@pytest.fixture
def support(api, make_user) -> dict[str, str]:
    """The built-in support role holds provision.write: the reviewer's attacker."""
    return api.headers_for(make_user("support").email)


def _requests(target: dict[str, Any], extra_vars: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "simple": {
            "url": "/crm/provision/simple",
            "json": {
                "service_id": target["service"].service_id,
                "play": "mobile_activate",
                "extra_vars": extra_vars,
            },
        },
        "create": {
            "url": "/crm/provision/",
            "json": {
                "customer_id": target["customer"].customer_id,
                "product_id": target["product"].product_id,
                "service_id": target["service"].service_id,
                "extra_vars": extra_vars,
            },
        },
    }


def _counts(db_session) -> tuple[int, int]:
    db_session.expire_all()
    jobs = db_session.scalar(select(func.count()).select_from(Provision))
    rows = db_session.scalar(
        select(func.count()).select_from(Activity).where(Activity.object_type == "provision")
    )
    return jobs, rows


@pytest.mark.parametrize("endpoint", ["simple", "create"])
@pytest.mark.parametrize("key", sorted(ATTACKS))
def test_an_attack_variable_is_refused_and_nothing_is_queued(
    api, db_session, support, target, dispatched, endpoint, key
):
    before = _counts(db_session)
    request = _requests(target, {"apn": "internet", key: ATTACKS[key]})[endpoint]
    response = api.client.post(request["url"], json=request["json"], headers=support)
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert list(body["errors"]["json"]) == [f"extra_vars.{key}"]  # apn is fine
    assert f"extra_vars.{key}" in body["message"]
    assert _counts(db_session) == before  # no job, no activity
    assert dispatched == []


def test_an_attack_through_an_api_key_is_refused(api, call, db_session, target, dispatched):
    key = call(
        "post", "/crm/auth/api-key/", 201, json={"name": "ocs", "scopes": ["provision.write"]}
    )
    request = _requests(target, dict(ATTACKS))["simple"]
    response = api.client.post(
        request["url"], json=request["json"], headers={"X-API-Key": key["key"]}
    )
    assert response.status_code == 422, response.get_json()
    assert set(response.get_json()["errors"]["json"]) == {f"extra_vars.{k}" for k in ATTACKS}
    assert dispatched == []


@pytest.mark.parametrize(
    ("extra_vars", "refused"),
    [
        ({"omnicrm": {"spool_dir": "/etc"}}, "extra_vars.omnicrm"),
        ({"inventory": {"sim": {"imsi": "1"}}}, "extra_vars.inventory"),
        ({"use_cgrates": False}, "extra_vars.use_cgrates"),
        ({"account": "someone-else"}, "extra_vars.account"),
        ({"set_account": {"status": 200}}, "extra_vars.set_account"),  # a register name
        ({"hostvars": {}}, "extra_vars.hostvars"),
        ({"ansible_connection": "ssh"}, "extra_vars.ansible_connection"),
        ({"qos": {"profile": "gold"}}, "extra_vars.qos"),  # not declared
        ({"roaming": "yes"}, "extra_vars.roaming"),
        ({"apn": "internet\n[hss]"}, "extra_vars.apn"),
        ({"apn": "{{ lookup('pipe', 'id') }}"}, "extra_vars.apn"),
        ({"apn": "a" * 101}, "extra_vars.apn"),
        ({"qos_profile": ["basic"]}, "extra_vars.qos_profile"),
    ],
)
def test_reserved_unknown_and_ill_typed_variables_are_422(
    call, db_session, target, dispatched, extra_vars, refused
):
    before = _counts(db_session)
    for endpoint, request in _requests(target, extra_vars).items():
        body = call("post", request["url"], 422, json=request["json"])
        assert list(body["errors"]["json"]) == [refused], endpoint
    assert _counts(db_session) == before
    assert dispatched == []


def test_an_allowed_variable_reaches_the_job_and_its_activity_row(
    call, db_session, target, dispatched
):
    body = call(
        "post",
        "/crm/provision/",
        201,
        json={
            "customer_id": target["customer"].customer_id,
            "product_id": target["product"].product_id,
            "service_id": target["service"].service_id,
            "extra_vars": {"apn": "ims", "roaming": True},
        },
    )
    variables = body["provisioning_json_vars"]
    assert (variables["apn"], variables["roaming"], variables["qos_profile"]) == (
        "ims",  # the caller's
        True,
        "basic",  # the product's
    )
    assert dispatched == [body["provision_id"]]
    rows = db_session.scalars(
        select(Activity)
        .where(Activity.object_type == "provision", Activity.object_id == str(body["provision_id"]))
        .order_by(Activity.activity_id)
    ).all()
    assert [row.action for row in rows] == ["create", "queue"]
    assert rows[1].after == {
        "provisioning_play": "mobile_activate",
        "action": "simple",
        "initiated_by": body["initiated_by"],
        "extra_vars": {"apn": "ims", "roaming": True},
        "product_vars": {"apn": "internet", "qos_profile": "basic"},
    }
    assert rows[1].row_hash  # signed like every other row


def test_secrets_are_masked_in_the_activity_row(call, db_session, dispatched):
    customer = CustomerFactory()
    router = ProductFactory(provisioning_play="router_activate", inventory_items_list=[])
    db_session.commit()
    body = call(
        "post",
        "/crm/provision/",
        201,
        json={
            "customer_id": customer.customer_id,
            "product_id": router.product_id,
            "extra_vars": {"wifi_ssid": "Ada Home", "wifi_passphrase": "correct horse"},
        },
    )
    row = db_session.scalar(
        select(Activity).where(
            Activity.object_type == "provision",
            Activity.object_id == str(body["provision_id"]),
            Activity.action == "queue",
        )
    )
    assert row.after["extra_vars"] == {"wifi_ssid": "Ada Home", "wifi_passphrase": "***"}


# ---------------------------------------------------------------------------------------------
# Product variables: checked in the catalog, passed only to the plays that declare them
# ---------------------------------------------------------------------------------------------
PRODUCT = {
    "product_name": "Mobile Secure",
    "category": "standalone",
    "retail_cost": "10.00",
    "provisioning_play": "mobile_activate",
}


@pytest.mark.parametrize(
    ("json_vars", "refused"),
    [
        ({"ansible_python_interpreter": "/tmp/evil.sh"}, "ansible_python_interpreter"),
        ({"ansible_shell_executable": "/tmp/evil.sh"}, "ansible_shell_executable"),
        ({"hss_file": "/etc/passwd"}, "hss_file"),
        ({"cgr_url": "http://attacker.example/"}, "cgr_url"),
        ({"omnicrm": {"spool_dir": "/"}}, "omnicrm"),
        ({"qos": {"profile": "basic"}}, "qos"),
        ({"roaming": "no"}, "roaming"),
        ({"plays": {"suspend": "../../etc/passwd"}}, "plays.suspend"),
        ({"plays": {"hack": "mobile_suspend"}}, "plays.hack"),
        ({"plays": "mobile_suspend"}, "plays"),
    ],
)
def test_the_catalog_refuses_product_variables_no_play_declares(
    call, db_session, json_vars, refused
):
    count = db_session.scalar(select(func.count()).select_from(Product))
    body = call("post", "/crm/product/", 422, json={**PRODUCT, "provisioning_json_vars": json_vars})
    assert list(body["errors"]["json"]) == [f"provisioning_json_vars.{refused}"]
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Product)) == count


def test_the_catalog_checks_product_variables_on_update(call):
    product = call(
        "post",
        "/crm/product/",
        201,
        json={
            **PRODUCT,
            "provisioning_json_vars": {"apn": "internet", "plays": {"suspend": "mobile_suspend"}},
        },
    )
    url = f"/crm/product/{product['product_id']}"
    body = call(
        "patch", url, 422, json={"provisioning_json_vars": {"ansible_python_interpreter": "/x"}}
    )
    assert list(body["errors"]["json"]) == ["provisioning_json_vars.ansible_python_interpreter"]
    # A new play must accept the stored variables too (router_activate declares no apn).
    body = call("patch", url, 422, json={"provisioning_play": "router_activate"})
    assert list(body["errors"]["json"]) == ["provisioning_json_vars.apn"]
    # No play, no variables.
    body = call("patch", url, 422, json={"provisioning_play": None})
    assert list(body["errors"]["json"]) == ["provisioning_json_vars.apn"]
    call("patch", url, 200, json={"provisioning_json_vars": {"qos_profile": "gold"}})
    assert call("get", url, 200)["provisioning_json_vars"] == {"qos_profile": "gold"}
    # Unrelated edits of a product do not re-check its variables.
    call("patch", url, 200, json={"description": "still fine"})


def test_a_play_gets_only_the_product_variables_it_declares(app, db_session):
    product = ProductFactory(
        provisioning_play="mobile_activate",
        provisioning_json_vars={
            "apn": "internet",
            "roaming": "yes",  # stored before the rule: left out, never an error
            "hss_file": "/etc/passwd",  # likewise
            "plays": {"deprovision": "mobile_deprovision"},
        },
    )
    db_session.commit()
    with app.app_context():
        config = uc.PlayConfig.from_settings(app.extensions["omnicrm_settings"])
        assert uc.product_vars_for(config, "mobile_activate", product) == {"apn": "internet"}
        assert uc.product_vars_for(config, "mobile_suspend", product) == {}  # no apn there
        assert uc.product_vars_for(config, "provision_smoke", product) == {}


def test_the_worker_filters_a_stored_job_again_and_owns_the_paths(app):
    """A job queued before the fix (or written by hand) still cannot steer the play."""
    with app.app_context():
        config = uc.PlayConfig.from_settings(app.extensions["omnicrm_settings"])
    stored = {
        "hss_file": "/etc/passwd",
        "cgr_url": "http://attacker.example/",
        "ansible_python_interpreter": "/tmp/evil.sh",
        "apn": "internet",
        "omnicrm": {"play": "mobile_activate", "provision_id": 1, "spool_dir": "/etc"},
        "customer": {"customer_id": 1, "customer_name": "Ada"},
    }
    ran = uc.runtime_vars(config, stored, play="mobile_activate")
    assert set(ran) == {"apn", "omnicrm", "customer"}
    assert ran["omnicrm"]["spool_dir"] == str(config.spool_dir)
    assert ran["omnicrm"]["charging"]["url"] == config.cgrates_url


# ---------------------------------------------------------------------------------------------
# Values are data: a real play run never evaluates Jinja in them
# ---------------------------------------------------------------------------------------------
def _run(app, provision_id: int) -> None:
    with app.app_context():
        JobRun(app.extensions["omnicrm_settings"], provision_id).run()


def test_jinja_in_a_caller_or_product_variable_is_never_evaluated(
    app, call, db_session, dispatched, tmp_path
):
    marker = tmp_path / "pwned"
    payload = f"{{{{ lookup('pipe', 'touch {marker}') }}}}"
    assert len(payload) <= 200
    customer = CustomerFactory(customer_name="Ada Lovelace")
    service = ServiceFactory(customer_id=customer.customer_id)
    db_session.commit()
    # Through a product variable, saved through the catalog (it passes: note is free text).
    product = call(
        "post",
        "/crm/product/",
        201,
        json={
            **PRODUCT,
            "product_name": "Smoke",
            "provisioning_play": "provision_smoke",
            "provisioning_json_vars": {"note": payload},
        },
    )
    by_product = call(
        "post",
        "/crm/provision/",
        201,
        json={"customer_id": customer.customer_id, "product_id": product["product_id"]},
    )
    # Through a caller's variable.
    by_caller = call(
        "post",
        "/crm/provision/simple",
        201,
        json={
            "service_id": service.service_id,
            "play": "provision_smoke",
            "extra_vars": {"note": payload},
        },
    )
    spool = app.extensions["omnicrm_settings"].spool_dir / "smoke"
    for job in (by_product, by_caller):
        assert job["provisioning_json_vars"]["note"] == payload
        _run(app, job["provision_id"])
        done = call("get", f"/crm/provision/{job['provision_id']}", 200)
        assert done["status_label"] == "Success", (done["error"], done["events"])
        assert (spool / f"{job['provision_id']}.txt").read_text().endswith(f"ok: {payload}\n")
    assert not marker.exists()  # the lookup never ran
