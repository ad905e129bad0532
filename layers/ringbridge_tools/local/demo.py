"""Demo accounts for the local stack, made through the real logic functions.

Each account gets users with extensions, contacts with phones, emails and companies, and one
read-write and one read-only token. Its demo.json entry also names sample ids (a user, a contact,
its organization and phone number) that sample events refer to as placeholders.
"""

import json
from pathlib import Path
from typing import Any

from ringbridge.account_scope import AccountScope
from ringbridge.errors import NotFound
from ringbridge.logic import accounts, activities, contacts, recordings
from ringbridge.models.activities import ActivityCreate
from ringbridge.models.contact_input import ContactCreate
from ringbridge.oauth import clients as oauth_clients
from ringbridge_tools.local.snapshot import _write_atomically

DEMO_ACCOUNTS = (("Demo UA", "UA"), ("Demo US", "US"))
DEMO_REDIRECT_URI = "http://127.0.0.1:8000/oauth/callback"

# Per region: users (name, email, extension, phone) and contacts (the first one is the sample).
USERS: dict[str, list[tuple[str, str, str, str]]] = {
    "UA": [
        ("Olena Petrenko", "olena@demo-ua.example.com", "101", "+380 67 123 45 01"),
        ("Taras Kovalenko", "taras@demo-ua.example.com", "102", "+380 67 123 45 02"),
        ("Iryna Bondar", "iryna@demo-ua.example.com", "103", "+380 67 123 45 03"),
    ],
    "US": [
        ("Emily Carter", "emily@demo-us.example.com", "201", "+1 212 555 0101"),
        ("James Miller", "james@demo-us.example.com", "202", "+1 212 555 0102"),
    ],
}
CONTACTS: dict[str, list[dict[str, Any]]] = {
    "UA": [
        {
            "first_name": "Ivan",
            "last_name": "Franko",
            "job_title": "Director",
            "company_name": "Kyiv Bakery",
            "phones": [{"number": "+380 44 111 11 11", "type": "work"}, {"number": "067 222 33 44", "type": "mobile"}],
            "emails": ["ivan.franko@kyivbakery.example.com"],
        },
        {
            "first_name": "Mariia",
            "last_name": "Shevchuk",
            "job_title": "Accountant",
            "company_name": "Kyiv Bakery",
            "phones": [{"number": "(044) 111-11-12", "type": "work"}],
            "emails": ["mariia@kyivbakery.example.com"],
        },
        {
            "first_name": "Andrii",
            "last_name": "Melnyk",
            "company_name": "Lviv Logistics",
            "phones": [{"number": "+380 32 245 67 89", "type": "work"}],
            "emails": ["andrii@lvivlogistics.example.com"],
        },
        {
            "first_name": "Oksana",
            "last_name": "Hnatiuk",
            "company_name": "Odesa Port Services",
            "phones": [{"number": "0487001122", "type": "work"}, {"number": "+380 50 765 43 21", "type": "mobile"}],
            "emails": ["oksana@odesaport.example.com", "o.hnatiuk@example.com"],
        },
        {
            "first_name": "Dmytro",
            "last_name": "Savchenko",
            "phones": [{"number": "+380 93 555 12 34", "type": "mobile"}],
            "emails": [],
        },
    ],
    "US": [
        {
            "first_name": "John",
            "last_name": "Smith",
            "job_title": "CEO",
            "company_name": "Acme Corp",
            "phones": [{"number": "+1 (212) 555-0142", "type": "work"}],
            "emails": ["john.smith@acme.example.com"],
        },
        {
            "first_name": "Sarah",
            "last_name": "Johnson",
            "company_name": "Acme Corp",
            "phones": [{"number": "212-555-0143", "type": "work"}, {"number": "646 555 0198", "type": "mobile"}],
            "emails": ["sarah.johnson@acme.example.com"],
        },
        {
            "first_name": "Michael",
            "last_name": "Brown",
            "company_name": "Brown & Sons Plumbing",
            "phones": [{"number": "(415) 555-0177", "type": "work"}],
            "emails": ["mike@brownandsons.example.com"],
        },
        {
            "first_name": "Linda",
            "last_name": "Garcia",
            "job_title": "Buyer",
            "company_name": "Sunrise Foods",
            "phones": [{"number": "+1 305 555 0110", "type": "work"}],
            "emails": ["linda.garcia@sunrisefoods.example.com"],
        },
        {
            "first_name": "David",
            "last_name": "Lee",
            "phones": [{"number": "312.555.0165", "type": "mobile"}],
            "emails": ["david.lee@example.com"],
        },
    ],
}


def seed_account(name: str, region: str) -> dict[str, Any]:
    """A new account with the region's demo users and contacts; answers its demo.json entry."""
    account = accounts.create_account(name, region)
    users = [
        accounts.create_user(account.id, user_name, email, extension=extension, phone=phone)
        for user_name, email, extension, phone in USERS[region]
    ]
    scope = AccountScope(account_id=account.id, region=account.region, can_write=True)
    made = [
        contacts.create_contact(scope, ContactCreate(**fields, owner_id=users[index % len(users)].id))
        for index, fields in enumerate(CONTACTS[region])
    ]
    _, rw_token = accounts.create_token(account.id, "rw")
    _, ro_token = accounts.create_token(account.id, "ro")
    sample = made[0]
    # A sample call from the sample contact, with a tiny recording: what the activity events name.
    call, _ = activities.create_activity(
        scope,
        ActivityCreate(
            call_id=f"demo-call-{account.id}",
            direction="inbound",
            caller_number=sample.phones[0].e164.lstrip("+"),
            user_id=users[0].id,
        ),
    )
    recordings.store_bytes(scope, call.id, b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64), "audio/wav")
    oauth_client = oauth_clients.create_client(account.id, "Demo OAuth client", [DEMO_REDIRECT_URI])
    return {
        "account_id": account.id,
        "name": account.name,
        "region": account.region,
        "rw_token": rw_token,
        "ro_token": ro_token,
        "user_id": users[0].id,
        "contact_id": sample.id,
        "erasable_contact_id": made[-1].id,  # the one the sample erase event erases (events/ringio)
        "organization_id": sample.organization_id,
        "phone": sample.phones[0].e164,
        "activity_id": call.id,
        "call_id": call.call_id,
        "oauth_client_id": oauth_client["client_id"],
        "oauth_client_secret": oauth_client["client_secret"],
        "oauth_redirect_uri": DEMO_REDIRECT_URI,
        # Refresh tokens work once (each use rotates them): one for each sample token event.
        "oauth_refresh_token": approved_refresh_token(oauth_client["client_id"]),
        "oauth_refresh_token_url": approved_refresh_token(oauth_client["client_id"]),
    }


def approved_refresh_token(client_id: str) -> str:
    """A grant approved in advance, as if its administrator had said yes on the consent page."""
    from ringbridge import clock, ids, tokens
    from ringbridge.dal import oauth as oauth_dal

    client = tokens.parse_client_id(client_id)
    assert client is not None
    token = tokens.Token(
        tokens.REFRESH, client.account_id, client.client_key, ids.new_id(), ids.new_id(), tokens.new_secret()
    )
    now = clock.now_iso()
    oauth_dal.put_tokens(
        client.account_id,
        [
            (
                oauth_dal.grant_sk(token.client_key, token.grant_id),
                {"scope": "rw", "approved_by": "demo-seed", "created_at": now},
            ),
            (
                oauth_dal.token_sk(token.client_key, token.grant_id, token.kind, token.token_key),
                {
                    "secret_hash": tokens.hash_secret(token.secret),
                    "created_at": now,
                    "expires_at": int(clock.now().timestamp()) + 90 * 86400,
                },
            ),
        ],
    )
    return str(token)


def ensure(state_dir: Path, base_url: str) -> list[dict[str, Any]]:
    """The demo accounts of demo.json, seeded first if the store does not have them; rewrites demo.json."""
    path = state_dir / "demo.json"
    known = json.loads(path.read_text())["accounts"] if path.exists() else []
    if not (known and _exists(known[0]["account_id"])):
        known = [seed_account(name, region) for name, region in DEMO_ACCOUNTS]
    # Owner-only, as ssm.json: it holds rw tokens and OAuth client secrets.
    text = json.dumps({"base_url": base_url, "accounts": known}, indent=2) + "\n"
    _write_atomically(path, text.encode(), private=True)
    return known


def _exists(account_id: str) -> bool:
    try:
        accounts.get_account(account_id)
    except NotFound:
        return False
    return True
