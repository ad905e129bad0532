"""A Ringio client over real HTTP against `ringbridge serve`: Basic auth, root keys, pagination headers, feeds."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.local_server import LocalServer

pytestmark = pytest.mark.e2e


def test_a_ringio_client_writes_a_contact_ringotel_finds_and_the_feed_reports(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    basic = (demo["rw_token"], "x")  # as Ringio clients send it
    since = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    # Given a contact created by a Ringio client
    created = local_server.request(
        "POST",
        "/ringio/contacts",
        auth=basic,
        json={"contact": {"name": "Marko Vovchok", "data": [{"type": "telephone", "value": "044 333 22 11"}]}},
    )
    assert created.status_code == 201, created.text
    contact = created.json()["contact"]
    # Then Ringotel's FindContact finds it by its number
    found = local_server.request("GET", "/ringotel/contacts/find", demo["ro_token"], params={"phone": "+380443332211"})
    assert [c["id"] for c in found.json()["contacts"]] == [contact["id"]]
    # And the account's contacts feed reports it; once deleted, as deleted
    feed_path = f"/ringio/feeds/accounts/{demo['account_id']}/contacts"
    feed = local_server.request("GET", feed_path, auth=basic, params={"since": since})
    assert feed.status_code == 200 and contact["id"] in feed.json()["updated"]
    assert local_server.request("DELETE", f"/ringio/contacts/{contact['id']}", auth=basic).status_code == 200
    feed = local_server.request("GET", feed_path, auth=basic, params={"since": feed.json()["timestamp"]})
    assert contact["id"] in feed.json()["deleted"] and contact["id"] not in feed.json()["updated"]


def test_lists_are_arrays_whose_next_page_is_linked_in_headers(local_server: LocalServer) -> None:
    demo = local_server.accounts[0]
    first = local_server.request("GET", "/ringio/contacts", auth=(demo["ro_token"], "x"), params={"limit": "1"})
    assert first.status_code == 200 and isinstance(first.json(), list) and len(first.json()) == 1
    assert list(first.json()[0]) == ["contact"]
    following = first.links["next"]["url"]  # requests parses the Link header
    assert following.startswith("/ringio/contacts?limit=1&cursor=")
    second = local_server.request("GET", following, auth=(demo["ro_token"], "x"))
    assert second.status_code == 200 and second.json()[0]["contact"]["id"] != first.json()[0]["contact"]["id"]
