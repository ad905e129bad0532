"""What the HTTP functions publish: EMF metrics per request and the correlation id of their log lines."""

import json
from typing import Any

import pytest

from ringbridge import observability
from ringbridge.observability import logger
from tests.support.api import call
from tests.support.tenants import Tenant

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


@pytest.fixture
def emitted(monkeypatch, capsys) -> Any:
    """The metrics of the HTTP requests' EMF lines printed since the fixture started, summed by name.

    Only lines with a request count: a stream or scheduled function of an earlier test that is still
    finishing in its worker thread (a loaded machine) may print its own meanwhile."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    capsys.readouterr()

    def read() -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in capsys.readouterr().out.splitlines():
            if not line.startswith("{") or '"_aws"' not in line:
                continue
            blob = json.loads(line)
            if "Requests" not in blob:
                continue
            directive = blob["_aws"]["CloudWatchMetrics"][0]
            assert directive["Namespace"] == "ringbridge" and directive["Dimensions"] == [["service"]]
            for metric in directive["Metrics"]:
                values = blob[metric["Name"]]
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + sum(
                    values if isinstance(values, list) else [values]
                )
        return totals

    return read


def test_find_contact_counts_a_request_and_whether_the_number_matched(tenant: Tenant, emitted) -> None:
    created = call(
        "POST",
        "/ringotel/contacts",
        tenant.rw_token,
        json_body={"last_name": "M", "phones": [{"number": "0441234567"}]},
    )
    assert created.status == 201
    emitted()

    found = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "0441234567"})
    missed = call("GET", "/ringotel/contacts/find", tenant.ro_token, query={"phone": "0449999999"})

    assert (found.status, missed.status) == (200, 200)
    assert emitted() == {
        "Requests": 2,
        "Requests4xx": 0,
        "Requests5xx": 0,
        "AuthFailures": 0,
        "FindContactMatched": 1,
        "FindContactUnmatched": 1,
    }


def test_a_bad_token_is_an_auth_failure_and_a_4xx(tenant: Tenant, emitted) -> None:
    answer = call("GET", "/ringotel/users", "not-a-token")

    assert answer.status == 403
    assert emitted() == {"Requests": 1, "Requests4xx": 1, "Requests5xx": 0, "AuthFailures": 1}


@pytest.mark.parametrize(
    ("response", "counted"),
    [
        ({"statusCode": 399}, (0, 0)),
        ({"statusCode": 400}, (1, 0)),
        ({"statusCode": 499}, (1, 0)),
        ({"statusCode": 500}, (0, 1)),
        ({"statusCode": 501}, (0, 1)),
        (None, (0, 1)),  # the handler raised: API Gateway answers 500
    ],
    ids=["399", "400", "499", "500", "501", "raised"],
)
def test_a_requests_answer_counts_as_a_4xx_or_a_5xx_from_their_first_status_on(emitted, response, counted) -> None:
    # (through finish_request itself: no route answers 399 or 501, and none raises on purpose)
    observability.finish_request(response)

    totals = emitted()
    assert (totals["Requests"], totals["Requests4xx"], totals["Requests5xx"]) == (1, *counted)


def test_activities_created_and_recordings_stored_with_their_bytes(tenant: Tenant, emitted) -> None:
    body = {"call_id": "metrics-call-1", "direction": "inbound", "caller_number": "380441111111"}
    created = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    retried = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    path = f"/ringotel/activities/{created.body['id']}/recording"
    stored = call("PUT", path, tenant.rw_token, body=WAV, headers={"content-type": "audio/wav"})

    assert (created.status, stored.status) == (201, 200), stored.body
    totals = emitted()
    assert totals["ActivitiesCreated"] == 1  # the retry of the same call_id created nothing
    assert retried.status == 200  # the same call again: its activity, not a new one
    assert (totals["RecordingsStored"], totals["RecordingBytes"]) == (1, len(WAV))
    assert totals["Requests"] == 3


def test_log_lines_carry_the_requests_id_as_correlation_id(tenant: Tenant) -> None:
    from ringbridge_tools.local import lambdas, template

    function = template.functions()["RingotelUsersFunction"]
    event = lambdas.http_event("GET", "/ringotel/users", headers={"authorization": f"Bearer {tenant.ro_token}"})

    lambdas.invoke(function, event)

    assert logger.get_correlation_id() == event["requestContext"]["requestId"]
