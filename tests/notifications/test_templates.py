"""The message templates: every catalogued one renders from its sample facts, HTML escapes what
a customer typed, an operator's override wins (and a broken or hostile one falls back to the
built-in), only catalogued names reach a loader, and the staff API lists and previews them."""

from __future__ import annotations

import pytest

from omnicrm.notifications import use_cases as uc
from omnicrm.notifications.catalog import CATEGORIES, TEMPLATES
from omnicrm.notifications.render import overridden, render

GLOBALS = {
    "company_name": "Acme Mobile",
    "company_address": "1 Main St",
    "public_url": "https://x",
    "preferences_url": None,
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_template_renders_its_sample_strictly(name):
    spec = TEMPLATES[name]
    out = render(name, spec.sample, globals_=GLOBALS, strict=True)
    assert out.subject and "\n" not in out.subject and "{{" not in out.subject
    assert out.text.strip() and "Acme Mobile" in out.text and "{%" not in out.text
    assert out.html is not None and "<html" in out.html and "Acme Mobile" in out.html
    assert (out.sms is not None) == ("sms" in spec.channels)
    if out.sms:
        assert len(out.sms) <= 320  # two SMS segments at most
    assert spec.category in CATEGORIES


def test_html_escapes_what_a_customer_typed_and_text_keeps_it():
    facts = {**TEMPLATES["ticket_replied"].sample, "reply": "<script>alert(1)</script> & more"}
    out = render("ticket_replied", facts, globals_=GLOBALS)
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "<script>alert(1)</script> & more" in out.text


def test_an_operators_override_wins_part_by_part(tmp_path):
    (tmp_path / "invoice_issued.subject.txt").write_text("Your bill {{ invoice_number }} is here")
    (tmp_path / "invoice_issued.html").write_text("<p>Custom {{ customer_name }}</p>")
    facts = TEMPLATES["invoice_issued"].sample
    out = render("invoice_issued", facts, globals_=GLOBALS, override_dir=tmp_path)
    assert out.subject == "Your bill INV-2026-000123 is here"
    assert out.html == "<p>Custom Ada Lovelace</p>"
    assert "INV-2026-000123 of 44.00 EUR" in out.text  # the built-in text part
    assert overridden(tmp_path, "invoice_issued") == ["subject", "html"]
    assert overridden(tmp_path, "invoice_issued") and overridden(None, "invoice_issued") == []


@pytest.mark.parametrize(
    "body",
    [
        "{% if %}broken",  # a syntax error
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",  # the sandbox refuses it
        "{{ customer_name.__init__.__globals__ }}",
    ],
)
def test_a_broken_or_hostile_override_falls_back_to_the_built_in(tmp_path, body):
    (tmp_path / "payment_confirmed.txt").write_text(body)
    facts = TEMPLATES["payment_confirmed"].sample
    out = render("payment_confirmed", facts, globals_=GLOBALS, override_dir=tmp_path)
    assert "we received your payment of 44.00 EUR" in out.text
    assert "subclasses" not in out.text and "globals" not in out.text


def test_only_catalogued_names_reach_a_loader(tmp_path):
    (tmp_path / "secret.txt").write_text("do not read")
    for name in ("../secret", "secret", "invoice_issued/../../etc/passwd", ""):
        with pytest.raises(LookupError):
            render(name, {}, globals_=GLOBALS, override_dir=tmp_path)
        with pytest.raises(LookupError):
            overridden(tmp_path, name)


def test_queue_email_refuses_an_unknown_template(db_session):
    with pytest.raises(LookupError):
        uc.queue_email(db_session, to="a@example.com", template="nope", context={})


def test_the_template_list_and_preview(call, app, tmp_path, monkeypatch):
    settings = app.extensions["omnicrm_settings"]
    monkeypatch.setattr(settings, "notification_template_dir", tmp_path)
    (tmp_path / "ticket_opened.subject.txt").write_text("Ticket {{ ticket_id }} opened")

    listed = {t["name"]: t for t in call("get", "/crm/notification/template/", 200)}
    assert set(listed) == set(TEMPLATES)
    assert listed["ticket_opened"]["overridden"] == ["subject"]
    assert listed["reset_password"] | {"overridden": []} == {
        "name": "reset_password",
        "category": "account",
        "required": True,
        "sensitive": True,
        "description": TEMPLATES["reset_password"].description,
        "channels": ["email"],
        "overridden": [],
    }
    assert listed["service_suspended"]["channels"] == ["email", "sms"]

    preview = call("get", "/crm/notification/template/ticket_opened/preview", 200)
    assert preview["subject"] == "Ticket 1042 opened"
    assert "No data since this morning" in preview["text"]
    assert preview["sample"]["ticket_id"] == 1042 and preview["sms"] is None
    sms = call("get", "/crm/notification/template/service_suspended/preview", 200)["sms"]
    assert "suspended" in sms
    call("get", "/crm/notification/template/nope/preview", 404)
    call("get", "/crm/notification/template/..%2Fsecret/preview", 404)


def test_templates_need_notification_read(api, make_user):
    sales = api.headers_for(make_user("sales").email)
    assert api.client.get("/crm/notification/template/", headers=sales).status_code == 403
    support = api.headers_for(make_user("support").email)
    assert api.client.get("/crm/notification/template/", headers=support).status_code == 200
