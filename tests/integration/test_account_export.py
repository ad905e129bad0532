"""Exporting and importing an account (issue 25, part 3): the manifest matches what is stored, an
interrupted export or import resumes to the same end, and a round trip (export, import into a new
account, export again) gives the same data."""

import json
import uuid
from pathlib import Path

import pytest

from ringbridge import aws, settings
from ringbridge.dal import account_transfer, recording_objects, table
from ringbridge.errors import InvalidInput
from ringbridge.logic import accounts, contacts
from ringbridge.logic.account_export import KINDS, export_account
from ringbridge.logic.account_import import import_account
from ringbridge.logic.allowance import Allowance
from ringbridge.models.contact_input import ContactCreate
from ringbridge_tools import cli
from tests.support.api import call
from tests.support.tenants import Tenant

AUDIO = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)
DATA_FILES = [f"{kind}.jsonl" for kind in KINDS]


def populate(tenant: Tenant, contacts_count: int = 5) -> None:
    """Users, contacts (numbers, an organization, an owner), notes, calls and recordings, a deleted contact,
    and Ringostat settings."""
    accounts.create_user(tenant.account_id, "Taras Melnyk", "taras@example.com", extension="102")
    ids = []
    for n in range(contacts_count):
        data = ContactCreate(
            first_name=f"Ім'я{n}",  # not only ASCII
            company_name="Acme" if n % 2 else None,
            owner_id=tenant.user_id,
            phones=[{"number": f"+38067{n:07d}"}],
            emails=[f"p{n}@example.com"],
        )
        ids.append(contacts.create_contact(tenant.scope, data).id)
    for contact_id in ids[:2]:
        body = {"note": {"contact_id": contact_id, "body": "Передзвонити"}}
        assert call("POST", "/ringio/notes", tenant.rw_token, json_body=body).status == 201
    for n in range(3):
        started = {"call_id": f"call-{uuid.uuid4().hex}", "direction": "inbound", "caller_number": f"+38067{n:07d}"}
        created = call("POST", "/ringotel/activities", tenant.rw_token, json_body=started).body
        if n < 2:
            path = f"/ringotel/activities/{created['id']}/recording"
            audio = AUDIO + bytes([n])
            assert call("PUT", path, tenant.rw_token, body=audio, headers={"content-type": "audio/wav"}).status == 200
    assert call("DELETE", f"/ringio/contacts/{ids[-1]}", tenant.rw_token).status == 200


def stored_count(account_id: str, prefix: str) -> int:
    request = {
        "TableName": table.name(),
        "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
        "ExpressionAttributeValues": {":pk": {"S": table.account_pk(account_id)}, ":prefix": {"S": prefix}},
        "Select": "COUNT",
    }
    return sum(answer for answer in _counts(request))


def _counts(request: dict):
    while True:
        answer = aws.dynamodb().query(**request)
        yield answer["Count"]
        if "LastEvaluatedKey" not in answer:
            return
        request = {**request, "ExclusiveStartKey": answer["LastEvaluatedKey"]}


def files_of(directory: Path) -> dict[str, bytes]:
    """Every data file and recording of an export (not the manifest, whose time differs, nor settings)."""
    found = {name: (directory / name).read_bytes() for name in DATA_FILES}
    found.update({f"recordings/{p.name}": p.read_bytes() for p in (directory / "recordings").iterdir()})
    return found


def new_account() -> str:
    return accounts.create_account("Restored", "UA").id


def test_the_manifest_counts_and_checksums_match_what_is_stored(tenant, tmp_path, configure, ringostat_server):
    populate(tenant)
    configure(tenant, 4301, "export-key")

    run = export_account(tenant.account_id, tmp_path / "export")

    manifest = json.loads((tmp_path / "export" / "manifest.json").read_text())
    assert run.complete and manifest["recordings"] == run.recordings == 2
    for kind, prefix in KINDS.items():
        assert manifest["files"][f"{kind}.jsonl"]["count"] == stored_count(tenant.account_id, prefix) > 0, kind
    import hashlib

    for name, described in manifest["files"].items():
        data = (tmp_path / "export" / name).read_bytes()
        assert (described["bytes"], described["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    settings = [json.loads(line) for line in (tmp_path / "export" / "settings.jsonl").read_text().splitlines()]
    assert [s["vendor"] for s in settings] == ["ringostat"] and "export-key" not in json.dumps(settings)
    for line in (tmp_path / "export" / "activities.jsonl").read_text().splitlines():
        recording = json.loads(line).get("recording")
        if recording:
            data = (tmp_path / "export" / recording["file"]).read_bytes()
            assert data.startswith(AUDIO) and hashlib.sha256(data).hexdigest() == recording["sha256"]


def test_a_round_trip_gives_the_same_data(tenant, tmp_path):
    populate(tenant)
    export_account(tenant.account_id, tmp_path / "first")
    restored = new_account()

    assert import_account(restored, tmp_path / "first").complete
    export_account(restored, tmp_path / "second")

    assert files_of(tmp_path / "second") == files_of(tmp_path / "first")
    # And the restored account works as the first did: FindContact reads the imported number copies
    for prefix in ["CONTACT#", "NOTEOF#", "CALL#", "USEREXT#", "ORGNAME#"]:
        assert stored_count(restored, prefix) == stored_count(tenant.account_id, prefix), prefix
    # ... and its recordings are served as the first account's were, of the type they were uploaded with
    assert recording_types(restored) == recording_types(tenant.account_id) == ["audio/wav", "audio/wav"]


def recording_types(account_id: str) -> list[str]:
    """The Content-Type S3 serves each of the account's recordings with (a recording's link is to S3)."""
    bucket = settings.current().recordings_bucket
    listed = aws.s3().list_objects_v2(Bucket=bucket, Prefix=recording_objects.account_prefix(account_id))
    return [aws.s3().head_object(Bucket=bucket, Key=each["Key"])["ContentType"] for each in listed["Contents"]]


def test_an_interrupted_export_and_import_resume_to_the_same_end(tenant, tmp_path):
    populate(tenant, contacts_count=12)
    export_account(tenant.account_id, tmp_path / "whole")

    runs = [export_account(tenant.account_id, tmp_path / "steps", Allowance(max_steps=3))]
    while not runs[-1].complete:
        runs.append(export_account(tenant.account_id, tmp_path / "steps", Allowance(max_steps=3)))
        assert len(runs) < 50
    assert len(runs) > 5 and files_of(tmp_path / "steps") == files_of(tmp_path / "whole")

    restored = new_account()
    imports = [import_account(restored, tmp_path / "steps", Allowance(max_steps=3))]
    while not imports[-1].complete:
        imports.append(import_account(restored, tmp_path / "steps", Allowance(max_steps=3)))
        assert len(imports) < 50
    export_account(restored, tmp_path / "again")
    assert len(imports) > 5 and files_of(tmp_path / "again") == files_of(tmp_path / "whole")


def test_an_export_that_crashed_after_its_last_checkpoint_writes_those_lines_once(tenant, tmp_path, monkeypatch):
    from ringbridge.logic import account_export

    populate(tenant, contacts_count=5)
    export_account(tenant.account_id, tmp_path / "whole")
    real = account_export.contacts_dal.iter_all

    def crashing_after_three_contacts(account_id, prefix, cursor):
        for number, found in enumerate(real(account_id, prefix, cursor)):
            if prefix == "CONTACT#" and number == 3:
                raise RuntimeError("the machine went away")
            yield found

    monkeypatch.setattr(account_export, "CHECKPOINT_EVERY", 2)
    monkeypatch.setattr(account_export.contacts_dal, "iter_all", crashing_after_three_contacts)
    with pytest.raises(RuntimeError):
        export_account(tenant.account_id, tmp_path / "cut")
    assert len((tmp_path / "cut" / "contacts.jsonl").read_text().splitlines()) == 3  # 1 past the checkpoint
    monkeypatch.setattr(account_export.contacts_dal, "iter_all", real)

    assert export_account(tenant.account_id, tmp_path / "cut").complete
    assert files_of(tmp_path / "cut") == files_of(tmp_path / "whole")


def test_a_damaged_export_is_refused_before_anything_is_written(tenant, tmp_path):
    populate(tenant)
    export_account(tenant.account_id, tmp_path / "export")
    with (tmp_path / "export" / "notes.jsonl").open("ab") as file:
        file.write(b'{"id": "forged"}\n')
    restored = new_account()

    with pytest.raises(InvalidInput) as refused:
        import_account(restored, tmp_path / "export")

    assert refused.value.field == "source" and "notes.jsonl" in refused.value.message
    assert not any(account_transfer.has_any(restored, prefix) for prefix in KINDS.values())


def test_an_import_into_an_account_that_holds_data_is_refused(tenant, other_tenant, tmp_path):
    populate(tenant)
    export_account(tenant.account_id, tmp_path / "export")

    with pytest.raises(InvalidInput) as refused:
        import_account(other_tenant.account_id, tmp_path / "export")  # it has a user

    assert refused.value.field == "account_id"


def test_an_export_goes_into_a_new_or_empty_directory_only(tenant, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("mine")

    with pytest.raises(InvalidInput) as refused:
        export_account(tenant.account_id, tmp_path / "used")

    assert refused.value.field == "out"
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]


def test_the_admin_cli_exports_and_imports(tenant, tmp_path, capsys):
    populate(tenant)
    restored = new_account()
    admin = ["admin", "--table", table.name()]

    assert cli.main([*admin, "export-account", tenant.account_id, "--out", str(tmp_path / "e")]) == 0
    assert json.loads(capsys.readouterr().out)["complete"] is True
    assert cli.main([*admin, "import-account", restored, "--from", str(tmp_path / "e")]) == 0
    assert json.loads(capsys.readouterr().out)["records"]["contacts"] == 4
    assert cli.main([*admin, "import-account", restored, "--from", str(tmp_path / "nowhere")]) == 1
    assert "(--from)" in capsys.readouterr().err
