"""Exporting an account to a directory, and importing such an export into an empty account.

An export is one JSON Lines file per kind (``users``, ``organizations``, ``contacts``, ``notes``,
``activities``: each item as the table holds it, without its keys), ``settings.jsonl`` (the Ringostat
and RingCloud settings, without their secrets), ``recordings/<activity id>.<ext>`` (each activity's
recording, whose ``recording.file`` and ``recording.sha256`` name and check it), and ``manifest.json``:
each file's count, size and sha256, written last, so an export without one is unfinished.

Both stream: items are read a Query page at a time and written a line at a time, recordings are
copied by managed transfers, checksums are computed by reading the files again in chunks, so memory
stays flat whatever the account's size. Both resume: a progress file in the directory records, every
``CHECKPOINT_EVERY`` records, where each kind stood (an export: the Query cursor and the file's length;
an import: the lines done); a stopped run is continued by running it again, which cuts anything written
after the last checkpoint and goes on from there.
"""

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from ringbridge import clock
from ringbridge.budget import OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import recording_objects
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import ringostat as ringostat_dal
from ringbridge.errors import InvalidInput
from ringbridge.logic import recording_retention
from ringbridge.logic.allowance import Allowance
from ringbridge.models.account_export import ExportedFile, Manifest, TransferRun

# File stem -> the sort key prefix of its items. In an order an import can follow: what is referred to first.
KINDS = {
    "organizations": "ORG#",
    "users": "USER#",
    "contacts": "CONTACT#",
    "notes": "NOTE#",
    "activities": "ACTIVITY#",
}
SETTINGS = "settings"
MANIFEST = "manifest.json"
PROGRESS = ".export-progress.json"
RECORDINGS = "recordings"
CHECKPOINT_EVERY = 100
CHUNK_BYTES = 1 << 20
RINGCLOUD_SECRETS = ("api_key", "rw_api_key")  # the keys that go with the passwords


def export_account(account_id: str, out: Path, allowance: Allowance | None = None) -> TransferRun:
    """Export the account into ``out`` (new or empty, or an export of it to continue); see the module."""
    allowance = allowance or Allowance()
    account = accounts_dal.get_account(account_id)  # 404 for an unknown account
    progress = _export_progress(account_id, out)
    run = TransferRun(account_id=account_id)
    try:
        for kind, prefix in KINDS.items():
            if kind not in progress["done"]:
                run.kind = kind
                days = recording_retention.effective_days(account)
                _export_kind(account_id, out, kind, prefix, progress, allowance, days)
    except OutOfTime:
        run.records, run.recordings = progress["records"], _recordings_in(out)
        return run
    _write_settings(account_id, out)
    manifest = Manifest(
        account={"id": account_id, **{k: account.get(k) for k in ("name", "region", "created_at")}},
        exported_at=clock.now_iso(),
        files={f"{stem}.jsonl": _describe(out / f"{stem}.jsonl") for stem in [*KINDS, SETTINGS]},
        recordings=_recordings_in(out),
    )
    write_json(out / MANIFEST, manifest.model_dump())
    (out / PROGRESS).unlink()
    return TransferRun(
        account_id=account_id, complete=True, records=progress["records"], recordings=manifest.recordings
    )


def _export_progress(account_id: str, out: Path) -> dict[str, Any]:
    """Where a previous run stopped, or a fresh start in an empty (or new) directory."""
    path = out / PROGRESS
    if path.exists():
        progress: dict[str, Any] = json.loads(path.read_text())
        if progress["account_id"] != account_id:
            raise InvalidInput(f"holds an unfinished export of account {progress['account_id']}", field="out")
        return progress
    if out.exists() and any(out.iterdir()):
        raise InvalidInput("is not empty (and holds no unfinished export): choose a new directory", field="out")
    (out / RECORDINGS).mkdir(parents=True)
    progress = {"account_id": account_id, "done": [], "at": {}, "records": {}}
    write_json(path, progress)
    return progress


def _export_kind(
    account_id: str,
    out: Path,
    kind: str,
    prefix: str,
    progress: dict[str, Any],
    allowance: Allowance,
    retention_days: int | None,
) -> None:
    at = progress["at"].get(kind, {"cursor": None, "length": 0, "records": 0})
    path = out / f"{kind}.jsonl"
    with path.open("r+b" if path.exists() else "w+b") as file:
        file.truncate(at["length"])  # lines written after the last checkpoint are written again
        file.seek(at["length"])
        written, last = at["records"], at["cursor"]
        try:
            for item, cursor in contacts_dal.iter_all(account_id, prefix, at["cursor"]):
                allowance.take()
                if kind == "activities" and item.get("recording"):
                    item = _export_recording(out, item, retention_days)
                file.write(_line(item))
                written, last = written + 1, cursor
                if written % CHECKPOINT_EVERY == 0:
                    _checkpoint(out, progress, kind, file, {"cursor": last, "records": written})
        except OutOfTime:
            _checkpoint(out, progress, kind, file, {"cursor": last, "records": written})  # a clean stop: exactly here
            raise
        _checkpoint(out, progress, kind, file, {"cursor": None, "records": written})
    progress["done"].append(kind)
    write_json(out / PROGRESS, progress)


def _checkpoint(out: Path, progress: dict[str, Any], kind: str, file: IO[bytes], at: dict[str, Any]) -> None:
    file.flush()
    os.fsync(file.fileno())
    progress["at"][kind] = {**at, "length": file.tell()}
    progress["records"][kind] = at["records"]
    write_json(out / PROGRESS, progress)


def _export_recording(out: Path, activity: Mapping[str, Any], retention_days: int | None) -> dict[str, Any]:
    """The recording copied to recordings/<activity id>.<ext>; the activity names the file instead of the key.

    A recording past the account's retention is left out: the bucket's rule may have removed it already.
    """
    if recording_retention.is_past(activity["recording"], retention_days):
        return {name: value for name, value in activity.items() if name != "recording"}
    recording = dict(activity["recording"])
    name = f"{RECORDINGS}/{activity['id']}{Path(recording.pop('key')).suffix}"
    partial = out / f"{name}.partial"
    recording_objects.download(activity["recording"]["key"], str(partial))
    partial.replace(out / name)
    return {**activity, "recording": {**recording, "file": name, "sha256": sha256(out / name)}}


def _recordings_in(out: Path) -> int:
    """Recording files copied (a run cut short copies its last ones again, under the same names)."""
    return sum(1 for path in (out / RECORDINGS).iterdir() if path.suffix != ".partial")


def _write_settings(account_id: str, out: Path) -> None:
    """The vendor settings, without secrets (those are in SSM, and the RingCloud keys go with them)."""
    ringostat, _ = ringostat_dal.get_config_and_status(account_id)
    ringcloud, _ = ringcloud_dal.get_config_and_status(account_id)
    with (out / f"{SETTINGS}.jsonl").open("wb") as file:
        if ringostat:
            file.write(_line({"vendor": "ringostat", **ringostat}))
        if ringcloud:
            kept = {name: value for name, value in ringcloud.items() if name not in RINGCLOUD_SECRETS}
            file.write(_line({"vendor": "ringcloud", **kept}))


def _line(item: Mapping[str, Any]) -> bytes:
    return (json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _describe(path: Path) -> ExportedFile:
    count = 0
    with path.open("rb") as file:
        for _ in file:
            count += 1
    return ExportedFile(count=count, bytes=path.stat().st_size, sha256=sha256(path))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def write_json(path: Path, value: Any) -> None:
    """Whole or not at all: a reader (or a resumed run) never sees half of it."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    partial.replace(path)


def read_lines(path: Path, skip: int = 0) -> Iterator[dict[str, Any]]:
    """The records of a JSON Lines file after the first ``skip``, a line at a time."""
    with path.open("rb") as file:
        for number, line in enumerate(file):
            if number >= skip:
                yield json.loads(line)
