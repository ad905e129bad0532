"""A client generated from /openapi.json by openapi-python-client works against the local server (issue 24):
its typed models parse the answers, a 409 carries the current item typed, and the headers it pages with are
the ones the document declares and the server really sends."""

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.local_server import LocalServer

pytestmark = pytest.mark.e2e

PACKAGE = "ringbridge_generated_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def document(local_server: LocalServer) -> dict[str, Any]:
    answer = local_server.request("GET", "/openapi.json")
    assert answer.status_code == 200
    return answer.json()


@pytest.fixture(scope="module")
def generated(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client package, generated offline from the served document into a temporary directory and imported."""
    where = tmp_path_factory.mktemp("generated")
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.yaml").write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", "openapi.json", "--config", "config.yaml", "--meta", "none"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(where))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(where))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def api(operation: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.api.{operation}")


def models() -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.models")


def declared_headers(document: dict[str, Any], method: str, path: str, status: int) -> set[str]:
    return set(document["paths"][path][method]["responses"][str(status)].get("headers", {}))


@pytest.fixture(scope="module")
def client(generated: ModuleType, local_server: LocalServer) -> Any:
    return generated.AuthenticatedClient(base_url=local_server.base_url, token=local_server.accounts[0]["rw_token"])


def test_a_stale_write_answers_the_current_contact_typed_with_the_etag_declared(client, document) -> None:
    create = api("ringio.create_contact_ringio_contacts_post")
    update = api("ringio.update_contact_ringio_contacts_contact_id_put")
    body = models().ContactIn(contact=models().ContactFields(name="Generated Client"))

    created = create.sync_detailed(client=client, body=body)
    assert created.status_code == 201
    assert isinstance(created.parsed, models().ContactOut)
    assert declared_headers(document, "post", "/ringio/contacts", 201) == {"ETag"}
    assert created.headers["ETag"] == '"1"'
    contact_id = created.parsed.contact.id

    renamed = models().ContactIn(contact=models().ContactFields(name="Generated Renamed"))
    updated = update.sync_detailed(contact_id, client=client, body=renamed, if_match=created.headers["ETag"])
    assert updated.status_code == 200 and updated.headers["ETag"] == '"2"'
    assert "ETag" in declared_headers(document, "put", "/ringio/contacts/{contact_id}", 200)

    stale = update.sync_detailed(contact_id, client=client, body=body, if_match='"1"')
    assert stale.status_code == 409
    assert isinstance(stale.parsed, models().RingioContactConflict)
    assert stale.parsed.error.code == "conflict"
    assert isinstance(stale.parsed.contact, models().RingioContact)
    assert (stale.parsed.contact.version, stale.parsed.contact.name) == (2, "Generated Renamed")


def test_a_stale_ringotel_update_answers_the_current_contact_typed(client) -> None:
    create = api("ringotel.create_contact_ringotel_contacts_post")
    update = api("ringotel.update_contact_ringotel_contacts_contact_id_put")

    created = create.sync_detailed(client=client, body=models().RingotelContactCreate(first_name="Olha"))
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    contact_id = created.parsed.id
    assert update.sync_detailed(contact_id, client=client, body=models().RingotelContactUpdate(job_title="CFO")).parsed
    stale = update.sync_detailed(
        contact_id, client=client, body=models().RingotelContactUpdate(last_name="K", version=1)
    )

    assert stale.status_code == 409
    assert isinstance(stale.parsed, models().ContactConflict)
    assert isinstance(stale.parsed.contact, models().Contact)
    assert (stale.parsed.contact.version, stale.parsed.contact.job_title) == (2, "CFO")


def test_paging_through_a_list_with_the_declared_headers(client, document) -> None:
    create = api("ringio.create_contact_ringio_contacts_post")
    list_contacts = api("ringio.list_contacts_ringio_contacts_get")
    made = {
        create.sync(
            client=client, body=models().ContactIn(contact=models().ContactFields(name=f"Paged {n}"))
        ).contact.id
        for n in range(3)
    }
    assert declared_headers(document, "get", "/ringio/contacts", 200) == {"X-Next-Cursor", "Link"}

    seen: list[str] = []
    cursor = None
    for _ in range(1000):
        page = list_contacts.sync_detailed(client=client, limit=2, cursor=cursor)
        assert page.status_code == 200
        seen += [item.contact.id for item in page.parsed]
        cursor = page.headers.get("X-Next-Cursor")
        if cursor is None:
            assert "Link" not in page.headers  # the last page
            break
        target, relation = page.headers["Link"].split(";", 1)
        assert relation.strip() == 'rel="next"'
        assert parse_qs(urlsplit(target.strip("<>")).query) == {"limit": ["2"], "cursor": [cursor]}
        assert len(page.parsed) == 2

    assert cursor is None
    assert made <= set(seen) and len(seen) == len(set(seen))
