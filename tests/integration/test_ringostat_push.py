"""The Ringostat push: the table's stream, read by the local event source mapping, invokes the real handler.

Each test starts a poller at the stream's end (as a new mapping with StartingPosition LATEST does)
and drains it after writing through the API, so every invocation happens in the test's thread.
"""

import dataclasses
import json
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from ringbridge import aws, clock, settings
from ringbridge.budget import Budget
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.dal import table
from ringbridge.logic import ringostat_config, ringostat_push, ringostat_sender
from ringbridge_tools.fakes.ringostat import Fail
from ringbridge_tools.local import lambdas, streams, template
from tests.support.api import call, new_ringotel_contact
from tests.support.metrics import published
from tests.support.tenants import Tenant, make_tenant

SCHEDULED = json.loads((template.ROOT / "events/ringostat/scheduled.json").read_text())


@pytest.fixture
def push_mapping() -> streams.EventSourceMapping:
    [mapping] = [each for each in streams.mappings() if each.function.logical_id == "RingostatPushFunction"]
    return mapping


@pytest.fixture
def invocations() -> list[list[dict[str, Any]]]:
    return []


@pytest.fixture
def stream(push_mapping, invocations) -> streams.StreamPoller:
    """The template's event source mapping of RingostatPushFunction, reading from now on."""
    return streams.StreamPoller(push_mapping, retry_seconds=0.001, observe=invocations.append)


def keys_of(batch: list[dict[str, Any]]) -> list[str]:
    return [record["dynamodb"]["Keys"]["SK"]["S"] for record in batch]


def update_contact(tenant: Tenant, contact_id: str, **fields) -> dict:
    answer = call("PUT", f"/ringotel/contacts/{contact_id}", tenant.rw_token, json_body=fields)
    assert answer.status == 200, answer.body
    return answer.body


def status_of(tenant: Tenant):
    return ringostat_config.status(tenant.account_id)[0].status


def test_a_created_contact_is_pushed_with_its_organization_first(
    tenant, configure, ringostat_server, stream, invocations
):
    # Given an account configured for Ringostat
    configure(tenant, 201, "key-201")

    # When a contact with a company and two numbers is created, and the stream delivers
    ivan = new_ringotel_contact(
        tenant,
        company_name="Acme",
        owner_id=tenant.user_id,
        phones=[{"number": "(044) 111-11-11"}, {"number": "+380 67 111 22 33"}],
    )
    stream.drain()

    # Then one invocation got the organization and the contact (not the number copies or the name item),
    # and Ringostat got the organization, then the contact
    assert [keys_of(batch) for batch in invocations] == [[f"ORG#{ivan['organization_id']}", f"CONTACT#{ivan['id']}"]]
    assert [request.path for request in ringostat_server.requests] == [
        "/minicrm/organizations/sync",
        "/minicrm/contacts/sync",
    ]
    assert ringostat_server.problems == []
    [pushed] = ringostat_server.accepted("contacts")
    assert pushed["externalId"] == ivan["id"]
    assert [d["value"] for d in pushed["contactDirections"]] == ["380441111111", "380671112233"]
    assert pushed["organizations"][0]["externalId"] == ivan["organization_id"]
    status = status_of(tenant)
    assert (status.contacts_pushed, status.organizations_pushed, status.last_error) == (1, 1, None)

    # And the scheduled run sends that contact in exactly the same payload: one mapping, two triggers
    ringostat_server.clear()
    lambdas.invoke(template.functions()["RingostatSyncFunction"], SCHEDULED)
    assert ringostat_server.accepted("contacts") == [pushed]


def test_an_update_and_a_phone_change_are_pushed_as_the_contact_is_now(
    tenant, configure, ringostat_server, stream, invocations
):
    # Given a pushed contact with two numbers
    configure(tenant, 202, "key-202")
    contact = new_ringotel_contact(tenant, phones=[{"number": "044 111 1111"}, {"number": "044 222 2222"}])
    stream.drain()
    ringostat_server.clear()

    # When it is renamed, then one number is replaced by another
    update_contact(tenant, contact["id"], first_name="Ivanna")
    stream.drain()
    renamed = ringostat_server.accepted("contacts")
    ringostat_server.clear()
    update_contact(tenant, contact["id"], phones=[{"number": "044 111 1111"}, {"number": "044 333 3333"}])
    stream.drain()

    # Then Ringostat got the new name, and then the contact without the removed number
    assert [c["fullName"] for c in renamed] == ["Ivanna Franko"]
    [changed] = ringostat_server.accepted("contacts")
    assert [d["value"] for d in changed["contactDirections"]] == ["380441111111", "380443333333"]
    # Only the contact item invoked the function: the number copies written and deleted did not
    assert all(keys_of(batch) == [f"CONTACT#{contact['id']}"] for batch in invocations[1:])


def test_two_versions_waiting_in_one_batch_send_only_the_latest(tenant, configure, ringostat_server, stream):
    # Given a contact created and renamed before the stream delivers
    configure(tenant, 203, "key-203")
    contact = new_ringotel_contact(tenant, first_name="Before")
    update_contact(tenant, contact["id"], first_name="After")

    # When the stream delivers both records
    stream.drain()

    # Then Ringostat got the contact once, as it is now: never the older version
    assert [c["fullName"] for c in ringostat_server.accepted("contacts")] == ["After Franko"]


def test_a_deleted_contact_invokes_nothing_and_sends_nothing(tenant, configure, ringostat_server, stream, invocations):
    # Given a pushed contact
    configure(tenant, 204, "key-204")
    contact = new_ringotel_contact(tenant, phones=[{"number": "044 111 1111"}])
    stream.drain()
    invocations.clear()
    ringostat_server.clear()

    # When it is deleted (its item, its number copy, and a tombstone for the feeds)
    assert call("DELETE", f"/ringio/contacts/{contact['id']}", tenant.rw_token).status in (200, 204)
    stream.drain()

    # Then the function was not invoked and Ringostat got nothing
    assert invocations == []
    assert ringostat_server.requests == []


def test_an_activity_invokes_nothing(tenant, configure, ringostat_server, stream, invocations):
    # Given a configured account
    configure(tenant, 205, "key-205")

    # When a call activity is written (with its call copy)
    body = {
        "call_id": "1729693708182-push-test",
        "direction": "inbound",
        "caller_number": "380441111111",
        "called_number": "101",
        "started_at": 1729693708182,
    }
    assert call("POST", "/ringotel/activities", tenant.rw_token, json_body=body).status == 201
    stream.drain()

    # Then nothing was invoked
    assert invocations == []
    assert ringostat_server.requests == []


def test_an_unconfigured_account_is_passed_over(ringostat_server, stream, invocations):
    # Given an account without Ringostat
    stranger = make_tenant("UA", "No Ringostat")

    # When one of its contacts is created and the stream delivers (the filter cannot know the config)
    new_ringotel_contact(stranger)
    stream.drain()

    # Then the function ran once, sent nothing, and reported no failure
    assert len(invocations) == 1
    assert ringostat_server.requests == []


def test_a_failed_account_retries_only_its_own_records(
    tenant, other_tenant, configure, ringostat_server, monkeypatch, stream, invocations
):
    # Given two configured accounts, and Ringostat failing the second account's first request
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "1")
    settings.reload()
    configure(tenant, 206, "key-206")
    configure(other_tenant, 207, "key-207")
    first = new_ringotel_contact(tenant, first_name="First")
    second = new_ringotel_contact(other_tenant, first_name="Second")
    ringostat_server.plan(None, Fail(503))

    # When the stream delivers both
    stream.drain()

    # Then the second invocation held only the failed account's record, and each contact arrived once
    assert [keys_of(batch) for batch in invocations] == [
        [f"CONTACT#{first['id']}", f"CONTACT#{second['id']}"],
        [f"CONTACT#{second['id']}"],
    ]
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [first["id"], second["id"]]


def test_the_handler_reports_exactly_the_failed_accounts_records(
    tenant, other_tenant, configure, ringostat_server, monkeypatch, stream, invocations
):
    # Given two configured accounts with a contact each, and Ringostat down for the first one's project
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "1")
    settings.reload()
    configure(tenant, 208, "key-208")
    configure(other_tenant, 209, "key-209")
    new_ringotel_contact(tenant)
    new_ringotel_contact(other_tenant)
    ringostat_server.down.add(208)
    stream.poll(now=0.0)  # read the records, but do not deliver them (the window has not passed)
    assert invocations == []
    [records] = [[record for _, record in stream._waiting]]

    # When the handler gets them
    response = lambdas.invoke(template.functions()["RingostatPushFunction"], {"Records": records})

    # Then the batch item failures name the first account's record only
    failed_account = f"ACCOUNT#{tenant.account_id}"
    expected = [r["dynamodb"]["SequenceNumber"] for r in records if r["dynamodb"]["Keys"]["PK"]["S"] == failed_account]
    assert [failure["itemIdentifier"] for failure in response["batchItemFailures"]] == expected
    assert "HTTP 503" in status_of(tenant).last_error


def test_a_push_that_succeeds_after_a_failed_one_clears_its_error(
    tenant, configure, ringostat_server, monkeypatch, stream, invocations
):
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "1")
    settings.reload()
    configure(tenant, 211, "key-211")
    ringostat_server.down.add(211)
    new_ringotel_contact(tenant)
    stream.poll(now=0.0)
    [records] = [[record for _, record in stream._waiting]]
    with pytest.raises(BatchProcessingError):  # the whole batch failed: Lambda retries it
        lambdas.invoke(template.functions()["RingostatPushFunction"], {"Records": records})
    assert "HTTP 503" in status_of(tenant).last_error

    ringostat_server.down.clear()
    lambdas.invoke(template.functions()["RingostatPushFunction"], {"Records": records})

    status = status_of(tenant)
    assert (status.last_error, status.last_error_at, status.contacts_pushed) == (None, None, 1)


def test_ringostat_down_during_the_push_is_caught_up_by_the_schedule(
    tenant, configure, ringostat_server, monkeypatch, stream, invocations, push_mapping
):
    # Given a configured account whose Ringostat project is down
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "1")
    settings.reload()
    configure(tenant, 210, "key-210")
    ringostat_server.down.add(210)
    sqs = boto3.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=push_mapping.on_failure_queue)["QueueUrl"]
    sqs.purge_queue(QueueUrl=queue_url)

    # When a contact is created and the stream delivers it, with every retry failing
    contact = new_ringotel_contact(tenant)
    stream.drain()

    # Then the record was tried once plus MaximumRetryAttempts, then described in the on-failure queue
    assert len(invocations) == 1 + push_mapping.max_retries
    [message] = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    info = json.loads(message["Body"])["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == invocations[0][0]["dynamodb"]["SequenceNumber"]
    assert info["batchSize"] == 1
    assert ringostat_server.accepted("contacts") == []
    assert "HTTP 503" in status_of(tenant).last_error

    # When Ringostat is back and the schedule runs
    ringostat_server.down.clear()
    lambdas.invoke(template.functions()["RingostatSyncFunction"], SCHEDULED)

    # Then the contact arrives
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [contact["id"]]


def test_a_refused_auth_key_is_recorded_and_not_retried(
    tenant, configure, ringostat_server, stream, invocations, caplog
):
    # Given an account whose auth key Ringostat refuses
    configure(tenant, 211, "stale-key", known_key="current-key")

    # When a contact is created and the stream delivers it
    new_ringotel_contact(tenant)
    stream.drain()

    # Then one request was refused, the record was not retried, and the status says why
    assert len(invocations) == 1
    assert [request.status for request in ringostat_server.requests] == [403]
    error = status_of(tenant).last_error
    assert "HTTP 403" in error
    # ... and the function's log says which account failed and why, in one warning an operator can search for
    [warning] = [r for r in caplog.records if r.getMessage() == "Ringostat push of an account failed"]
    assert (warning.levelname, warning.account_id, warning.error) == ("WARNING", tenant.account_id, error)


def test_a_function_error_is_bisected_down_to_the_poison_record(
    tenant, configure, ringostat_server, stream, invocations, monkeypatch, push_mapping
):
    # Given four new contacts, and a push that crashes on a batch holding the third one
    configure(tenant, 212, "key-212")
    contacts = [new_ringotel_contact(tenant, first_name=f"C{n}")["id"] for n in range(4)]
    poison = f"CONTACT#{contacts[2]}"
    push = ringostat_push.push_changes

    def crashing(records, budget):
        if poison in keys_of(records):
            raise RuntimeError("cannot handle this record")
        return push(records, budget)

    monkeypatch.setattr(ringostat_push, "push_changes", crashing)

    # When the stream delivers them
    stream.drain()

    # Then the batch was split until the poison record was alone, which was tried once plus
    # MaximumRetryAttempts in all (bisections count as retries) and then given up; every other contact arrived
    poison_record = [record for record in invocations[0] if record["dynamodb"]["Keys"]["SK"]["S"] == poison]
    assert [len(batch) for batch in invocations[:4]] == [4, 2, 2, 1]
    assert invocations[3] == poison_record
    assert sum(1 for batch in invocations if poison in keys_of(batch)) == 1 + push_mapping.max_retries
    assert sorted(c["externalId"] for c in ringostat_server.accepted("contacts")) == sorted(contacts[:2] + contacts[3:])


def test_batches_wait_for_the_window_or_a_full_batch(tenant, stream, invocations, push_mapping):
    # Given the template's mapping: batches of 100, a window of a few seconds
    assert push_mapping.batch_size == 100 and 0 < push_mapping.window_seconds <= 5

    # When 3 contacts are written and the stream is read at once, then once the window has passed
    for n in range(3):
        new_ringotel_contact(tenant, first_name=f"W{n}")
    stream.poll(now=1000.0)
    waited = len(invocations)
    stream.poll(now=1000.0 + push_mapping.window_seconds)

    # Then nothing was invoked before the window ended, and one batch of 3 after
    assert waited == 0
    assert [len(batch) for batch in invocations] == [3]


def test_a_burst_is_delivered_in_full_batches(tenant, push_mapping, invocations):
    # Given the push's mapping with batches of 10 (the template's 100, scaled down), and 25 contact
    # items written at once as CreateContact writes them
    from ringbridge.dal import contacts

    stream = streams.StreamPoller(dataclasses.replace(push_mapping, batch_size=10), observe=invocations.append)
    puts = []
    for n in range(25):
        contact = {"id": f"{tenant.account_id[:10]}{n:016d}", "first_name": f"B{n}", "phones": [], "emails": []}
        contact.update(version=1, created_at="2026-11-23T18:00:00.000Z", updated_at="2026-11-23T18:00:00.000Z")
        puts.append({"PutRequest": {"Item": contacts.contact_puts(tenant.account_id, contact, None)[0]["Put"]["Item"]}})
    aws.dynamodb().batch_write_item(RequestItems={table.name(): puts})

    # When the stream is read within the window
    stream.poll(now=0.0)

    # Then full batches went at once, and the rest waits for the window
    assert [len(batch) for batch in invocations] == [10, 10]
    stream.drain()
    assert [len(batch) for batch in invocations] == [10, 10, 5]


def test_the_send_lease_admits_one_sender_at_a_time(tenant):
    # Given one sender holding the account's send lease until t=10 s
    assert ringostat_dal.take_send_lease(tenant.account_id, "schedule", now_ms=0, until_ms=10_000)

    # Then another sender cannot take it before it ends, and can once it has ended
    assert not ringostat_dal.take_send_lease(tenant.account_id, "push", now_ms=9_999, until_ms=19_999)
    assert ringostat_dal.take_send_lease(tenant.account_id, "push", now_ms=10_001, until_ms=20_001)

    # And the late holder's release leaves the new holder's lease alone; the holder's own frees it
    ringostat_dal.release_send_lease(tenant.account_id, "schedule")
    assert not ringostat_dal.take_send_lease(tenant.account_id, "schedule", now_ms=10_002, until_ms=20_002)
    ringostat_dal.release_send_lease(tenant.account_id, "push")
    assert ringostat_dal.take_send_lease(tenant.account_id, "schedule", now_ms=10_003, until_ms=20_003)


def test_a_push_waits_for_the_lease_and_then_sends_the_contact_as_it_is(
    tenant, configure, ringostat_server, stream, monkeypatch
):
    # Given a contact whose account's lease another sender holds, and a rename made while it waits
    configure(tenant, 213, "key-213")
    contact = new_ringotel_contact(tenant, first_name="Before")
    taken = ringostat_dal.take_send_lease(tenant.account_id, "schedule", now_ms=0, until_ms=2**62)
    assert taken
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the other sender finishes while the push waits
        waits.append(seconds)
        if len(waits) == 1:
            update_contact(tenant, contact["id"], first_name="After")
        else:
            ringostat_dal.release_send_lease(tenant.account_id, "schedule")

    monkeypatch.setattr(clock, "sleep", sleep)

    # When the stream delivers the creation's record
    stream.drain()

    # Then the push waited for the lease, and sent the contact as it was once it had it (then again for
    # the rename's own record): never the older version
    assert len(waits) >= 2
    assert [c["fullName"] for c in ringostat_server.accepted("contacts")] == ["After Franko", "After Franko"]


def test_a_push_out_of_time_mid_batch_reports_every_record_of_the_accounts_not_done(
    tenant, other_tenant, configure, ringostat_server, monkeypatch
):
    # Given three contacts of one account (two batches of two) and one of another, and Ringostat
    # taking a minute a request
    monkeypatch.setenv("RINGOSTAT_BATCH_SIZE", "2")
    settings.reload()
    configure(tenant, 210, "key-210")
    configure(other_tenant, 211, "key-211")
    firsts = [new_ringotel_contact(tenant, first_name=f"First{n}") for n in range(3)]
    second = new_ringotel_contact(other_tenant, first_name="Second")
    records = [
        {"dynamodb": {"Keys": {"PK": {"S": f"ACCOUNT#{account}"}, "SK": {"S": f"CONTACT#{contact['id']}"}}}}
        for account, contact in [*((tenant.account_id, c) for c in firsts), (other_tenant.account_id, second)]
    ]
    with clock.manual() as time:
        sync_contacts = ringostat_sender.RingostatClient.sync_contacts

        def slow(self, batch, timeout):
            sync_contacts(self, batch, timeout)
            time.advance(60)

        monkeypatch.setattr(ringostat_sender.RingostatClient, "sync_contacts", slow)

        # When the push has time for one request only
        outcome = ringostat_push.push_changes(records, Budget(60.3))

    # Then Ringostat got the first batch; every record of both accounts is reported failed (the stream
    # delivers them again: the first batch's contacts too, which Ringostat takes as updates), and
    # each account's status says why
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [c["id"] for c in firsts[:2]]
    assert (
        outcome.accounts[tenant.account_id].contacts_sent,
        outcome.accounts[other_tenant.account_id].contacts_sent,
    ) == (
        2,
        0,
    )
    for record in records:
        with pytest.raises(ringostat_push.NotDelivered, match="time ran out"):
            outcome.check_delivered(SimpleNamespace(raw_event=record))
    assert status_of(tenant).last_error == status_of(other_tenant).last_error == "the invocation's time ran out"


def test_a_push_over_several_requests_counts_everything_sent_and_publishes_the_documented_metrics(
    tenant, other_tenant, configure, ringostat_server, monkeypatch, capsys, stream, invocations
):
    # Given Ringostat batches of 2, an account with three contacts in three companies, and an account
    # whose auth key Ringostat refuses (the metrics printed as EMF)
    monkeypatch.setenv("RINGOSTAT_BATCH_SIZE", "2")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    settings.reload()
    configure(tenant, 220, "key-220")
    configure(other_tenant, 221, "stale-key", known_key="current-key")
    for n in range(3):
        new_ringotel_contact(tenant, first_name=f"C{n}", company_name=f"Company {n}")
    new_ringotel_contact(other_tenant)
    capsys.readouterr()

    # When the stream delivers the lot in one invocation
    stream.drain()

    # Then Ringostat got two requests of each kind, and the status counts all that was sent
    assert len(invocations) == 1
    sizes = [(r.path, len(r.body.get("organizations", r.body.get("contacts", [])))) for r in ringostat_server.requests]
    assert sorted(size for size in sizes if size[0].endswith("organizations/sync")) == [
        ("/minicrm/organizations/sync", 1),
        ("/minicrm/organizations/sync", 2),
    ]
    status = status_of(tenant)
    assert (status.organizations_pushed, status.contacts_pushed, status.last_error) == (3, 3, None)

    # ... and the metrics the README names say three contacts pushed and one account failed
    metrics = published(capsys)
    assert [value for _, value in metrics["ContactsPushed"]] == [3]
    assert [value for _, value in metrics["PushFailures"]] == [1]
