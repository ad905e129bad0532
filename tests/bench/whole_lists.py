"""Contacts without `limit`: how many contacts one Lambda response carries (plain and gzip), and at what cost."""

import base64
import gzip
import json
import random
import time

from ringbridge import aws, ids
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import pagination, table
from ringbridge.dal.items import ContactItem
from ringbridge.http_lists import LAMBDA_RESPONSE_MAX_BYTES, whole_list
from ringbridge.models.contacts import Contact
from ringbridge_tools.local import demo, dynamodb_calls, lambdas, template
from tests.bench import Measured, emulator
from tests.bench.find_contact import _DynamoTimer

TITLE = "Contacts in one answer (the Contacts hook without `limit`)"
GENERATED = 80_000  # more than fit even compressed
SEEDED = 250  # the emulator takes ~8 ms per item of a Query page (and the client waits 5 s at most)
RUNS = 5

FIRST = ["Olena", "Taras", "Ivan", "Maria", "Andrii", "Oksana", "Dmytro", "Iryna", "John", "Emma", "Liam", "Sophia"]
LAST = ["Petrenko", "Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Smith", "Johnson", "Melnyk", "Boyko"]
FIRST_UA = ["Олена", "Тарас", "Іван", "Марія", "Андрій", "Оксана", "Дмитро", "Ірина"]
LAST_UA = ["Петренко", "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Мельник", "Бойко"]
JOBS = ["Sales manager", "CEO", "Accountant", "Procurement lead", "Engineer", None, None]


def stored_contacts(count: int, cyrillic: bool = False) -> list[ContactItem]:
    """Contacts as CreateContact stores them: a name, a job title for most, a company, an owner, two
    numbers (work and mobile) and an email: a typical CRM contact."""
    rng = random.Random(count)
    first, last = (FIRST_UA, LAST_UA) if cyrillic else (FIRST, LAST)
    owners = [ids.new_id() for _ in range(20)]
    made: list[ContactItem] = []
    for index in range(count):
        mobile, work = f"+38067{rng.randrange(10**7):07d}", f"+38044{rng.randrange(10**7):07d}"
        made.append(
            {
                "id": ids.new_id(),
                "first_name": rng.choice(first),
                "last_name": rng.choice(last),
                "job_title": rng.choice(JOBS),
                "company_name": f"Company {rng.randrange(2000)}",
                "organization_id": ids.new_id(),
                "owner_id": rng.choice(owners),
                "phones": [
                    {"number": f"067 {mobile[6:]}", "type": "mobile", "e164": mobile},
                    {"number": f"044 {work[6:]}", "type": "work", "e164": work},
                ],
                "emails": [f"person{index}@example.com"],
                "version": rng.randrange(1, 9),
                "created_at": "2026-11-20T10:15:30.123Z",
                "updated_at": f"2026-11-2{rng.randrange(10)}T1{rng.randrange(10)}:15:30.{rng.randrange(1000):03d}Z",
            }
        )
    return made


def _fit(contacts: list[ContactItem], accept_encoding: str | None) -> tuple[int, int, float]:
    """Contacts in the answer, its Lambda payload in bytes, and ms to build it (serialization + compression)."""
    started = time.perf_counter()
    stream = (
        (Contact(**contact).model_dump_json(), pagination.encode(f"CONTACT#{contact['id']}")) for contact in contacts
    )
    response = whole_list("contacts", stream, accept_encoding)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.body is not None
    body = gzip.decompress(base64.b64decode(response.body)) if response.base64_encoded else response.body
    count = len(json.loads(body)["contacts"])
    payload = len(json.dumps({"statusCode": 200, "body": response.body, "headers": response.headers}))
    return count, payload, elapsed


def _seed(account_id: str, contacts: list[ContactItem]) -> None:
    """The contact items only: the list reads the account's partition, not the per-number copies."""
    items = [contacts_dal.contact_puts(account_id, contact, None)[0]["Put"]["Item"] for contact in contacts]
    for offset in range(0, len(items), 25):
        request = {table.name(): [{"PutRequest": {"Item": item}} for item in items[offset : offset + 25]]}
        while request:
            request = aws.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems")


def _hook(token: str) -> dict[str, float]:
    """The real handler against the emulator, gzip accepted: latency, own time, Queries, contacts."""
    function = template.functions()["RingotelContactsFunction"]
    headers = {"authorization": f"Bearer {token}", "accept-encoding": "gzip"}
    timer = _DynamoTimer()
    latencies, own = [], []
    queries = count = 0
    for attempt in range(RUNS + 1):  # the first warms imports and the token cache
        log = dynamodb_calls.start()
        timer.total = 0.0
        started = time.perf_counter()
        answer = lambdas.invoke(function, lambdas.http_event("GET", "/ringotel/contacts", headers=headers))
        elapsed = time.perf_counter() - started
        if attempt:
            latencies.append(elapsed * 1000)
            own.append((elapsed - timer.total) * 1000)
            queries = log.count("Query")
            count = len(json.loads(gzip.decompress(base64.b64decode(answer["body"])))["contacts"])
    return {
        "median": sorted(latencies)[len(latencies) // 2],
        "own": sorted(own)[len(own) // 2],
        "queries": queries,
        "count": count,
    }


QUOTED = ("whole_list_gzip_latin", "whole_list_gzip_cyrillic", "whole_list_plain_latin", "whole_list_plain_cyrillic")


def measure() -> Measured:
    rows = [
        "| contacts | answer | contacts in one answer | Lambda payload | build time (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    fits: dict[str, int] = {}
    for label, cyrillic in (("typical, Latin names", False), ("typical, Cyrillic names", True)):
        contacts = stored_contacts(GENERATED, cyrillic)
        for answer, encoding in (("plain JSON", None), ("gzip", "gzip")):
            count, payload, elapsed = _fit(contacts, encoding)
            fits[f"{label}/{answer}"] = count
            rows.append(f"| {label} | {answer} | {count:,} | {payload / 2**20:.2f} MiB | {elapsed:.0f} |")
    account = demo.seed_account("Bench lists", "UA")
    _seed(account["account_id"], stored_contacts(SEEDED))
    emulator.index_base_table_queries()
    hook = _hook(account["ro_token"])
    emulator.restore_base_table_queries()
    per_contact = hook["own"] / hook["count"]
    gzip_fit = min(fits["typical, Latin names/gzip"], fits["typical, Cyrillic names/gzip"])
    rows += [
        "",
        f"Bound: {LAMBDA_RESPONSE_MAX_BYTES:,} bytes of Lambda response payload (6 MiB; the body travels in it "
        "JSON-escaped, or base64-encoded when gzip). Contacts are generated in the stored shape (two numbers, an "
        f"email, a company, an owner, a job title for most) and streamed through the hook's own code. "
        f"The real handler against the emulator, {hook['count']:,} contacts, gzip: "
        f"{hook['queries']} Queries, median {hook['median']:.0f} ms of which ringbridge's own "
        f"{hook['own']:.0f} ms ({per_contact * 1000:.0f} µs per contact: about "
        f"{per_contact * gzip_fit / 1000:.1f} s of this machine's CPU for a full gzip answer of {gzip_fit:,}).",
    ]
    return Measured(
        "\n".join(rows),
        {
            f"whole_list_{encoding}_{names}": f"{fits[f'typical, {names.capitalize()} names/{answer}']:,}"
            for encoding, answer in (("gzip", "gzip"), ("plain", "plain JSON"))
            for names in ("latin", "cyrillic")
        },
    )
