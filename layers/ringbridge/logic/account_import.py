"""Importing an account export (see logic.account_export) into a new, empty account: resumable, checked.

Every run first checks each file against the manifest (count and sha256) and each recording against
its activity's sha256 before uploading it: a damaged or incomplete export is refused, naming the file.
The records keep their ids, so what refers to what (a contact's owner and organization, a note's
contact, an activity's contact and user) still holds. The settings are not imported: their secrets
are not in the export, so a vendor is configured again with ``ringostat-config`` or ``ringcloud-config``.
"""

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ringbridge.budget import OutOfTime
from ringbridge.dal import account_transfer as dal
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import activities as activities_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import notes as notes_dal
from ringbridge.dal import recording_objects, table
from ringbridge.dal.table import TransactionCancelled, transact
from ringbridge.errors import Conflict, InvalidInput
from ringbridge.logic.account_export import CHECKPOINT_EVERY, KINDS, MANIFEST, read_lines, sha256, write_json
from ringbridge.logic.allowance import Allowance
from ringbridge.models.account_export import Manifest, TransferRun

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, ContactItem, NoteItem, OrganizationItem, UserItem


def import_account(account_id: str, source: Path, allowance: Allowance | None = None) -> TransferRun:
    allowance = allowance or Allowance()
    accounts_dal.get_account(account_id)  # 404 for an unknown account
    manifest = _checked_manifest(source)
    progress_path = source / f".import-{account_id}.json"
    if progress_path.exists():
        progress = json.loads(progress_path.read_text())
    else:
        if any(dal.has_any(account_id, prefix) for prefix in KINDS.values()):
            raise InvalidInput("is not empty: an export is imported into a new account only", field="account_id")
        progress = {"done": [], "records": {}}
    run = TransferRun(account_id=account_id)
    try:
        for kind in KINDS:
            if kind not in progress["done"]:
                run.kind = kind
                _import_kind(account_id, source, kind, progress, progress_path, allowance)
    except OutOfTime:
        write_json(progress_path, progress)
        run.records = progress["records"]
        return run
    progress_path.unlink(missing_ok=True)
    return TransferRun(
        account_id=account_id, complete=True, records=progress["records"], recordings=manifest.recordings
    )


def _checked_manifest(source: Path) -> Manifest:
    if not (source / MANIFEST).exists():
        raise InvalidInput(f"has no {MANIFEST}: not an export, or an unfinished one", field="source")
    manifest = Manifest(**json.loads((source / MANIFEST).read_text()))
    for name in (f"{kind}.jsonl" for kind in KINDS):
        expected = manifest.files[name]
        path = source / name
        if not path.exists() or path.stat().st_size != expected.bytes or sha256(path) != expected.sha256:
            raise InvalidInput(f"{name} is not what its manifest says (size or sha256)", field="source")
    return manifest


def _import_kind(
    account_id: str, source: Path, kind: str, progress: dict[str, Any], progress_path: Path, allowance: Allowance
) -> None:
    done = progress["records"].get(kind, 0)
    for record in read_lines(source / f"{kind}.jsonl", skip=done):
        allowance.take()
        _write(account_id, source, kind, record)
        done += 1
        progress["records"][kind] = done
        if done % CHECKPOINT_EVERY == 0:
            write_json(progress_path, progress)
    progress["records"][kind] = done
    progress["done"].append(kind)
    write_json(progress_path, progress)


def _write(account_id: str, source: Path, kind: str, record: dict[str, Any]) -> None:
    """Write one record as its kind's own writes do; one written by a run cut short before is left as it is.

    A record is its kind's item as the export read it (hence the casts below: JSON carries no types)."""
    try:
        if kind == "users":
            accounts_dal.put_user(account_id, cast("UserItem", record))
        else:
            transact(_writes(account_id, source, kind, record))
    except (TransactionCancelled, Conflict, accounts_dal.ExtensionTaken):
        sort_key = KINDS[kind] + record["id"]
        if sort_key not in table.get_items(account_id, [sort_key]):
            raise Conflict(f"{kind} {record['id']} could not be written", field="source") from None


def _writes(account_id: str, source: Path, kind: str, record: dict[str, Any]) -> list[dict[str, Any]]:
    if kind == "organizations":
        return contacts_dal.organization_puts(account_id, cast("OrganizationItem", record))
    if kind == "contacts":
        return contacts_dal.contact_puts(account_id, cast("ContactItem", record), expected_version=None)
    if kind == "notes":
        # Without the check that the contact exists: a note of a contact deleted since is restored as it was.
        return notes_dal.note_writes(account_id, cast("NoteItem", record), None)[1:]
    if record.get("recording"):
        record = {**record, "recording": _upload_recording(account_id, source, record)}
    return activities_dal.activity_puts(account_id, cast("ActivityItem", record), expected_version=None)


def _upload_recording(account_id: str, source: Path, activity: dict[str, Any]) -> dict[str, Any]:
    recording = dict(activity["recording"])
    path = source / recording.pop("file")
    if not path.exists() or sha256(path) != recording.pop("sha256"):
        raise InvalidInput(f"{path.name} is not the recording its activity names (sha256)", field="source")
    # One key per activity: a run cut short uploads it again over itself, leaving nothing behind.
    key = f"{recording_objects.activity_prefix(account_id, activity['id'])}recording-imported{path.suffix}"
    recording_objects.upload(str(path), key, recording["content_type"])
    return {**recording, "key": key}
