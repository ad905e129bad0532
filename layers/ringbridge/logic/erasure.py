"""Erasing a person on request (GDPR art. 17): the contact and everything that names them.

Beyond a DELETE (which keeps notes, activities and recordings), erasure removes, in this order:

1. the recordings of the calls that refer to the contact, and their activities' name and numbers of the
   person (the activity stays: a call happened, not with whom): the contact's activities, and those
   linked to no contact whose external number is one of the contact's;
2. the contact's notes (each leaves a tombstone: the notes feeds report them deleted);
3. the idempotency records whose stored answer is the contact;
4. the contact itself is blanked (no name, numbers, e-mails, addresses; its number copies deleted) and,
   if the account syncs to Ringostat, sent there blank: Ringostat has no delete method, so its record
   of the contact is overwritten with one that has no name, e-mail or link;
5. the blank contact is deleted, leaving a tombstone: the contacts feeds report the erasure as a deletion.

Each step finds its work by what is still there (activities still referring to the contact, notes
still under it), so a run stopped by its allowance, or by a failure, is continued by running it
again; the contact goes last, so until then the erasure can always be found and finished.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from ringbridge import clock, phones, retry
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import erasure as dal
from ringbridge.dal import feeds as feeds_dal
from ringbridge.dal import notes as notes_dal
from ringbridge.dal import recording_objects
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import BadGateway, Conflict, InvalidInput, NotFound
from ringbridge.logic.allowance import Allowance
from ringbridge.logic.contacts import tombstone_expiry
from ringbridge.models.erasure import ErasureResult, RingostatOutcome

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, ContactItem, NoteItem

# What an anonymised activity loses besides the person's numbers: free text may name them.
ACTIVITY_FIELDS_ERASED = ("contact_id", "subject", "comment", "recording")
# What the blank contact keeps until it is deleted: nothing that says who the person was.
BLANK_CONTACT_FIELDS = ("id", "owner_id", "version", "created_at", "updated_at")


def erase_contact(account_id: str, contact_id: str, allowance: Allowance | None = None) -> ErasureResult:
    """Erase the contact and what names it; ``complete`` is False when the allowance ran out first."""
    region = accounts_dal.get_account(account_id)["region"]
    contact = contacts_dal.get_contact(account_id, contact_id)
    if contact is None:
        raise NotFound("no such contact", field="id")
    allowance = allowance or Allowance()
    result = ErasureResult(contact_id=contact_id, complete=False)
    try:
        if not contact.get("erased_at"):
            _anonymise_activities(account_id, contact, region, allowance, result)
            _delete_notes(account_id, contact_id, allowance, result)
            _delete_idempotency_records(account_id, contact_id, allowance, result)
            allowance.take()
            contact = _blank(account_id, contact)
        # The calls that came since the pass (new ids sort last), until the blanking stopped matching numbers
        _anonymise_activities(account_id, contact, region, allowance, result)
        allowance.take()
        result.ringostat = _send_blank_to_ringostat(account_id, contact_id, allowance.budget)
        _delete_contact(account_id, contact)
    except OutOfTime:
        return result
    result.complete = True
    return result


def _anonymise_activities(
    account_id: str, contact: ContactItem, region: str, allowance: Allowance, result: ErasureResult
) -> None:
    """One pass over the account's activities, from where the last pass stopped (stored, so that an erasure
    the function's time cannot finish in one go still moves on)."""
    numbers = {phone["e164"] for phone in contact["phones"]}
    started = last = dal.get_activities_cursor(account_id, contact["id"])
    try:
        for activity, cursor in contacts_dal.iter_all(account_id, activities_dal.ACTIVITY_PREFIX, started):
            allowance.check()
            if _refers_to(activity, contact["id"], numbers, region):
                allowance.take()
                # The recordings first: if this stops here, the activity still refers to the contact.
                result.recording_objects_deleted += recording_objects.delete_under(
                    recording_objects.activity_prefix(account_id, activity["id"])
                )
                _write_anonymised(account_id, activity, contact["id"], numbers, region)
                result.activities_anonymised += 1
            last = cursor
    finally:
        if last != started and last is not None:
            dal.put_activities_cursor(account_id, contact["id"], last)


def _refers_to(activity: ActivityItem, contact_id: str, numbers: set[str], region: str) -> bool:
    """The activity is the contact's, or is no one's and its external party had one of the contact's numbers."""
    if activity.get("contact_id"):
        return activity["contact_id"] == contact_id
    return bool(_numbers_of(activity, numbers, region))


def _numbers_of(activity: ActivityItem, numbers: set[str], region: str) -> set[str]:
    """Which of the activity's number fields hold one of ``numbers``."""
    values = {"caller_number": activity.get("caller_number"), "called_number": activity.get("called_number")}
    return {field for field, number in values.items() if number and _e164(number, region) in numbers}


def _e164(number: str, region: str) -> str | None:
    try:
        return phones.to_e164(number, region)
    except InvalidInput:
        return None  # an extension, "anonymous"...: nobody's number


def _person_fields(activity: ActivityItem, contact_id: str, numbers: set[str], region: str) -> set[str]:
    """The number fields that are the person's: theirs by value, and the external party of their own call."""
    fields = _numbers_of(activity, numbers, region)
    if activity.get("contact_id") == contact_id:
        external = {"inbound": {"caller_number"}, "outbound": {"called_number"}}
        fields |= external.get(activity.get("direction") or "", {"caller_number", "called_number"})
    return fields


def _write_anonymised(account_id: str, activity: ActivityItem, contact_id: str, numbers: set[str], region: str) -> None:
    def write(activity: ActivityItem) -> None:
        erased = set(ACTIVITY_FIELDS_ERASED) | _person_fields(activity, contact_id, numbers, region)
        now = clock.now_iso()
        kept = {name: value for name, value in activity.items() if name not in erased}
        version = activity["version"] + 1
        anonymised = cast("ActivityItem", {**kept, "version": version, "updated_at": now, "anonymised_at": now})
        transact(activities_dal.activity_puts(account_id, anonymised, activity["version"]))

    def read_again(activity: ActivityItem) -> ActivityItem | None:
        current = activities_dal.get_activity(account_id, activity["id"])
        # None: deleted, or changed meanwhile so that it no longer names the person
        return current if current is not None and _refers_to(current, contact_id, numbers, region) else None

    conflict = Conflict("an activity of the contact kept changing; erase again", field="id")
    retry.rewrite(activity, write, read_again, lost_race=TransactionCancelled, conflict=conflict)


def _delete_notes(account_id: str, contact_id: str, allowance: Allowance, result: ErasureResult) -> None:
    for note, _ in contacts_dal.iter_all(account_id, notes_dal.contact_notes_prefix(contact_id), None):
        allowance.take()
        _delete_note(account_id, cast("NoteItem", note))  # NOTEOF#<contact>#: the contact's notes
        result.notes_deleted += 1


def _delete_note(account_id: str, note: NoteItem) -> None:
    """The note and its copy go, whatever version it is at by now, leaving a tombstone for the notes feeds."""

    def delete(note: NoteItem) -> None:
        tombstone = feeds_dal.tombstone_put(account_id, "NOTE", note["id"], clock.now_iso(), tombstone_expiry())
        transact([*notes_dal.note_deletes(account_id, note), tombstone])

    def read_again(note: NoteItem) -> NoteItem | None:
        return notes_dal.get_note(account_id, note["id"])  # None: deleted meanwhile

    conflict = Conflict("a note of the contact kept changing; erase again", field="id")
    retry.rewrite(note, delete, read_again, lost_race=TransactionCancelled, conflict=conflict)


def _delete_idempotency_records(account_id: str, contact_id: str, allowance: Allowance, result: ErasureResult) -> None:
    for sort_key in list(dal.idempotency_records_of(account_id, contact_id)):
        allowance.take()
        dal.delete_item(account_id, sort_key)
        result.idempotency_records_deleted += 1


def _blank(account_id: str, contact: ContactItem) -> ContactItem:
    """Overwrite the contact with a blank one and delete its number copies; answers the blank contact."""
    now = clock.now_iso()
    kept = {name: value for name, value in contact.items() if name in BLANK_CONTACT_FIELDS and value is not None}
    version = contact["version"] + 1
    blank = cast(
        "ContactItem", {**kept, "phones": [], "emails": [], "version": version, "updated_at": now, "erased_at": now}
    )
    numbers = {phone["e164"] for phone in contact["phones"]}
    writes = contacts_dal.contact_puts(account_id, blank, expected_version=contact["version"])
    try:
        transact([*writes, *contacts_dal.phone_copy_deletes(account_id, contact["id"], numbers)])
    except TransactionCancelled:
        raise Conflict("the contact changed during its erasure; erase again", field="id") from None
    return blank


def _send_blank_to_ringostat(account_id: str, contact_id: str, budget: Budget | None) -> RingostatOutcome:
    """Overwrite Ringostat's record of the contact with the blank contact, if the account syncs there.

    Through the sync's own sender: under the account's send lease, with the item read again, so no
    earlier version of the contact can arrive after the blank one. A failure raises (502): the
    erasure stops before the contact is deleted, and running it again sends the blank again.
    """
    import requests

    from ringbridge import settings
    from ringbridge.dal import ringostat as ringostat_dal
    from ringbridge.logic.ringostat_sender import AccountSender
    from ringbridge.models.ringostat import RingostatConfig
    from ringbridge.ringostat_client import RingostatError

    config, _ = ringostat_dal.get_config_and_status(account_id)
    if config is None:
        return "not configured"
    ringostat = settings.current().ringostat
    budget = budget or Budget(ringostat.timeout_seconds * ringostat.max_attempts)  # the CLI: as long as it takes
    with requests.Session() as session:
        sender = AccountSender(account_id, RingostatConfig(**config), session, ringostat, budget)
        try:
            sender.send("CONTACT", [contact_id])
        except RingostatError as error:
            raise BadGateway(f"Ringostat did not take the blank contact ({error}); erase again") from None
    return "blanked"


def _delete_contact(account_id: str, blank: ContactItem) -> None:
    tombstone = feeds_dal.tombstone_put(
        account_id, "CONTACT", blank["id"], clock.now_iso(), tombstone_expiry(), blank.get("owner_id")
    )
    try:
        writes = [
            *contacts_dal.contact_deletes(account_id, blank),
            tombstone,
            dal.progress_delete(account_id, blank["id"]),
        ]
        transact(writes)
    except TransactionCancelled:
        raise Conflict("the contact changed during its erasure; erase again", field="id") from None
