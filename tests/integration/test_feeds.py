"""Ringio change feeds, in-process against the emulator."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from ringbridge import aws, clock, settings
from ringbridge.dal import table
from ringbridge.logic import accounts, activities
from ringbridge.models.activities import ActivityCreate
from tests.support.api import call, new_ringio_contact

LONG_AGO = "2020-01-01T00:00:00Z"


@pytest.fixture(autouse=True)
def no_lag(monkeypatch):
    """No safety lag unless a test sets one: a feed's timestamp is then the moment it read."""
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", "0")
    settings.reload()


def minutes_ago(minutes: float) -> str:
    return clock.iso(clock.now() - timedelta(minutes=minutes))


def feed(tenant, kind, since, token=None, **query):
    path = f"/ringio/feeds/accounts/{tenant.account_id}/{kind}"
    answer = call("GET", path, token or tenant.ro_token, query={"since": since, **query})
    assert answer.status == 200, answer.body
    return answer.body


def user_feed(tenant, user_id, since, **query):
    answer = call("GET", f"/ringio/feeds/users/{user_id}/contacts", tenant.ro_token, query={"since": since, **query})
    assert answer.status == 200, answer.body
    return answer.body


def contact(tenant, name="Ivan Franko", **fields):
    return new_ringio_contact(tenant, name=name, **fields)["id"]


def put(tenant, contact_id, **fields):
    answer = call("PUT", f"/ringio/contacts/{contact_id}", tenant.rw_token, json_body={"contact": fields})
    assert answer.status == 200, answer.body


def delete(tenant, path):
    assert call("DELETE", path, tenant.rw_token).status == 200


def test_the_contacts_feed_reports_creates_updates_and_deletes_then_nothing_new(tenant):
    # Given three contacts, one of them updated and one deleted after a checkpoint
    start = clock.now_iso()
    kept, updated, deleted = contact(tenant), contact(tenant), contact(tenant)
    put(tenant, updated, title="Editor")
    delete(tenant, f"/ringio/contacts/{deleted}")
    # When the feed is read since the checkpoint
    answer = feed(tenant, "contacts", start)
    # Then it has Ringio's shape: the live ids as updated (oldest change first), the deleted one as deleted
    assert set(answer) == {"updated", "deleted", "timestamp", "next"} and answer["next"] is None
    assert answer["updated"] == [kept, updated] and answer["deleted"] == [deleted]
    assert start <= answer["timestamp"] <= clock.now_iso()
    # And polling from its timestamp reports nothing until something changes
    again = feed(tenant, "contacts", answer["timestamp"])
    assert (again["updated"], again["deleted"]) == ([], [])
    put(tenant, kept, title="Poet")
    assert feed(tenant, "contacts", again["timestamp"])["updated"] == [kept]


def test_ringotel_writes_are_in_the_same_feed(tenant):
    start = clock.now_iso()
    made = call("POST", "/ringotel/contacts", tenant.rw_token, json_body={"first_name": "Lesya"})
    assert feed(tenant, "contacts", start)["updated"] == [made.body["id"]]


def test_a_safety_lag_keeps_the_timestamp_behind_so_recent_changes_are_reported_again(tenant, monkeypatch):
    # Given a safety lag of 10 minutes
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", "600")
    settings.reload()
    before = clock.now()
    contact_id = contact(tenant)
    # When the feed is read
    answer = feed(tenant, "contacts", minutes_ago(30))
    # Then the timestamp is 10 minutes behind the read, and the change is reported again from it
    assert answer["updated"] == [contact_id]
    after = clock.now()
    lag = timedelta(seconds=600)
    assert before - lag <= clock.parse_iso(answer["timestamp"]) <= after - lag
    assert feed(tenant, "contacts", answer["timestamp"])["updated"] == [contact_id]


def test_the_notes_feed(tenant):
    contact_id = contact(tenant)
    start = clock.now_iso()
    notes = []
    for text in ("first", "second"):
        answer = call(
            "POST", "/ringio/notes", tenant.rw_token, json_body={"note": {"contact_id": contact_id, "body": text}}
        )
        notes.append(answer.body["note"]["id"])
    delete(tenant, f"/ringio/notes/{notes[0]}")
    answer = feed(tenant, "notes", start)
    assert (answer["updated"], answer["deleted"]) == ([notes[1]], [notes[0]])


def test_the_rings_feed_reports_calls_as_the_workflow_writes_them(tenant):
    start = clock.now_iso()
    activity, _ = activities.create_activity(tenant.scope, ActivityCreate(call_id="c-1", direction="inbound"))
    answer = feed(tenant, "rings", start)
    assert (answer["updated"], answer["deleted"]) == ([activity.id], [])
    # Rings are never deleted: an old since is fine here
    assert feed(tenant, "rings", LONG_AGO)["updated"] == [activity.id]


def test_the_users_feed(tenant):
    start = clock.now_iso()
    assert feed(tenant, "users", minutes_ago(5))["updated"] == [tenant.user_id]
    added = accounts.create_user(tenant.account_id, "Taras Shevchenko", "taras@example.com")
    assert feed(tenant, "users", start)["updated"] == [added.id]


def test_a_users_contacts_feed_has_only_their_contacts_and_a_contact_given_away_counts_as_deleted(tenant):
    # Given two users, each owning a contact, and an unowned contact
    other = accounts.create_user(tenant.account_id, "Taras Shevchenko").id
    start = clock.now_iso()
    mine, theirs = contact(tenant, owner_id=tenant.user_id), contact(tenant, owner_id=other)
    contact(tenant)
    first = user_feed(tenant, tenant.user_id, start)
    assert (first["updated"], first["deleted"]) == ([mine], [])
    # When my contact is given to the other user, and their contact is deleted
    put(tenant, mine, owner_id=other)
    delete(tenant, f"/ringio/contacts/{theirs}")
    # Then my feed reports mine as gone, and theirs reports it as theirs and their deleted one
    after = user_feed(tenant, tenant.user_id, first["timestamp"])
    assert (after["updated"], after["deleted"]) == ([], [mine])
    their_feed = user_feed(tenant, other, start)
    assert (their_feed["updated"], their_feed["deleted"]) == ([mine], [theirs])
    # And when it comes back to me after I got another, my feed reports it once, as the latest change
    # says (mine again), and in the order of the latest changes: the other one first
    another = contact(tenant, owner_id=tenant.user_id)
    put(tenant, mine, owner_id=tenant.user_id)
    back = user_feed(tenant, tenant.user_id, start)
    assert (back["updated"], back["deleted"]) == ([another, mine], [])


@pytest.mark.parametrize("whose", ["account", "user"])
def test_a_large_feed_is_paginated_one_query_per_page(tenant, no_scan, ordered_clock, whose):
    # Given 25 changes (of contacts the user owns)
    start = clock.now_iso()
    made = [contact(tenant, f"Person {index}", owner_id=tenant.user_id) for index in range(25)]
    # When the account's (or the user's) feed is read 10 at a time, following `next` with the same since
    seen, pages, cursor = [], [], None
    while len(pages) < 4:  # three expected: a cursor that does not move on must not loop for ever
        del no_scan[:]
        more = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        answer = (
            feed(tenant, "contacts", start, **more)
            if whose == "account"
            else user_feed(tenant, tenant.user_id, start, **more)
        )
        # one Query per page (BatchGetItem: the token's check, on its first use only; a user's feed
        # first reads the user, so that another account's user is a 404)
        expected = ["Query"] if whose == "account" else ["GetItem", "Query"]
        assert [operation for operation in no_scan if operation != "BatchGetItem"] == expected
        pages.append(answer)
        seen += answer["updated"]
        cursor = answer["next"]
        if not cursor:
            break
    # Then every change comes once, in order, over three pages
    assert seen == made and [len(page["updated"]) for page in pages] == [10, 10, 5]
    # And a page's timestamp never passes the last change it reported, so it is a safe since by itself
    assert feed(tenant, "contacts", pages[0]["timestamp"])["updated"][:2] == [made[9], *made[10:11]]
    assert pages[-1]["timestamp"] >= pages[0]["timestamp"]


def test_a_cursor_only_works_for_its_own_feed_and_since(tenant):
    start = clock.now_iso()
    for index in range(3):
        contact(tenant, f"Person {index}", owner_id=tenant.user_id)
    cursor = feed(tenant, "contacts", start, limit="1")["next"]
    path = f"/ringio/feeds/accounts/{tenant.account_id}"
    for where, since, bad in [
        (f"{path}/notes", start, cursor),
        (f"{path}/contacts", minutes_ago(1), cursor),
        (f"/ringio/feeds/users/{tenant.user_id}/contacts", start, cursor),  # the account's, not the user's
        (f"{path}/contacts", start, "not-a-cursor"),
        (f"{path}/contacts", start, base64.urlsafe_b64encode(json.dumps({"f": "CONTACT:"}).encode()).decode()),
    ]:
        answer = call("GET", where, tenant.ro_token, query={"since": since, "cursor": bad})
        assert answer.status == 422, (where, answer.body)
        assert answer.body["error"] == {
            "code": "invalid",
            "message": "is not a cursor this feed returned for this since",
            "field": "cursor",
        }, (where, answer.body)


def test_a_missing_since_is_422_naming_it(tenant):
    answer = call("GET", f"/ringio/feeds/accounts/{tenant.account_id}/contacts", tenant.ro_token)
    assert answer.status == 422 and answer.body["error"]["field"] == "since", answer.body


@pytest.mark.parametrize(
    "since", ["", "   ", "yesterday", "2026-13-45T00:00:00Z", "1732350000000", "9999-12-31T23:59:59-14:00"]
)
def test_an_unparseable_since_is_400_naming_the_format(tenant, since):
    answer = call(
        "GET", f"/ringio/feeds/accounts/{tenant.account_id}/contacts", tenant.ro_token, query={"since": since}
    )
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"] == "since" and "ISO 8601" in answer.body["error"]["message"]
    # a blank one is a missing one
    assert answer.body["error"]["message"].startswith("since is required") == (not since.strip())


@pytest.mark.parametrize("kind", ["contacts", "notes", "rings", "users"])
def test_a_since_in_the_future_is_400_so_no_client_stores_it(tenant, kind):
    path = f"/ringio/feeds/accounts/{tenant.account_id}/{kind}"
    # The request sees the very moment the test reads, a whole millisecond as a since is
    with clock.manual(start=clock.parse_iso(clock.now_iso())):
        ahead = clock.iso(clock.now() + timedelta(milliseconds=1))
        answer = call("GET", path, tenant.ro_token, query={"since": ahead})
        assert answer.status == 400, answer.body
        assert answer.body["error"] == {
            "code": "invalid_since",
            "message": "since is in the future: pass the timestamp of the previous answer",
            "field": "since",
        }
        # Now itself is fine
        assert call("GET", path, tenant.ro_token, query={"since": clock.now_iso()}).status == 200


CURSOR_KEY_LIMIT = 256  # bytes: a cursor's keys (README: longer than any key we write, within DynamoDB's 1,024)


@pytest.mark.parametrize(
    ("change_key_bytes", "since_offset_ms", "status"),
    [
        (CURSOR_KEY_LIMIT, 0, 200),  # the longest key, changed at since exactly: a cursor this feed could give
        (CURSOR_KEY_LIMIT + 1, 0, 422),  # a byte longer: 422 (and never a DynamoDB error)
        (64, -1, 422),  # a change before since: never in this feed
    ],
)
def test_a_cursors_keys_are_checked_at_their_limits(tenant, change_key_bytes, since_offset_ms, status):
    path = f"/ringio/feeds/accounts/{tenant.account_id}/contacts"
    since = minutes_ago(5)
    first = call("GET", path, tenant.ro_token, query={"since": since}).body
    since_key = clock.iso(clock.parse_iso(since))
    change_at = clock.iso(clock.parse_iso(since) + timedelta(milliseconds=since_offset_ms))
    state = {
        "f": "CONTACT:",
        "s": since_key,
        "h": first["timestamp"],
        "c": f"{change_at}#{'x' * (change_key_bytes - len(change_at) - 1)}",
        "k": "CONTACT#1",
    }
    assert len(state["c"].encode()) == change_key_bytes
    cursor = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
    assert len(cursor) <= 2048  # within the parameter's length
    answer = call("GET", path, tenant.ro_token, query={"since": since, "cursor": cursor})
    assert answer.status == status, answer.body
    assert status == 200 or answer.body["error"]["field"] == "cursor"


@pytest.mark.parametrize("kind", ["contacts", "notes"])
def test_a_since_older_than_the_tombstone_retention_is_410(tenant, kind):
    path = f"/ringio/feeds/accounts/{tenant.account_id}/{kind}"
    # The request sees the very moment the test reads, a whole millisecond as a since is
    with clock.manual(start=clock.parse_iso(clock.now_iso())):
        oldest = clock.now() - timedelta(days=30)
        answer = call("GET", path, tenant.ro_token, query={"since": clock.iso(oldest - timedelta(milliseconds=1))})
        assert answer.status == 410, answer.body
        assert answer.body["error"] == {
            "code": "gone",
            "message": "since is older than the 30 days deletions are kept: read everything again, then poll from"
            " the timestamp of that read",
            "field": "since",
        }
        user = call("GET", f"/ringio/feeds/users/{tenant.user_id}/contacts", tenant.ro_token, query={"since": LONG_AGO})
        assert user.status == 410
        # Exactly 30 days ago is still kept
        assert feed(tenant, kind, clock.iso(oldest))["updated"] is not None


@pytest.mark.parametrize("change", ["deleted", "given to another user"])
def test_a_tombstone_expires_after_the_retention(tenant, change):
    # The owner's feed keeps a tombstone whether the contact was deleted or given away; both expire by TTL.
    other = accounts.create_user(tenant.account_id, "Taras Shevchenko").id
    start = datetime.now(UTC).replace(microsecond=0)
    with clock.manual(start, step=timedelta(milliseconds=1)):
        contact_id = contact(tenant, owner_id=tenant.user_id)
        if change == "deleted":
            delete(tenant, f"/ringio/contacts/{contact_id}")
        else:
            put(tenant, contact_id, owner_id=other)

    tombstones = aws.dynamodb().query(
        TableName=table.name(),
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": table.account_pk(tenant.account_id)},
            ":prefix": {"S": f"TOMBSTONE#CONTACT#{contact_id}"},
        },
        ConsistentRead=True,
    )["Items"]
    assert [int(item["expires_at"]["N"]) for item in tombstones] == [int(start.timestamp()) + 30 * 86400]


def test_another_accounts_feed_and_user_are_404(tenant, other_tenant):
    for path in [
        f"/ringio/feeds/accounts/{other_tenant.account_id}/contacts",
        f"/ringio/feeds/accounts/{other_tenant.account_id}/rings",
        f"/ringio/feeds/users/{other_tenant.user_id}/contacts",
        "/ringio/feeds/users/01NOSUCHUSER/contacts",
    ]:
        answer = call("GET", path, tenant.ro_token, query={"since": minutes_ago(1)})
        assert answer.status == 404, path
        if "/accounts/" in path:
            assert answer.body["error"] == {"code": "not_found", "message": "no such account", "field": "account_id"}
        else:  # another account's user and no user at all: the same answer
            assert answer.body["error"] == {
                "code": "not_found", "message": "no such user", "field": "user_id"
            }, path  # fmt: skip
    other = contact(other_tenant)
    assert other not in feed(tenant, "contacts", minutes_ago(5))["updated"]
