"""Retiring an account: every item, recording, secret and credential of it; resumable; never a Scan.

A deletion runs in phases, in this order, each finding its work by Querying what is left, so a run
stopped anywhere (its time, ``--max-steps``, a crash) is continued by running it again; a status item
(``DELETING#ACCOUNTS`` / ``<a>``) says which phase it reached and what it deleted so far:

1. access: the account item, its API tokens, its OAuth2 clients, grants and tokens, and its entries in the
   Ringostat and RingCloud registries. Every token verification reads the account item, so from here on
   no token of the account is accepted, but in a warm function that verified it less than
   ``AuthCacheSeconds`` ago (auth.py's cache);
2. secrets: its SSM parameters (the Ringostat auth key, the RingCloud passwords);
3. recordings: every version of every object under ``accounts/<a>/`` in the bucket;
4. contacts: each contact's copies per number (``ACCOUNT#<a>#PHONE#<e164>``, named by its phones), then the
   contact;
5. items: everything else in ``ACCOUNT#<a>``; the change indexes hold projections of these items only;
6. settle: a request that passed auth before step 1 may still write, for as long as the auth cache
   trusts its token plus the longest function timeout; after that, phases 3 to 5 run once more and
   the status item goes. A run before then stops with ``wait_until``.
"""

from collections.abc import Callable
from datetime import timedelta

from ringbridge import clock, settings
from ringbridge.budget import OutOfTime
from ringbridge.dal import account_deletion as dal
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import recording_objects
from ringbridge.dal.table import account_pk, key
from ringbridge.errors import InvalidInput
from ringbridge.logic.allowance import Allowance
from ringbridge.models.account_deletion import AccountDeletion, Phase

# The longest Timeout in template.yaml (tests/unit/test_account_deletion.py keeps them equal).
LONGEST_FUNCTION_SECONDS = 300
ACCESS_PREFIXES = ("TOKEN#", "OAUTH")


def delete_account(account_id: str, confirm: str, allowance: Allowance | None = None) -> AccountDeletion:
    """Start or continue deleting the account; ``complete`` once nothing of it is left."""
    if confirm != account_id:
        raise InvalidInput("must repeat the account id: the deletion cannot be undone", field="confirm")
    found = dal.get_status(account_id)
    if found is None:
        accounts_dal.get_account(account_id)  # 404 for an unknown account (or one deleted already)
        deletion = AccountDeletion(account_id=account_id, started_at=clock.now_iso())
        dal.put_status(account_id, deletion.model_dump())
    else:
        deletion = AccountDeletion(**found)
    return run(deletion, allowance or Allowance())


def continue_pending(allowance: Allowance) -> list[AccountDeletion]:
    """Continue every deletion that started and has not finished (the scheduled function)."""
    runs = []
    for account_id in list(dal.pending()):
        found = dal.get_status(account_id)
        if found is None:
            continue  # finished meanwhile
        runs.append(run(AccountDeletion(**found), allowance))
        if not runs[-1].complete and runs[-1].wait_until is None:
            break  # out of time: the next run goes on from here
    return runs


def run(deletion: AccountDeletion, allowance: Allowance) -> AccountDeletion:
    account_id = deletion.account_id
    phases: list[Phase] = list(PHASES)
    try:
        for phase in phases[phases.index(deletion.phase) :]:
            deletion.phase = phase
            PHASES[phase](account_id, deletion, allowance)
    except OutOfTime:
        dal.put_status(account_id, deletion.model_dump())
        return deletion
    dal.delete_status(account_id)
    deletion.complete = True
    return deletion


def _remove_access(account_id: str, deletion: AccountDeletion, allowance: Allowance) -> None:
    allowance.take()
    dal.delete_keys([key(account_pk(account_id), accounts_dal.ACCOUNT_SK), *dal.registry_keys(account_id)])
    if deletion.access_removed_at is None:
        deletion.access_removed_at = clock.now_iso()
        dal.put_status(account_id, deletion.model_dump())
    for prefix in ACCESS_PREFIXES:
        _delete_items(account_id, deletion, allowance, prefix)


def _delete_secrets(account_id: str, deletion: AccountDeletion, allowance: Allowance) -> None:
    allowance.take()
    for prefix in (settings.current().ringostat.parameter_prefix, settings.current().ringcloud.parameter_prefix):
        names = dal.parameter_names(f"{prefix}/{account_id}")
        dal.delete_parameters(names)
        deletion.parameters_deleted += len(names)


def _delete_recordings(account_id: str, deletion: AccountDeletion, allowance: Allowance) -> None:
    for page in recording_objects.version_pages(recording_objects.account_prefix(account_id)):
        allowance.take()
        deletion.recording_objects_deleted += recording_objects.delete_versions(page)


def _delete_contacts(account_id: str, deletion: AccountDeletion, allowance: Allowance) -> None:
    for contacts in dal.contact_pages(account_id):
        allowance.take()
        # The copies first: while a contact is left, its copies can be found again through it.
        copies = [copy for contact in contacts for copy in dal.phone_copy_keys(account_id, contact)]
        for first in range(0, len(copies), dal.BATCH_WRITE_MAX_ITEMS):
            dal.delete_keys(copies[first : first + dal.BATCH_WRITE_MAX_ITEMS])
        dal.delete_keys([{"PK": contact["PK"], "SK": contact["SK"]} for contact in contacts])
        deletion.phone_copies_deleted += len(copies)
        deletion.items_deleted += len(contacts)


def _delete_items(account_id: str, deletion: AccountDeletion, allowance: Allowance, prefix: str = "") -> None:
    for keys in dal.key_pages(account_id, prefix):
        allowance.take()
        dal.delete_keys(keys)
        deletion.items_deleted += len(keys)


def _settle(account_id: str, deletion: AccountDeletion, allowance: Allowance) -> None:
    """The last sweep, once nothing that passed auth before the access went can still be writing."""
    removed = clock.parse_iso(deletion.access_removed_at or deletion.started_at)
    wait_until = removed + timedelta(seconds=settings.current().auth_cache_seconds + LONGEST_FUNCTION_SECONDS)
    if clock.now() < wait_until:
        deletion.wait_until = clock.iso(wait_until)
        raise OutOfTime
    deletion.wait_until = None
    for sweep in (_delete_recordings, _delete_contacts, _delete_items):
        sweep(account_id, deletion, allowance)


PHASES: dict[Phase, Callable[[str, AccountDeletion, Allowance], None]] = {
    "access": _remove_access,
    "secrets": _delete_secrets,
    "recordings": _delete_recordings,
    "contacts": _delete_contacts,
    "items": _delete_items,
    "settle": _settle,
}
