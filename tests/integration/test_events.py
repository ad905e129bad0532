"""Every sample event under events/ runs through its real handler and does what it is for.

Placeholders are filled exactly as ``ringbridge invoke`` fills them (ringbridge_tools.local.events),
from an account seeded like a demo account (ringbridge_tools.local.demo), so an event that works
here works against ``make serve`` too.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.dal.registry import RINGOSTAT
from ringbridge.logic import account_deletion, accounts, recording_retention, ringcloud, ringostat_config
from ringbridge.logic.allowance import Allowance
from ringbridge_tools.fakes import ringcloud as ringcloud_fake
from ringbridge_tools.fakes.ringostat import FakeRingostat
from ringbridge_tools.local import demo, events, lambdas, template

# Events that are not HTTP requests name their function by file, else by directory.
NON_HTTP_FUNCTIONS = {
    "accounts/deletions.json": "AccountDeletionFunction",
    "accounts/recording_retention.json": "RecordingRetentionFunction",
    "ringostat/push.json": "RingostatPushFunction",
    "ringostat": "RingostatSyncFunction",
    "ringcloud": "RingcloudImportFunction",
}
PROJECT_ID = 909


@pytest.fixture(scope="module")
def sample_account() -> Iterator[dict[str, Any]]:
    with seeded_account("Events test") as account:
        yield account


@pytest.fixture
def own_account() -> Iterator[dict[str, Any]]:
    """An account for one test: a RingCloud import brings the fake's calls in once, so a test that runs
    one into the module's account would leave the sample import event nothing to import after it."""
    with seeded_account("Events test, own") as account:
        yield account


@contextlib.contextmanager
def seeded_account(name: str) -> Iterator[dict[str, Any]]:
    """A demo-like account, with RingCloud configured against the fake `ringbridge fake ringcloud` runs."""
    account = demo.seed_account(name, "UA")
    fake = ringcloud_fake.seeded().start()
    previous = os.environ.get("RINGCLOUD_BASE_URL")
    os.environ["RINGCLOUD_BASE_URL"] = fake.base_url
    settings.reload()
    ringcloud.configure(
        account["account_id"],
        ringcloud_fake.DEMO_KEY,
        ringcloud_fake.DEMO_PASSWORD,
        rw_api_key=ringcloud_fake.DEMO_RW_KEY,
        rw_password=ringcloud_fake.DEMO_RW_PASSWORD,
    )
    yield account
    ringcloud.remove(account["account_id"])
    os.environ.pop("RINGCLOUD_BASE_URL")
    if previous is not None:
        os.environ["RINGCLOUD_BASE_URL"] = previous
    fake.stop()


@pytest.fixture(autouse=True)
def one_call_at_a_time(sample_account: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Each sample event runs as if RingCloud had last been asked long ago: its per-URL limits and
    our click-to-call slot are behind it (the clock they read is ten minutes further on per test)."""
    global _clock_offset
    _clock_offset += 600
    real, offset = time.monotonic, _clock_offset
    monkeypatch.setattr(clock, "monotonic", lambda: real() + offset)
    aws.dynamodb().delete_item(
        TableName=table.name(),
        Key=table.key(table.account_pk(sample_account["account_id"]), ringcloud_dal.ORIGINATE_SK),
    )


_clock_offset = 0.0


def function_for(path: Path, event: dict[str, Any]) -> template.Function:
    if events.is_http(event):
        found = lambdas.route(event["requestContext"]["http"]["method"], event["rawPath"])
        assert found, f"{path}: no route in template.yaml serves this event"
        function = found[0]
        # events/<area>/<LogicalId>[.url].json: the file says which function it is for.
        assert path.name.split(".")[0] == function.logical_id, f"{path} is routed to {function.logical_id}"
        return function
    relative = path.relative_to(events.EVENTS_DIR)
    name = relative.as_posix() if relative.as_posix() in NON_HTTP_FUNCTIONS else relative.parts[0]
    assert name in NON_HTTP_FUNCTIONS, f"{path}: add it or its directory to NON_HTTP_FUNCTIONS"
    return template.functions()[NON_HTTP_FUNCTIONS[name]]


@pytest.fixture
def ringostat_server(monkeypatch) -> Iterator[FakeRingostat]:
    server = FakeRingostat().start()
    monkeypatch.setenv("RINGOSTAT_BASE_URL", server.base_url)
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "0")
    settings.reload()
    yield server
    server.stop()


@pytest.mark.parametrize("path", events.files(), ids=lambda path: str(path.relative_to(events.EVENTS_DIR)))
def test_sample_event_succeeds(path: Path, sample_account: dict[str, Any], request: pytest.FixtureRequest) -> None:
    # Given a sample event with its placeholders filled from a seeded account
    event = events.load(path, events.placeholders(sample_account))
    function = function_for(path, event)
    if function.logical_id == "RingostatSyncFunction":
        check_scheduled_sync(function, event, sample_account, request.getfixturevalue("ringostat_server"))
        return
    if function.logical_id in SCHEDULED_CHECKS:
        SCHEDULED_CHECKS[function.logical_id](function, event)
        return

    # When its function handles it
    response = lambdas.invoke(function, event)

    # Then it does its work: an HTTP event answers 2xx (the $default route: 405); a stream batch has
    # no failed record; the RingCloud import brings the fake's calls and recordings into the seeded account
    if function.logical_id == "NoRouteFunction":  # a method the path has no route for
        assert (response["statusCode"], response["headers"]["Allow"]) == (405, "GET"), response
    elif events.is_http(event):
        assert 200 <= response["statusCode"] < 300, response
    elif function.logical_id == "RingostatPushFunction":
        assert response == {"batchItemFailures": []}
    else:
        runs = [run for run in response["accounts"] if run["account_id"] == sample_account["account_id"]]
        assert [(run["errors"], run["stopped_early"]) for run in runs] == [([], False)], response
        assert runs[0]["calls_imported"] > 0 and runs[0]["recordings_stored"] > 0, response


def check_scheduled_sync(
    function: template.Function, event: dict[str, Any], account: dict[str, Any], server: FakeRingostat
) -> None:
    # Given the seeded account synced to a (fake) Ringostat project
    server.add_project(PROJECT_ID, "events-key")
    ringostat_config.configure(
        account["account_id"], PROJECT_ID, "events-key", "ringbridge", "https://crm.example.com/c/{id}"
    )
    try:
        # When the schedule's event runs the sync
        result = lambdas.invoke(function, event)
    finally:  # no later run may sync this account
        registry = table.key(RINGOSTAT, account["account_id"])
        aws.dynamodb().delete_item(TableName=table.name(), Key=registry)

    # Then the run reports the account's contacts sent, and Ringostat has them
    assert result["stopped_early"] is False
    runs = [run for run in result["accounts"] if run["account_id"] == account["account_id"]]
    received = {item["externalId"] for item in server.accepted("contacts", PROJECT_ID)}
    assert [(run["error"], run["contacts_sent"]) for run in runs] == [(None, len(received))], result
    # (the seeded contacts, and those the HTTP events before it created)
    assert account["contact_id"] in received and len(received) >= len(demo.CONTACTS["UA"])
    assert server.problems == []


def check_account_deletions(function: template.Function, event: dict[str, Any]) -> None:
    # Given an account whose deletion stopped after its first step
    doomed = accounts.create_account("Events test, deleted", "UA")
    with clock.manual() as time:
        stopped = account_deletion.delete_account(doomed.id, doomed.id, Allowance(max_steps=1))
        time.advance(settings.current().auth_cache_seconds + account_deletion.LONGEST_FUNCTION_SECONDS)

        # When the schedule's event runs the function, once no request that passed auth can still write
        result = lambdas.invoke(function, event)

    # Then it finishes that deletion
    runs = [run for run in result["deletions"] if run["account_id"] == doomed.id]
    assert not stopped.complete and [run["complete"] for run in runs] == [True], result


def check_recording_retention(function: template.Function, event: dict[str, Any]) -> None:
    # Given an account keeping recordings a day, whose sample call was recorded two days before
    with clock.manual() as time:
        account = demo.seed_account("Events test, retention", "UA")
        recording_retention.set_account_days(account["account_id"], 1)
        time.advance(2 * 86400)

        # When the schedule's event runs the function
        result = lambdas.invoke(function, event)

    # Then it deletes that recording
    runs = [run for run in result["accounts"] if run["account_id"] == account["account_id"]]
    assert result["complete"] and [run["recordings_deleted"] for run in runs] == [1], result


SCHEDULED_CHECKS = {
    "AccountDeletionFunction": check_account_deletions,
    "RecordingRetentionFunction": check_recording_retention,
}


# A new interpreter, as a Lambda instance starts: only the function's module is imported before it
# serves, so the packages ringbridge.coldstart defers load the way they do in Lambda. Prints each answer.
FRESH_INSTANCE = """
import importlib, json, sys
from types import SimpleNamespace

context = SimpleNamespace(
    function_name="fresh", memory_limit_in_mb=512, aws_request_id="fresh", log_group_name="fresh",
    log_stream_name="fresh", invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:fresh",
    get_remaining_time_in_millis=lambda: 60_000,
)
for module, event in json.loads(sys.stdin.read()):
    print(json.dumps(importlib.import_module(module).lambda_handler(event, context), default=str))
"""


def test_a_new_instance_serves_each_function_as_in_lambda(
    own_account: dict[str, Any], ringostat_server: FakeRingostat
) -> None:
    # Given one sample event per function (the token endpoint's with a refresh token not yet used),
    # and the account synced to a (fake) Ringostat project
    values = {
        **events.placeholders(own_account),
        "oauth_refresh_token": demo.approved_refresh_token(own_account["oauth_client_id"]),
    }
    chosen: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in events.files():
        event = events.load(path, values)
        chosen.setdefault(function_for(path, event).logical_id, (function_for(path, event).module, event))
    ringostat_server.add_project(PROJECT_ID, "events-key")
    ringostat_config.configure(
        own_account["account_id"], PROJECT_ID, "events-key", "ringbridge", "https://crm.example.com/c/{id}"
    )

    # When a new interpreter imports each function's module in turn and serves its event
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(
            [sys.executable, "-c", f"import sys; sys.path[:0] = {[str(root / 'functions'), str(root / 'layers')]!r}"
             + FRESH_INSTANCE],
            input=json.dumps(list(chosen.values())), capture_output=True, text=True, env=os.environ, timeout=300,
        )  # fmt: skip
    finally:  # no later run may sync this account
        registry = table.key(RINGOSTAT, own_account["account_id"])
        aws.dynamodb().delete_item(TableName=table.name(), Key=registry)

    # Then each answers as it does in this process
    assert done.returncode == 0, done.stderr
    answers = dict(zip(chosen, map(json.loads, done.stdout.splitlines()), strict=True))
    assert answers.pop("NoRouteFunction")["statusCode"] == 405
    assert answers.pop("RingostatPushFunction") == {"batchItemFailures": []}
    assert isinstance(answers.pop("AccountDeletionFunction")["deletions"], list)
    assert answers.pop("RecordingRetentionFunction")["complete"] is True
    account_runs = {
        name: [run for run in answers.pop(name)["accounts"] if run["account_id"] == own_account["account_id"]]
        for name in ("RingostatSyncFunction", "RingcloudImportFunction")
    }
    assert [run["error"] for run in account_runs["RingostatSyncFunction"]] == [None]
    assert [run["errors"] for run in account_runs["RingcloudImportFunction"]] == [[]]
    assert {name: 200 <= answer["statusCode"] < 300 for name, answer in answers.items()} == dict.fromkeys(answers, True)
    assert ringostat_server.problems == []


def test_every_http_function_has_sample_events() -> None:
    # events/<area>/<LogicalId>.json for the HTTP API, and <LogicalId>.url.json for its function URL
    names = {path.name for path in events.files()}
    for function in template.functions().values():
        if function.routes:
            assert f"{function.logical_id}.json" in names, function.logical_id
        if function.routes and function.has_url:
            assert f"{function.logical_id}.url.json" in names, function.logical_id


def test_an_unknown_placeholder_is_named() -> None:
    with pytest.raises(ValueError, match=r"\{\{contact_idd\}\}"):
        events.fill({"rawPath": "/ringotel/contacts/{{contact_idd}}"}, {"contact_id": "01ABC"})
