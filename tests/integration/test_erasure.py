"""Erasing a person (issue 25, part 1): nothing of them is left in the table, the bucket or Ringostat.

The proof searches the whole table and every object of the bucket (tests.integration.stored).
"""

import json
import random
import uuid

import pytest

from ringbridge import clock, settings
from ringbridge.budget import OutOfTime
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import table
from ringbridge.logic import contacts
from ringbridge.logic.allowance import Allowance
from ringbridge.logic.erasure import erase_contact
from ringbridge.models.contact_input import ContactCreate
from ringbridge_tools import cli
from ringbridge_tools.fakes.ringostat import Fail
from tests.integration import stored as stored_data
from tests.support.api import call
from tests.support.tenants import Tenant

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


class Person:
    """A person with values found nowhere else in the table: what the search looks for."""

    def __init__(self) -> None:
        tag = uuid.uuid4().hex[:8]
        self.first_name, self.last_name = f"Taras{tag}", f"Shevchenko{tag}"
        self.email = f"taras.{tag}@example.com"
        digits = f"{random.randrange(10**6, 10**7)}"
        self.local_number, self.e164 = f"067{digits}", f"+38067{digits}"
        self.mobile = f"+38050{random.randrange(10**6, 10**7)}"

    def traces(self) -> list[str]:
        """How the person may appear anywhere: the name, the e-mail, each number as typed, as E.164, as digits."""
        numbers = [self.local_number, self.e164, self.e164.lstrip("+"), self.mobile, self.mobile.lstrip("+")]
        return [self.first_name, self.last_name, self.email, *numbers]


def traces_left(person: Person) -> list[str]:
    stored = stored_data.everything()
    return [trace for trace in person.traces() if trace in stored]


def call_from(tenant: Tenant, number: str, **fields) -> dict:
    body = {"call_id": f"call-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": number, **fields}
    answer = call("POST", "/ringotel/activities", tenant.rw_token, json_body=body)
    assert answer.status == 201, answer.body
    return answer.body


def record(tenant: Tenant, activity: dict, person: Person) -> None:
    # The recording's bytes name the person, as a spoken name would: the search must not find them after.
    body = AUDIO + f"{person.first_name} {person.mobile}".encode()
    path = f"/ringotel/activities/{activity['id']}/recording"
    answer = call("PUT", path, tenant.rw_token, body=body, headers={"content-type": "audio/wav"})
    assert answer.status == 200, answer.body


def note(tenant: Tenant, contact_id: str, text: str) -> str:
    body = {"note": {"contact_id": contact_id, "body": text}}
    answer = call("POST", "/ringio/notes", tenant.rw_token, json_body=body)
    assert answer.status == 201, answer.body
    return answer.body["note"]["id"]


def a_persons_data(tenant: Tenant, person: Person) -> dict:
    """The person's contact (made with an idempotency key), notes, calls and recordings; and a call before
    the contact existed, from one of their numbers (linked to no contact)."""
    earlier = call_from(tenant, person.mobile, subject=f"call from {person.last_name}")
    record(tenant, earlier, person)
    data = ContactCreate(
        first_name=person.first_name,
        last_name=person.last_name,
        emails=[person.email],
        phones=[{"number": person.local_number}, {"number": person.mobile, "type": "mobile"}],
        owner_id=tenant.user_id,
    )
    contact = contacts.create_contact(tenant.scope, data, idempotency_key=uuid.uuid4().hex)
    calls = [call_from(tenant, person.e164, comment=f"{person.first_name} wants a quote") for _ in range(3)]
    for activity in calls[:2]:
        record(tenant, activity, person)
    notes = [note(tenant, contact.id, f"{person.first_name} prefers e-mail: {person.email}") for _ in range(2)]
    assert all(activity["contact_id"] == contact.id for activity in calls)
    assert traces_left(person) == person.traces()  # the search finds what is there
    return {"contact_id": contact.id, "activities": [earlier, *calls], "notes": notes}


def someone_else(tenant: Tenant) -> tuple[Person, dict]:
    other = Person()
    return other, a_persons_data(tenant, other)


def test_erasure_through_the_api_leaves_nothing_of_the_person(tenant, configure, ringostat_server, monkeypatch):
    monkeypatch.setenv("FEED_SAFETY_LAG_SECONDS", "0")
    settings.reload()
    since = clock.now_iso()
    configure(tenant, 4101, "erase-key")
    person = Person()
    mine = a_persons_data(tenant, person)
    other, theirs = someone_else(tenant)

    answer = call("POST", f"/ringio/contacts/{mine['contact_id']}/erase", tenant.rw_token)

    assert answer.status == 200, answer.body
    assert answer.body == {
        "contact_id": mine["contact_id"],
        "complete": True,
        "activities_anonymised": 4,
        "notes_deleted": 2,
        "idempotency_records_deleted": 1,
        "recording_objects_deleted": 3,
        "ringostat": "blanked",
    }
    assert traces_left(person) == []
    # The calls stay, with no one on the other end
    for activity in mine["activities"]:
        kept = activities_dal.get_activity(tenant.account_id, activity["id"])
        assert kept["call_id"] == activity["call_id"] and kept["started_at"] == activity["started_at"]
        assert "contact_id" not in kept and "recording" not in kept and "caller_number" not in kept
    # The feeds report the contact and its notes deleted
    feed = call("GET", f"/ringio/feeds/accounts/{tenant.account_id}/contacts", tenant.ro_token, query={"since": since})
    assert mine["contact_id"] in feed.body["deleted"]
    notes_feed = call(
        "GET", f"/ringio/feeds/accounts/{tenant.account_id}/notes", tenant.ro_token, query={"since": since}
    )
    assert set(mine["notes"]) <= set(notes_feed.body["deleted"])
    # Ringostat's record of the person was overwritten with a blank one (it has no delete)
    last = [c for c in ringostat_server.accepted("contacts") if c["externalId"] == mine["contact_id"]][-1]
    assert (last["fullName"], last["contactDirections"], last["contactLink"]) == (mine["contact_id"], [], None)
    # Someone else of the same account is untouched
    assert traces_left(other) == other.traces()
    assert call("GET", f"/ringio/contacts/{theirs['contact_id']}", tenant.ro_token).status == 200


def test_an_interrupted_erasure_continues_where_it_stopped_until_nothing_is_left(tenant):
    person = Person()
    mine = a_persons_data(tenant, person)

    runs = []
    while not runs or not runs[-1].complete:
        runs.append(erase_contact(tenant.account_id, mine["contact_id"], Allowance(max_steps=2)))
        assert len(runs) < 20

    # 4 activities, 2 notes, 1 idempotency record, the blanking and the deletion: two items a run
    assert len(runs) == 5 and [run.complete for run in runs] == [False] * 4 + [True]
    assert sum(run.activities_anonymised for run in runs) == 4  # none done twice
    assert sum(run.notes_deleted for run in runs) == 2
    assert sum(run.recording_objects_deleted for run in runs) == 3
    assert traces_left(person) == []


def test_a_run_stopped_after_the_blanking_has_left_no_name_already(tenant):
    person = Person()
    mine = a_persons_data(tenant, person)

    stopped = erase_contact(tenant.account_id, mine["contact_id"], Allowance(max_steps=8))  # all but the deletion

    assert not stopped.complete
    assert traces_left(person) == []
    assert call("GET", f"/ringio/contacts/{mine['contact_id']}", tenant.ro_token).status == 200  # blank, still there
    assert erase_contact(tenant.account_id, mine["contact_id"]).complete
    assert call("GET", f"/ringio/contacts/{mine['contact_id']}", tenant.ro_token).status == 404


def test_another_accounts_contact_answers_404_exactly_like_a_missing_one(tenant, other_tenant):
    person = Person()
    mine = a_persons_data(tenant, person)

    theirs = call("POST", f"/ringio/contacts/{mine['contact_id']}/erase", other_tenant.rw_token)
    missing = call("POST", "/ringio/contacts/01JNOSUCHCONTACT0000000000/erase", other_tenant.rw_token)

    assert (theirs.status, theirs.body) == (missing.status, missing.body) == (404, missing.body)
    assert missing.body["error"]["field"] == "id"
    assert traces_left(person) == person.traces()


def test_a_read_only_token_may_not_erase(tenant):
    person = Person()
    mine = a_persons_data(tenant, person)

    answer = call("POST", f"/ringio/contacts/{mine['contact_id']}/erase", tenant.ro_token)

    assert answer.status == 403
    assert traces_left(person) == person.traces()


def test_when_ringostat_refuses_the_blank_the_erasure_stops_before_the_contact_goes_and_finishes_later(
    tenant, configure, ringostat_server
):
    configure(tenant, 4102, "erase-key-2")
    person = Person()
    mine = a_persons_data(tenant, person)
    ringostat_server.plan(*[Fail(503)] * 5)

    failed = call("POST", f"/ringio/contacts/{mine['contact_id']}/erase", tenant.rw_token)

    assert failed.status == 502 and "erase again" in failed.body["error"]["message"]
    assert traces_left(person) == []  # what is left of the contact is blank
    again = call("POST", f"/ringio/contacts/{mine['contact_id']}/erase", tenant.rw_token)
    assert again.status == 200 and again.body["ringostat"] == "blanked"
    assert call("GET", f"/ringio/contacts/{mine['contact_id']}", tenant.ro_token).status == 404


def test_the_admin_cli_erases_a_contact(tenant, capsys):
    person = Person()
    mine = a_persons_data(tenant, person)

    code = cli.main(["admin", "--table", table.name(), "erase-contact", tenant.account_id, mine["contact_id"]])

    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert (printed["complete"], printed["activities_anonymised"], printed["ringostat"]) == (True, 4, "not configured")
    assert traces_left(person) == []


@pytest.mark.parametrize("max_steps", ["0", "-1", "x"])
def test_the_cli_refuses_a_max_steps_that_is_not_a_positive_number(tenant, capsys, max_steps):
    with pytest.raises(SystemExit):
        cli.main(["admin", "--table", table.name(), "erase-contact", tenant.account_id, "C1", "--max-steps", max_steps])
    assert "--max-steps" in capsys.readouterr().err


class Checks(Allowance):
    """A run that may look at ``count`` activities (or other steps) before its time is up."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.left = count

    def check(self) -> None:
        if self.left <= 0:
            raise OutOfTime
        self.left -= 1


def test_an_erasure_whose_pass_over_the_calls_outlasts_one_run_still_moves_on(tenant):
    person = Person()
    mine = a_persons_data(tenant, person)
    for _ in range(30):  # other people's calls, after the person's: the pass reads them all
        call_from(tenant, "+380441234567")
    last_call = call_from(tenant, person.e164)

    runs = [erase_contact(tenant.account_id, mine["contact_id"], Checks(12))]
    while not runs[-1].complete:
        runs.append(erase_contact(tenant.account_id, mine["contact_id"], Checks(12)))
        assert len(runs) < 20, "each run starts the pass over again"

    assert sum(run.activities_anonymised for run in runs) == 5  # with the call that came last
    assert "contact_id" not in activities_dal.get_activity(tenant.account_id, last_call["id"])
    assert traces_left(person) == []


def test_a_call_of_the_person_that_comes_during_the_erasure_is_anonymised_too(tenant):
    person = Person()
    mine = a_persons_data(tenant, person)
    erase_contact(tenant.account_id, mine["contact_id"], Allowance(max_steps=8))  # stops before the deletion

    late = call_from(tenant, person.e164, contact_id=mine["contact_id"], comment=f"{person.last_name} again")
    assert erase_contact(tenant.account_id, mine["contact_id"]).complete

    assert "contact_id" not in activities_dal.get_activity(tenant.account_id, late["id"])
    assert traces_left(person) == []


def test_with_a_table_the_cli_needs_the_recordings_bucket(tenant, capsys, monkeypatch):
    monkeypatch.delenv("RECORDINGS_BUCKET")
    settings.reload()

    code = cli.main(["admin", "--table", table.name(), "erase-contact", tenant.account_id, "C1"])

    assert code == 1 and "--bucket" in capsys.readouterr().err
