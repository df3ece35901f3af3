"""The fake Mailjet (tests/fakes/mailjet.py) driven through the real ``mailjet_rest`` client."""

from __future__ import annotations

import base64
import json
from typing import Any

import mailjet_rest
import pytest
import requests

from tests.fakes.mailjet import FakeMailjet, fake_mailjet  # noqa: F401


@pytest.fixture
def fake(fake_mailjet: FakeMailjet) -> FakeMailjet:  # noqa: F811
    return fake_mailjet


@pytest.fixture
def client(fake: FakeMailjet) -> mailjet_rest.Client:
    return mailjet_rest.Client(
        auth=(fake.api_key, fake.api_secret), version="v3.1", api_url=fake.url, timeout=5
    )


def message(**fields: Any) -> dict[str, Any]:
    return {
        "From": {"Email": "billing@omnicrm.example", "Name": "OmniCRM"},
        "To": [{"Email": "ada@example.com", "Name": "Ada"}],
        "Subject": "Your invoice",
        "TextPart": "Hello Ada",
        **fields,
    }


def refused(client: mailjet_rest.Client, *messages: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(mailjet_rest.ValidationError) as caught:
        client.send.create(data={"Messages": list(messages)})
    assert caught.value.status_code == 400
    return dict(json.loads(caught.value.response_body))


def test_send_is_recorded_with_ids(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    data = {"Messages": [message(CustomID="inv-42", EventPayload="tenant=7")]}
    response = client.send.create(data=data)
    assert response.status_code == 200
    [answer] = response.json()["Messages"]
    assert answer["Status"] == "success" and answer["CustomID"] == "inv-42"
    assert answer["Cc"] == [] and answer["Bcc"] == []
    [to] = answer["To"]
    assert to["Email"] == "ada@example.com" and isinstance(to["MessageID"], int)
    assert to["MessageHref"].endswith(f"/message/{to['MessageID']}")
    [sent] = fake.sent
    assert sent["Subject"] == "Your invoice" and sent["EventPayload"] == "tenant=7"
    assert sent["To"][0]["MessageID"] == to["MessageID"]
    assert sent["To"][0]["MessageUUID"] == to["MessageUUID"]
    assert fake.calls == [data]


def test_template_send(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    fake.add_template(4242)
    templated = message(TemplateID=4242, TemplateLanguage=True, Variables={"name": "Ada"})
    del templated["Subject"], templated["TextPart"]
    assert client.send.create(data={"Messages": [templated]}).status_code == 200
    assert fake.sent[0]["Variables"] == {"name": "Ada"}


def test_missing_from(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    no_from = message()
    del no_from["From"]
    [answer] = refused(client, no_from)["Messages"]
    assert answer["Status"] == "error"
    [error] = answer["Errors"]
    assert error["ErrorCode"] == "mj-0003" and error["StatusCode"] == 400
    assert error["ErrorRelatedTo"] == ["From"] and error["ErrorIdentifier"]
    assert fake.sent == []


def test_unknown_template_and_long_custom_id(client: mailjet_rest.Client) -> None:
    [answer] = refused(client, message(TemplateID=999))["Messages"]
    assert [e["ErrorRelatedTo"] for e in answer["Errors"]] == [["TemplateID"]]
    [answer] = refused(client, message(CustomID="x" * 65))["Messages"]
    assert [(e["ErrorCode"], e["ErrorRelatedTo"]) for e in answer["Errors"]] == [
        ("mj-0006", ["CustomID"])
    ]


def test_valid_messages_of_a_refused_call_are_still_sent(
    fake: FakeMailjet, client: mailjet_rest.Client
) -> None:
    bad = message(To=[{"Email": "not-an-address"}], Unknown=1)
    answers = refused(client, message(), bad)["Messages"]
    assert [a["Status"] for a in answers] == ["success", "error"]
    codes = {e["ErrorCode"] for e in answers[1]["Errors"]}
    assert codes == {"mj-0013", "mj-0004"}
    assert len(fake.sent) == 1
    too_many = {"Messages": [message()] * 51}
    with pytest.raises(mailjet_rest.ValidationError):
        client.send.create(data=too_many)
    assert len(fake.sent) == 1


def test_wrong_credentials(fake: FakeMailjet) -> None:
    client = mailjet_rest.Client(auth=(fake.api_key, "wrong"), version="v3.1", api_url=fake.url)
    with pytest.raises(mailjet_rest.MailjetAuthError) as caught:
        client.send.create(data={"Messages": [message()]})
    assert caught.value.status_code == 401
    body = json.loads(caught.value.response_body)
    assert body["StatusCode"] == 401 and body["ErrorMessage"].startswith("API key authentication")
    assert fake.calls == [] and fake.sent == []


def test_fail_next_then_success(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    fake.fail_next(2, status=503)
    for _ in range(2):
        with pytest.raises(mailjet_rest.ApiError, match="503"):
            client.send.create(data={"Messages": [message()]})
    assert fake.sent == []
    assert client.send.create(data={"Messages": [message()]}).status_code == 200
    assert len(fake.sent) == 1 and len(fake.calls) == 3


def test_down_is_a_connection_error(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    fake.down = True
    with pytest.raises(mailjet_rest.CriticalApiError) as caught:
        client.send.create(data={"Messages": [message()]})
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    fake.down = False
    assert fake.client().send.create(data={"Messages": [message()]}).status_code == 200


def test_delay_times_out(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    fake.delay = 0.5
    with pytest.raises(mailjet_rest.TimeoutError):
        client.send.create(data={"Messages": [message()]}, timeout=0.1)


def test_events_sent_and_bounce(fake: FakeMailjet, client: mailjet_rest.Client) -> None:
    data = {"Messages": [message(CustomID="inv-42", EventPayload="p", CustomCampaign="bills")]}
    client.send.create(data=data)
    [sent] = fake.sent
    to = sent["To"][0]
    event = fake.make_event("sent", sent)
    assert event["event"] == "sent" and isinstance(event["time"], int)
    assert (event["MessageID"], event["Message_GUID"]) == (to["MessageID"], to["MessageUUID"])
    assert event["email"] == "ada@example.com" and event["mj_message_id"] == str(to["MessageID"])
    assert (event["CustomID"], event["Payload"], event["customcampaign"]) == (
        "inv-42",
        "p",
        "bills",
    )
    assert {"mj_campaign_id", "mj_contact_id", "smtp_reply"} <= event.keys()
    bounce = fake.make_event("bounce", sent, "ada@example.com", hard_bounce=False)
    assert bounce["hard_bounce"] is False and bounce["blocked"] is False
    assert {"error_related_to", "error", "comment"} <= bounce.keys()
    with pytest.raises(ValueError):
        fake.make_event("bounce", sent, "nobody@example.com")

    posted: list[tuple[Any, dict[str, str]]] = []
    fake.deliver_events(
        lambda body, headers: posted.append((body, headers)),
        [event, bounce],
        user="hook",
        password="s3cret",
    )
    [(body, headers)] = posted
    assert body == [event, bounce]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"hook:s3cret").decode()
    fake.deliver_events(lambda b, h: posted.append((b, h)), [event, bounce], grouped=False)
    assert [b for b, _ in posted[1:]] == [event, bounce]
