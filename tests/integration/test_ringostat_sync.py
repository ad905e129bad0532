"""The scheduled Ringostat sync, run through its real lambda_handler against moto and a fake Ringostat."""

import json
from collections import Counter
from datetime import timedelta

import pytest
import requests

from ringbridge import aws, clock, settings
from ringbridge.budget import Budget
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.errors import InvalidInput, NotFound
from ringbridge.logic import ringostat_config, ringostat_sync
from ringbridge_tools.fakes.ringostat import Fail
from ringbridge_tools.local import lambdas, template
from tests.support.api import call, new_ringotel_contact
from tests.support.dynamodb import account_items
from tests.support.metrics import published
from tests.support.ringostat import RINGOSTAT_LINK as LINK
from tests.support.tenants import Tenant, make_tenant

EVENT = json.loads((template.ROOT / "events/ringostat/scheduled.json").read_text())


@pytest.fixture(autouse=True)
def small_batches(monkeypatch) -> None:
    monkeypatch.setenv("RINGOSTAT_BATCH_SIZE", "2")
    settings.reload()


def run_sync() -> dict:
    return lambdas.invoke(template.functions()["RingostatSyncFunction"], EVENT)


def run_sync_counted(operations: list[str]) -> tuple[dict, Counter[str]]:
    """A run, and the DynamoDB operations it made (``operations``: the test's log, the no_scan fixture)."""
    operations.clear()
    result = run_sync()
    return result, Counter(operations)


def status_of(tenant: Tenant):
    return ringostat_config.status(tenant.account_id)[0].status


def test_first_run_sends_every_contact_and_organization_as_the_seed_specifies(tenant, configure, ringostat_server):
    # Given an account with an organization, an owned contact in it, and plain contacts
    configure(tenant, 106, "key-106")
    ivan = new_ringotel_contact(
        tenant,
        company_name="Acme",
        owner_id=tenant.user_id,
        phones=[{"number": "(044) 111-11-11"}, {"number": "+380 67 111 22 33", "type": "mobile"}],
        emails=["ivan@example.com"],
    )
    others = [new_ringotel_contact(tenant, first_name=f"Petro {n}", last_name=None) for n in range(4)]

    # When the schedule runs
    result = run_sync()

    # Then every request met the seed's contract, organizations came first, and every contact arrived
    assert ringostat_server.problems == []
    paths = [request.path for request in ringostat_server.requests]
    assert paths[0] == "/minicrm/organizations/sync"
    assert set(paths[1:]) == {"/minicrm/contacts/sync"}
    assert ringostat_server.accepted("organizations") == [
        {"projectId": 106, "name": "Acme", "externalId": ivan["organization_id"], "origin": "ringbridge"}
    ]
    contacts = {contact["externalId"]: contact for contact in ringostat_server.accepted("contacts")}
    assert set(contacts) == {ivan["id"], *(other["id"] for other in others)}
    assert contacts[ivan["id"]] == {
        "projectId": 106,
        "fullName": "Ivan Franko",
        "origin": "ringbridge",
        "externalId": ivan["id"],
        "leadId": None,
        "responsible": "olena@example.com",
        "staffId": None,
        "contactLink": f"https://crm.example.com/contacts/{ivan['id']}",
        "leadLink": None,
        "dealLink": None,
        "googleClientId": None,
        "contactDirections": [
            {"type": "phone", "name": "Ivan Franko", "value": "380441111111"},
            {"type": "phone", "name": "Ivan Franko", "value": "380671112233"},
            {"type": "email", "name": "Ivan Franko", "value": "ivan@example.com"},
        ],
        "organizations": [
            {"projectId": 106, "name": "Acme", "externalId": ivan["organization_id"], "origin": "ringbridge"}
        ],
    }
    # A contact without owner or company: the CRM's name is responsible, no organizations
    assert contacts[others[0]["id"]]["responsible"] == "ringbridge"
    assert contacts[others[0]["id"]]["organizations"] is None
    # 5 contacts in batches of 2
    assert len(ringostat_server.requests) == 1 + 3
    assert result["accounts"] == [
        {"account_id": tenant.account_id, "organizations_sent": 1, "contacts_sent": 5, "error": None}
    ]
    status = status_of(tenant)
    assert (status.contacts_sent, status.organizations_sent, status.last_error) == (5, 1, None)
    assert status.last_success_at is not None


def test_the_next_run_sends_what_changed_and_nothing_else(tenant, configure, ringostat_server):
    # Given an account already synced
    configure(tenant, 107, "key-107")
    unchanged = new_ringotel_contact(tenant, first_name="Unchanged", company_name="Acme")
    edited = new_ringotel_contact(tenant, first_name="Before")
    run_sync()
    ringostat_server.clear()

    # When one contact is edited, one is created, and the schedule runs twice
    answer = call("PUT", f"/ringotel/contacts/{edited['id']}", tenant.rw_token, json_body={"first_name": "After"})
    assert answer.status == 200, answer.body
    created = new_ringotel_contact(tenant, first_name="New")
    run_sync()
    second = [(c["externalId"], c["fullName"]) for c in ringostat_server.accepted("contacts")]
    second_organizations = ringostat_server.accepted("organizations")
    ringostat_server.clear()
    run_sync()

    # Then the second run sent exactly the two changes (no organization: none changed), and the third nothing
    assert sorted(second) == sorted([(edited["id"], "After Franko"), (created["id"], "New Franko")])
    assert second_organizations == []
    assert unchanged["id"] not in dict(second)
    assert ringostat_server.requests == []
    assert ringostat_server.problems == []


def test_a_run_counts_every_organization_and_contact_it_sent_over_several_batches(
    tenant, configure, ringostat_server, caplog
):
    # Given an account with three contacts, each in an organization of its own (batches of two)
    configure(tenant, 122, "key-122")
    for n in range(3):
        new_ringotel_contact(tenant, first_name=f"Petro {n}", company_name=f"Acme {n}")

    # When the schedule runs
    result = run_sync()

    # Then the account's result counts what Ringostat accepted, every batch of it
    [mine] = [account for account in result["accounts"] if account["account_id"] == tenant.account_id]
    assert (mine["organizations_sent"], mine["contacts_sent"]) == (3, 3)
    assert len(ringostat_server.accepted("organizations")) == len(ringostat_server.accepted("contacts")) == 3
    # ... so do its status, which counts no failed batch, and the function's log
    status = status_of(tenant)
    assert (status.organizations_sent, status.contacts_sent, status.batches_failed) == (3, 3, 0)
    [done] = [r for r in caplog.records if r.getMessage() == "Ringostat sync of an account done"]
    assert (done.levelname, done.account_id, done.organizations_sent, done.contacts_sent) == (
        "INFO",
        tenant.account_id,
        3,
        3,
    )


def test_a_batch_failing_mid_run_loses_nothing(tenant, configure, ringostat_server, monkeypatch, ordered_clock):
    # Given 6 contacts (3 batches of 2), and Ringostat failing from the 3rd request on, past every retry
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "2")
    settings.reload()
    configure(tenant, 108, "key-108")
    ids = [new_ringotel_contact(tenant, first_name=f"C{n}")["id"] for n in range(6)]
    ringostat_server.plan(None, None, Fail(500), Fail(503))

    # When the schedule runs
    first = run_sync()

    # Then the first two batches arrived, the failure is recorded, and the account's error is visible
    sent_first = [c["externalId"] for c in ringostat_server.accepted("contacts")]
    assert sent_first == ids[:4]
    assert first["accounts"][0]["contacts_sent"] == 4
    assert "HTTP 503" in first["accounts"][0]["error"]
    status = status_of(tenant)
    assert "HTTP 503" in status.last_error
    assert status.batches_failed == 1

    # When it runs again with Ringostat healthy
    ringostat_server.clear()
    second = run_sync()

    # Then exactly the rest arrives: the watermark stopped before the failed batch
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == ids[4:]
    assert second["accounts"][0]["error"] is None
    assert status_of(tenant).last_error is None


@pytest.mark.parametrize(
    "failure",
    [Fail(500), Fail(502), Fail(429, retry_after="0"), Fail(429), Fail(delay=1.5)],
    ids=["500", "502", "429-retry-after", "429", "timeout"],
)
def test_transient_failures_are_retried_within_the_run(
    tenant, configure, ringostat_server, failure, ordered_clock, caplog
):
    # Given 4 contacts and Ringostat failing once on the second batch
    configure(tenant, 109, "key-109")
    ids = [new_ringotel_contact(tenant, first_name=f"C{n}")["id"] for n in range(4)]
    ringostat_server.plan(None, failure)

    # When the schedule runs
    result = run_sync()

    # Then the failed batch was sent again and every contact arrived in this run
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == ids
    assert len(ringostat_server.requests) == 3
    assert ringostat_server.requests[1].body == ringostat_server.requests[2].body
    assert result["accounts"][0]["error"] is None
    # ... and the function's log says which account's batch is retried, after which attempt, when and why
    [retried] = [r for r in caplog.records if r.getMessage() == "Ringostat batch will be retried"]
    assert (retried.levelname, retried.account_id, retried.http_attempt) == ("INFO", tenant.account_id, 1)
    assert retried.delay >= 0 and retried.error
    assert status_of(tenant).contacts_watermark is not None


def test_a_request_ends_before_the_send_lease_it_was_made_under(
    tenant, configure, ringostat_server, fake_clock, monkeypatch
):
    # Given a contact, Ringostat's timeout of 10 s (so a send lease of 15 s, 5 s more than a request), and
    # the reads under the lease taking 6 s; every request's timeouts watched
    monkeypatch.setenv("RINGOSTAT_TIMEOUT_SECONDS", "10")
    settings.reload()
    configure(tenant, 134, "key-134")
    new_ringotel_contact(tenant)
    fake_clock.advance(60)  # past the safety lag
    leases: list[tuple[int, int]] = []  # (the lease's end as stored, the clock's now in ms)
    timeouts: list[tuple[float, float]] = []
    current_items, request = ringostat_dal.current_items, requests.Session.request

    def slow_read(*args, **kwargs):
        _, status = ringostat_dal.get_config_and_status(tenant.account_id)
        assert status is not None
        leases.append((int(status["send_lease_until"]), int(fake_clock.now().timestamp() * 1000)))
        fake_clock.advance(6)
        return current_items(*args, **kwargs)

    def watched(self, method, url, **kwargs):
        timeouts.append(kwargs["timeout"])
        return request(self, method, url, **kwargs)

    monkeypatch.setattr(ringostat_dal, "current_items", slow_read)
    monkeypatch.setattr(requests.Session, "request", watched)

    # When the schedule runs
    ringostat_sync.sync_all(Budget(100))

    # Then the lease was taken for 15 s, and the request waited at most what the lease had left, less a second
    # for two senders' clocks: 15 - 6 - 1 = 8 s (Ringostat's own 10 s would outlast it)
    assert [until - now for until, now in leases] == [15_000]
    assert timeouts == [(3.05, 8.0)]
    assert len(ringostat_server.accepted("contacts")) == 1


def test_a_sender_waiting_for_the_send_lease_stops_waiting_when_a_request_no_longer_fits(
    tenant, configure, ringostat_server, fake_clock
):
    # Given a contact, and the account's send lease held by the push for an hour
    configure(tenant, 136, "key-136")
    new_ringotel_contact(tenant)
    fake_clock.advance(60)  # past the safety lag
    now_ms = int(fake_clock.now().timestamp() * 1000)
    assert ringostat_dal.take_send_lease(tenant.account_id, "push", now_ms, now_ms + 3_600_000)

    # When a run with 0.65 s left syncs it (a request needs 0.5 s, a look at the lease 0.1 s more)
    result = ringostat_sync.sync_all(Budget(0.65))

    # Then it looked once more after 0.1 s, and stopped there: out of time, nothing sent
    assert fake_clock.slept == [0.1]
    assert result.stopped_early and ringostat_server.requests == []


def test_a_rejected_account_does_not_stop_the_others(tenant, other_tenant, configure, ringostat_server, caplog):
    # Given one account whose auth key Ringostat refuses (403), configured before a healthy one
    configure(tenant, 110, "stale-key", known_key="current-key")
    configure(other_tenant, 111, "key-111")
    refused = new_ringotel_contact(tenant, first_name="Refused")
    healthy = new_ringotel_contact(other_tenant, first_name="Healthy", phones=[{"number": "(212) 555-0100"}])

    # When the schedule runs
    result = run_sync()

    # Then the healthy account synced, and the refused one was tried once, not retried, and says why
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [healthy["id"]]
    assert ringostat_server.accepted("contacts")[0]["contactDirections"][0]["value"] == "12125550100"
    refused_requests = [r for r in ringostat_server.requests if r.headers["x-project-id"] == "110"]
    assert len(refused_requests) == 1
    by_account = {account["account_id"]: account for account in result["accounts"]}
    assert "HTTP 403" in by_account[tenant.account_id]["error"]
    assert by_account[other_tenant.account_id]["error"] is None
    status = status_of(tenant)
    assert "HTTP 403" in status.last_error
    assert status.last_error_at is not None
    assert status.contacts_watermark is None  # nothing was accepted, nothing will be skipped
    assert refused["id"] not in {c["externalId"] for c in ringostat_server.accepted("contacts")}
    # ... and the function's log says which account failed and why, in one warning an operator can search for
    [warning] = [r for r in caplog.records if r.getMessage() == "Ringostat sync of an account failed"]
    assert (warning.levelname, warning.account_id, warning.error) == ("WARNING", tenant.account_id, status.last_error)


def test_a_request_that_cannot_be_sent_is_refused_naming_what_is_wrong(
    tenant, configure, ringostat_server, monkeypatch
):
    # Given a RINGOSTAT_BASE_URL without its scheme (no request can even be sent)
    configure(tenant, 121, "key-121")
    new_ringotel_contact(tenant)
    monkeypatch.setenv("RINGOSTAT_BASE_URL", "api.ringostat.net")
    settings.reload()

    # When the schedule runs
    result = run_sync()

    # Then the account's error and status name the kind of failure and what is wrong
    error = result["accounts"][0]["error"]
    assert error.startswith("MissingSchema calling Ringostat /minicrm/contacts/sync: Invalid URL "), error
    assert "No scheme supplied" in error
    assert status_of(tenant).last_error == error
    assert status_of(tenant).contacts_watermark is None
    assert ringostat_server.requests == []


def test_the_auth_key_never_reaches_the_logs(tenant, configure, ringostat_server, caplog, debug_log):
    # Given the function's log lines captured at DEBUG (Powertools' own too; other libraries at INFO,
    # as in Lambda), and a run with a retry and a refusal
    configure(tenant, 112, "s3cr3t-auth-key-112", known_key="another-key")
    new_ringotel_contact(tenant)
    caplog.set_level("INFO")
    caplog.set_level("DEBUG", logger="aws_lambda_powertools")
    ringostat_server.plan(Fail(500))
    result = run_sync()

    # Then the logs tell what happened, and never the key
    logged = debug_log.getvalue() + caplog.text
    assert "HTTP 500" in logged and "HTTP 403" in logged
    assert "s3cr3t-auth-key-112" not in logged
    assert "s3cr3t-auth-key-112" not in json.dumps(result)
    assert "s3cr3t-auth-key-112" not in status_of(tenant).model_dump_json()


def test_changes_younger_than_the_safety_lag_wait_for_a_later_run(tenant, configure, ringostat_server, monkeypatch):
    # Given a contact changed just now, and a safety lag of an hour
    configure(tenant, 113, "key-113")
    contact = new_ringotel_contact(tenant)
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "3600")
    settings.reload()

    # When the schedule runs, it sends nothing and keeps the watermark where it was
    run_sync()
    assert ringostat_server.requests == []
    assert status_of(tenant).contacts_watermark is None

    # When the lag has passed (here: no lag), the change goes out
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "0")
    settings.reload()
    run_sync()
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [contact["id"]]


def test_a_new_project_id_sends_everything_again(tenant, configure, ringostat_server):
    # Given an account synced to one project
    configure(tenant, 114, "key-114")
    contact = new_ringotel_contact(tenant, company_name="Acme")
    run_sync()

    # When the admin points it at another project
    configure(tenant, 115, "key-115")
    run_sync()

    # Then the new project gets every organization and contact
    assert [c["externalId"] for c in ringostat_server.accepted("contacts", project_id=115)] == [contact["id"]]
    assert [o["externalId"] for o in ringostat_server.accepted("organizations", project_id=115)] == [
        contact["organization_id"]
    ]


def test_a_run_out_of_time_stops_without_moving_the_watermark(tenant, configure, ringostat_server):
    # Given a changed contact
    configure(tenant, 116, "key-116")
    new_ringotel_contact(tenant)

    # When a run starts with no time left
    result = ringostat_sync.sync_all(Budget(0.0))

    # Then it stops before sending, and the next run still has everything to send
    assert result.stopped_early
    assert ringostat_server.requests == []
    assert status_of(tenant).contacts_watermark is None


def test_accounts_without_ringostat_are_not_synced(ringostat_server):
    # Given an account with contacts but no Ringostat configuration
    stranger = make_tenant("UA", "No Ringostat")
    new_ringotel_contact(stranger)

    # When the schedule runs
    result = run_sync()

    # Then nothing is sent for it
    assert stranger.account_id not in {account["account_id"] for account in result["accounts"]}
    assert ringostat_server.requests == []


def test_deleted_contacts_are_passed_over(tenant, configure, ringostat_server):
    # Given a synced contact that is then deleted (leaving a tombstone in the changes), and a new one
    configure(tenant, 117, "key-117")
    deleted = new_ringotel_contact(tenant, first_name="Gone")
    run_sync()
    ringostat_server.clear()
    assert call("DELETE", f"/ringio/contacts/{deleted['id']}", tenant.rw_token).status in (200, 204)
    created = new_ringotel_contact(tenant, first_name="New")

    # When the schedule runs
    result = run_sync()

    # Then only the new contact is sent, and the run is a success
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [created["id"]]
    assert result["accounts"][0]["error"] is None
    assert ringostat_server.problems == []


def test_a_batch_of_deletions_only_is_sent_to_nobody_at_the_cost_of_moving_the_watermark(
    tenant, configure, ringostat_server, no_scan
):
    # Given a synced contact that is then deleted: the next run's only change is its tombstone
    configure(tenant, 123, "key-123")
    gone = new_ringotel_contact(tenant)
    run_sync()
    assert call("DELETE", f"/ringio/contacts/{gone['id']}", tenant.rw_token).status in (200, 204)
    ringostat_server.clear()
    sent_before = status_of(tenant).contacts_sent

    # When the schedule runs, and runs again with nothing left to do (DynamoDB's operations counted)
    result, with_the_tombstone = run_sync_counted(no_scan)
    _, nothing_to_do = run_sync_counted(no_scan)

    # Then nothing was sent or counted as sent, and the tombstone cost one write more than nothing at all (the
    # watermark moved past it): no send lease was taken, no contact read
    assert ringostat_server.requests == []
    assert result["accounts"][0]["contacts_sent"] == 0 and status_of(tenant).contacts_sent == sent_before
    assert with_the_tombstone - nothing_to_do == Counter({"UpdateItem": 1})
    assert nothing_to_do - with_the_tombstone == Counter()


def test_a_contact_deleted_after_its_change_was_read_is_neither_sent_nor_counted(tenant, configure, ringostat_server):
    # Given a new contact, deleted right after the run read its change
    configure(tenant, 135, "key-135")
    gone = new_ringotel_contact(tenant)
    changes_after = ringostat_dal.changes_after

    def then_deleted(*args, **kwargs):
        for page in changes_after(*args, **kwargs):
            assert call("DELETE", f"/ringio/contacts/{gone['id']}", tenant.rw_token).status in (200, 204)
            yield page

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ringostat_dal, "changes_after", then_deleted)

        # When the schedule runs
        result = run_sync()

    # Then nothing was sent, and nothing is counted as sent
    assert ringostat_server.requests == []
    assert result["accounts"][0]["contacts_sent"] == 0 and status_of(tenant).contacts_sent == 0


def test_an_auth_key_missing_from_ssm_fails_the_account_naming_the_parameter(tenant, configure, ringostat_server):
    # Given an account whose auth key was deleted from SSM by hand
    configure(tenant, 137, "key-137")
    new_ringotel_contact(tenant)
    parameter = f"/ringbridge/ringostat/{tenant.account_id}/auth-key"
    aws.ssm().delete_parameter(Name=parameter)

    # When the schedule runs
    result = run_sync()

    # Then nothing was sent, and the account's run and status say which parameter could not be read
    assert ringostat_server.requests == []
    error = f"cannot read the auth key from SSM parameter {parameter}"
    assert result["accounts"][0]["error"] == status_of(tenant).last_error == error


def test_a_batch_of_contacts_reads_the_accounts_users_once_per_run(tenant, configure, ringostat_server, no_scan):
    # Given an account's two owned contacts, synced in one batch of two (DynamoDB's operations counted)
    configure(tenant, 138, "key-138")
    for n in range(2):
        new_ringotel_contact(tenant, first_name=f"Petro {n}", owner_id=tenant.user_id)
    _, one_batch = run_sync_counted(no_scan)

    # When four more are synced, in two batches
    for n in range(4):
        new_ringotel_contact(tenant, first_name=f"Ivan {n}", owner_id=tenant.user_id)
    _, two_batches = run_sync_counted(no_scan)

    # Then the second batch cost its send lease (taken and given back), its contacts' read and its watermark's
    # write: the users (each contact's responsible) were read once per run, not per batch
    assert two_batches - one_batch == Counter({"UpdateItem": 3, "BatchGetItem": 1})
    assert one_batch - two_batches == Counter()
    responsible = {contact["responsible"] for contact in ringostat_server.accepted("contacts")}
    assert responsible == {"olena@example.com"}


def test_a_retry_after_beyond_the_run_is_recorded_and_the_run_goes_on(tenant, configure, ringostat_server):
    # Given Ringostat asking to come back in an hour
    configure(tenant, 118, "key-118")
    new_ringotel_contact(tenant)
    ringostat_server.plan(Fail(429, retry_after="3600"))

    # When the schedule runs
    result = run_sync()

    # Then the run does not wait: the account's error says why, and nothing was skipped
    assert "retry after 3600 s" in result["accounts"][0]["error"]
    assert not result["stopped_early"]
    assert len(ringostat_server.requests) == 1
    assert status_of(tenant).contacts_watermark is None


def test_configuration_keeps_the_auth_key_in_ssm_only(tenant, configure):
    # When an account is configured
    configure(tenant, 119, "key-119")

    # Then the key is a SecureString in SSM, and neither the table nor the status shows it
    parameter = aws.ssm().get_parameter(Name=f"/ringbridge/ringostat/{tenant.account_id}/auth-key", WithDecryption=True)
    assert parameter["Parameter"]["Type"] == "SecureString"
    assert parameter["Parameter"]["Value"] == "key-119"
    config, _ = ringostat_dal.get_config_and_status(tenant.account_id)
    assert "key-119" not in json.dumps(config)
    [shown] = ringostat_config.status(tenant.account_id)
    assert shown.config.project_id == 119
    assert "key-119" not in shown.model_dump_json()
    assert tenant.account_id in {each.account_id for each in ringostat_config.status()}


def test_removing_ringostat_leaves_none_of_its_items_and_a_second_removal_names_the_account(
    tenant, configure, ringostat_server
):
    # Given an account that has synced (its status)
    configure(tenant, 121, "key-121")
    new_ringotel_contact(tenant)
    run_sync()
    assert {item["SK"]["S"] for item in account_items(tenant.account_id, "RINGOSTAT#")} == {
        "RINGOSTAT#CONFIG",
        "RINGOSTAT#STATUS",
    }

    ringostat_config.remove(tenant.account_id)

    # Then neither its items, its key nor its registry entry is left
    assert account_items(tenant.account_id, "RINGOSTAT#") == []
    assert tenant.account_id not in ringostat_dal.configured_accounts()
    with pytest.raises(aws.ssm().exceptions.ParameterNotFound):
        aws.ssm().get_parameter(Name=f"/ringbridge/ringostat/{tenant.account_id}/auth-key")
    # ... and removing it again is a 404 naming the account
    with pytest.raises(NotFound) as refused:
        ringostat_config.remove(tenant.account_id)
    assert (refused.value.message, refused.value.field) == (
        "Ringostat is not configured for this account",
        "account_id",
    )


def test_a_new_auth_key_for_the_same_project_sends_nothing_again(tenant, configure, ringostat_server):
    # Given an account synced to a project
    configure(tenant, 139, "key-139")
    new_ringotel_contact(tenant, company_name="Acme")
    run_sync()
    ringostat_server.clear()

    # When the admin gives it a new auth key for the same project, and the schedule runs
    configure(tenant, 139, "key-139-new")
    run_sync()

    # Then nothing was sent again: what Ringostat has is the project's still
    assert ringostat_server.requests == []


@pytest.mark.parametrize(("length", "taken"), [(512, True), (513, False)], ids=["the-limit", "one-more"])
def test_an_auth_key_is_at_most_512_characters(tenant, length, taken):
    arguments = {"project_id": 140, "auth_key": "k" * length, "origin": "ringbridge", "contact_link": LINK}
    if taken:
        ringostat_config.configure(tenant.account_id, **arguments)
        assert ringostat_config.status(tenant.account_id)[0].config is not None
        ringostat_config.remove(tenant.account_id)  # later tests' runs must not sync it
    else:
        with pytest.raises(InvalidInput) as refused:
            ringostat_config.configure(tenant.account_id, **arguments)
        assert (refused.value.message, refused.value.field) == ("must be the project's auth key", "auth_key")
        assert ringostat_config.status(tenant.account_id)[0].config is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_link": "https://crm.example.com/contacts"}, "contact_link"),
        ({"project_id": 0}, "project_id"),
        ({"origin": " "}, "origin"),
        ({"auth_key": ""}, "auth_key"),
        ({"auth_key": "key-\n120"}, "auth_key"),  # never sendable; requests' refusal would quote it, escaped
        ({"auth_key": "key-\r120"}, "auth_key"),
    ],
)
def test_bad_configuration_names_the_field_and_writes_nothing(tenant, change, field):
    arguments = {"project_id": 120, "auth_key": "key-120", "origin": "ringbridge", "contact_link": LINK, **change}

    with pytest.raises(InvalidInput) as refused:
        ringostat_config.configure(tenant.account_id, **arguments)

    assert refused.value.field == field
    assert ringostat_config.status(tenant.account_id)[0].config is None


def test_configuring_an_unknown_account_is_not_found():
    with pytest.raises(NotFound):
        ringostat_config.configure("01NOSUCHACCOUNT", 1, "key", "ringbridge", LINK)


def test_changes_spanning_several_reads_arrive_once_each_in_order(
    tenant, configure, ringostat_server, monkeypatch, ordered_clock
):
    # Given 7 contacts read 3 at a time and sent 2 at a time
    monkeypatch.setattr(ringostat_sync, "READ_PAGE_ITEMS", 3)
    monkeypatch.setenv("RINGOSTAT_BATCH_SIZE", "2")
    settings.reload()
    configure(tenant, 121, "key-121")
    ids = [new_ringotel_contact(tenant, first_name=f"C{n}")["id"] for n in range(7)]

    # When the schedule runs
    run_sync()

    # Then each contact arrived exactly once, oldest first, in batches that never span two reads
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == ids
    assert [len(request.body["contacts"]) for request in ringostat_server.requests] == [2, 1, 2, 1, 1]
    assert status_of(tenant).contacts_sent == 7


def test_each_run_publishes_how_far_behind_ringostat_may_be(tenant, configure, ringostat_server, monkeypatch, capsys):
    # Given a synced account (the runs' metrics printed as EMF), a safety lag of 30 s
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "30")
    monkeypatch.setenv("RINGOSTAT_MAX_ATTEMPTS", "1")
    settings.reload()
    configure(tenant, 112, "key-112")
    new_ringotel_contact(tenant, first_name="Synced")
    with clock.manual(step=timedelta(milliseconds=1)) as now:
        now.advance(60)  # the contact is older than the safety lag
        run_sync()
        synced_lag = [value for _, value in published(capsys)["SyncLagSeconds"]]
        watermark = clock.parse_iso(status_of(tenant).contacts_watermark.split("#")[0])  # <changed at>#<id>

        # When Ringostat fails the next run, an hour later
        new_ringotel_contact(tenant, first_name="Waiting")
        now.advance(3600)
        ringostat_server.plan(Fail(500))
        run_sync()
        failed_lag = [value for _, value in published(capsys)["SyncLagSeconds"]]

    # Then a successful run says the safety lag; a failed one, the age of the watermark it could not move
    # (one value per account: accounts other tests configured are synced by the same runs)
    behind = (clock.parse_iso(status_of(tenant).last_error_at) - watermark).total_seconds()
    assert 30 in synced_lag and behind > 3600
    assert behind in [pytest.approx(value, abs=1) for value in failed_lag], failed_lag


def each_account_takes(seconds: float, fake_clock, monkeypatch) -> None:
    """Each account's sync "takes" ``seconds`` of the tests' clock."""
    sync_account = ringostat_sync._sync_account

    def slow_sync(*args, **kwargs):
        sync_account(*args, **kwargs)
        fake_clock.advance(seconds)

    monkeypatch.setattr(ringostat_sync, "_sync_account", slow_sync)


def test_each_run_publishes_the_documented_metrics(
    tenant, other_tenant, configure, ringostat_server, fake_clock, monkeypatch, capsys
):
    # Given an account whose key Ringostat refuses, and one with an organization and two contacts; each
    # account's sync "takes" 1.5 s (the runs' metrics printed as EMF)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    settings.reload()
    configure(tenant, 132, "stale-key", known_key="current-key")
    configure(other_tenant, 133, "key-133")
    new_ringotel_contact(tenant)
    new_ringotel_contact(other_tenant, company_name="Acme", phones=[{"number": "(212) 555-0100"}])
    new_ringotel_contact(other_tenant, first_name="Petro", phones=[{"number": "(212) 555-0101"}])
    fake_clock.advance(60)  # past the safety lag
    each_account_takes(1.5, fake_clock, monkeypatch)
    capsys.readouterr()

    # When the schedule runs
    run_sync()

    # Then the run published what the docs name (docs/ringostat.md), once each
    metrics = published(capsys)
    assert metrics["OrganizationsSent"] == [("Count", 1)]
    assert metrics["ContactsSent"] == [("Count", 2)]
    assert metrics["BatchesFailed"] == [("Count", 1)]  # accounts whose run failed
    assert metrics["RunDuration"] == [("Milliseconds", 3000)]


def test_accounts_sync_least_recently_run_first_so_none_is_starved(
    tenant, other_tenant, configure, ringostat_server, fake_clock, monkeypatch, caplog
):
    # Given two configured accounts with a change each, and an account's sync that "takes" a minute
    configure(tenant, 130, "key-130")
    configure(other_tenant, 131, "key-131")
    new_ringotel_contact(tenant)
    new_ringotel_contact(other_tenant, phones=[{"number": "(212) 555-0100"}])
    fake_clock.advance(60)  # past the safety lag
    each_account_takes(60, fake_clock, monkeypatch)
    first, second = sorted([tenant.account_id, other_tenant.account_id])

    # When two runs each have time for one account
    one = ringostat_sync.sync_all(Budget(30))
    fake_clock.advance(300)
    two = ringostat_sync.sync_all(Budget(30))

    # Then the second run started with the account the first never reached, and both changes arrived
    assert [a.account_id for a in one.accounts] == [first] and one.stopped_early
    stopped = [r for r in caplog.records if r.getMessage() == "Ringostat sync stopped: the run's time budget ran out"]
    assert [(r.levelname, r.account_id) for r in stopped] == [("WARNING", second), ("WARNING", first)]
    assert [a.account_id for a in two.accounts] == [second] and two.stopped_early
    assert len(ringostat_server.accepted("contacts")) == 2


def test_an_account_whose_run_fails_unexpectedly_does_not_stop_the_others(
    tenant, other_tenant, configure, ringostat_server, monkeypatch
):
    # Given two configured accounts, and DynamoDB failing the status read of the one that runs first
    broken, healthy = sorted([tenant, other_tenant], key=lambda each: each.account_id)
    configure(broken, 132, "key-132")
    configure(healthy, 133, "key-133")
    contact = new_ringotel_contact(healthy, phones=[{"number": "(212) 555-0100"}])
    read = ringostat_dal.get_config_and_status

    def failing_read(account_id):
        if account_id == broken.account_id:
            raise RuntimeError("the status could not be read")
        return read(account_id)

    monkeypatch.setattr(ringostat_dal, "get_config_and_status", failing_read)
    monkeypatch.setenv("RINGOSTAT_SAFETY_LAG_SECONDS", "0")
    settings.reload()

    # When the schedule runs
    result = ringostat_sync.sync_all(Budget(60))

    # Then the other account still synced
    assert [a.account_id for a in result.accounts] == [broken.account_id, healthy.account_id]
    assert not result.stopped_early
    assert [c["externalId"] for c in ringostat_server.accepted("contacts")] == [contact["id"]]
