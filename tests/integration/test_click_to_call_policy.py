"""Click-to-call's dialling policy: a leaked rw token cannot make the account's PBX dial for a fraudster.

Against moto and a fake RingCloud; the clock is ``clock.manual()``, so the 5 s call slot and the fake's
windows move only when a test says so.
"""

import contextlib
import json
import uuid
from collections.abc import Callable, Iterator, Sequence

import pytest

from ringbridge import clock, settings
from ringbridge.dal import ringcloud as ringcloud_dal
from ringbridge.dal import table
from ringbridge.errors import NotFound
from ringbridge.logic import ringcloud
from ringbridge_tools.fakes.ringcloud import FakeRingcloud
from tests.support.api import Answer, call
from tests.support.tenants import Tenant, make_tenant

RO_PASSWORD, RW_PASSWORD = "ro-secret", "rw-secret"
NOT_OURS = "an admin can allow more with ringcloud-config --allow-countries"


@pytest.fixture
def time() -> Iterator[clock.ManualTime]:
    with clock.manual() as manual:
        yield manual


@pytest.fixture
def fake(monkeypatch, time) -> Iterator[FakeRingcloud]:
    server = FakeRingcloud().start()
    server.users = [{"account_id": 4242, "num": "101", "user": "olena101", "voice_mail_box": "off", "mail": None}]
    monkeypatch.setenv("RINGCLOUD_BASE_URL", server.base_url)
    settings.reload()
    yield server
    server.stop()


@pytest.fixture
def configure(fake) -> Iterator[Callable[..., None]]:
    """Configure an account's RingCloud keys (known to the fake) and its dialling policy; removed afterwards."""
    configured: list[str] = []

    def configure_account(
        tenant: Tenant, allowed_countries: Sequence[str] = (), allowed_types: Sequence[str] = ()
    ) -> None:
        n = uuid.uuid4().hex[:10]
        ro, rw = f"4242_ro{n}", f"4242_rw{n}"
        fake.add_key(ro, RO_PASSWORD, "RO")
        fake.add_key(rw, RW_PASSWORD, "RW")
        ringcloud.configure(
            tenant.account_id,
            ro,
            RO_PASSWORD,
            rw_api_key=rw,
            rw_password=RW_PASSWORD,
            allowed_countries=allowed_countries,
            allowed_types=allowed_types,
        )
        configured.append(tenant.account_id)

    yield configure_account
    for account_id in configured:  # later import runs must not visit these accounts
        with contextlib.suppress(NotFound):
            ringcloud.remove(account_id)


def dial(tenant: Tenant, **body: str) -> Answer:
    return call("POST", "/ringcloud/calls", tenant.rw_token, json_body={"user_id": "101", **body})


def assert_refused(answer: Answer, field: str, rule: str) -> None:
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == field, answer.body
    assert rule in answer.body["error"]["message"], answer.body


def dialled(fake: FakeRingcloud) -> list[str]:
    return [params["num"] for params in fake.originations]


# --- refused by default ---


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        ("+1 900 555 0100", f"calls to +1 (US) are not allowed: this account dials UA; {NOT_OURS}"),
        ("+44 909 879 0000", f"calls to +44 (GB) are not allowed: this account dials UA; {NOT_OURS}"),
        ("+380 900 123 456", "numbers of unknown type are not allowed by this account's dialling policy"),
        ("+380 900 212 345", "premium-rate numbers are not allowed by this account's dialling policy"),
        ("+380 89 123 4567", "voip numbers are not allowed by this account's dialling policy"),  # until allowed
        ("+882 16 1234 5678", "+882 is an international network or service, not a country"),
        ("+979 123456789", "+979 is an international network or service, not a country"),
        ("+800 1234 5678", "+800 is an international network or service, not a country"),
    ],
)
def test_by_default_the_audit_numbers_and_their_like_are_refused_and_nothing_reaches_ringcloud(
    tenant, configure, fake, number, rule
):
    configure(tenant)

    assert_refused(dial(tenant, number=number), "number", rule)

    assert fake.served() == [] and fake.originations == []


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        (
            "+1 900 555 0100",
            "premium-rate numbers are not allowed by this account's dialling policy; an admin can "
            "allow them with ringcloud-config --allow-types premium-rate",
        ),
        ("+44 909 879 0000", "premium-rate numbers are not allowed"),
        ("+49 180 1 2345", "shared-cost numbers are not allowed"),
        ("+44 70 1234 5678", "personal numbers are not allowed"),
        ("+44 76 4012 3456", "pager numbers are not allowed"),
        ("+44 55 1234 5678", "uan numbers are not allowed"),
        ("+49 177 99 1234567", "voicemail numbers are not allowed"),
        ("+44 56 1234 5678", "voip numbers are not allowed"),
        ("+1 500 123 4567", "numbers of unknown type are not allowed"),
    ],
)
def test_types_a_business_does_not_call_are_refused_even_in_an_allowed_country(tenant, configure, fake, number, rule):
    configure(tenant, allowed_countries=["US", "GB", "DE"])

    assert_refused(dial(tenant, number=number), "number", rule)

    assert fake.served() == []


# --- dialled ---


def test_the_own_countrys_fixed_lines_mobiles_and_toll_free_numbers_are_dialled(tenant, configure, fake, time):
    configure(tenant)
    for number in ["044 111 1111", "+380 50 123 4567", "0 800 123 456"]:
        answer = dial(tenant, number=number)
        assert answer.status == 202, (number, answer.body)
        time.advance(6)  # past RingCloud's one call per 5 s
    assert dialled(fake) == ["380441111111", "380501234567", "380800123456"]


def test_the_country_is_the_numbers_not_its_calling_code(configure, fake, time):
    # +1 is shared by the US, Canada and the Caribbean, where "one ring" fraud numbers live (+1 876: Jamaica)
    american = make_tenant("US", "American account")
    configure(american)

    assert dial(american, number="+1 212 456 7890").status == 202  # fixed-line-or-mobile: libphonenumber can't tell
    time.advance(6)
    assert_refused(
        dial(american, number="+1 876 210 1234"),
        "number",
        f"calls to +1 (JM) are not allowed: this account dials US; {NOT_OURS}",
    )
    assert_refused(dial(american, number="+1 416 555 0123"), "number", "calls to +1 (CA) are not allowed")
    assert dialled(fake) == ["12124567890"]


def test_an_admin_allows_more_countries_and_types_and_nothing_else(tenant, configure, fake, time):
    configure(tenant, allowed_countries=["PL"], allowed_types=["voip"])

    for number in ["+48 12 345 67 89", "+380 89 123 4567", "+48 391 234 567"]:  # a PL fixed line, UA and PL VoIP
        answer = dial(tenant, number=number)
        assert answer.status == 202, (number, answer.body)
        time.advance(6)

    assert_refused(dial(tenant, number="+44 121 234 5678"), "number", "this account dials UA, PL; an admin")
    assert_refused(dial(tenant, number="+48 701 234 567"), "number", "premium-rate numbers are not allowed")
    # a mobile number, but of an international network: no setting allows those
    assert_refused(dial(tenant, number="+882 34 21234"), "number", "+882 is an international network")
    assert dialled(fake) == ["48123456789", "380891234567", "48391234567"]


def test_a_config_written_before_the_policy_dials_by_the_default_policy(tenant, configure, fake):
    configure(tenant)
    stored, _ = ringcloud_dal.get_config_and_status(tenant.account_id)
    assert stored is not None
    ringcloud_dal.put_config(
        tenant.account_id, {k: v for k, v in stored.items() if k not in ("allowed_countries", "allowed_types")}
    )

    assert_refused(dial(tenant, number="+48 12 345 67 89"), "number", "calls to +48 (PL) are not allowed")
    assert dial(tenant, number="+380 44 111 11 11").status == 202
    assert dialled(fake) == ["380441111111"]


# --- extensions ---


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (
            "+380 900 123 456",
            "+380900123456 is not in the numbering plan of +380, so its type is unknown: numbers of unknown type are "
            "not allowed by this account's dialling policy",
        ),
        (
            "+882 16 1234 5678",
            "+882 is an international network or service, not a country: its numbers are not allowed by this "
            "account's dialling policy",
        ),
        (
            "+380441111111;ext=1",
            "has an extension (1), which RingCloud would not dial: give the number alone, and dial the extension "
            "once the call is answered",
        ),
    ],
)
def test_a_refusal_says_the_whole_rule_as_a_person_reads_it(tenant, configure, fake, number, message):
    configure(tenant)

    answer = dial(tenant, number=number)

    assert answer.body == {"error": {"code": "invalid", "message": message, "field": "number"}}
    assert answer.status == 422 and fake.served() == []


@pytest.mark.parametrize(
    "number",
    [
        "+380441111111;ext=1",
        "+380 44 111 11 11 x99",
        "044 111 1111 ext. 5",
        "380441111111x99",
        "+380441111111#5",
        "+380441111111,,5",
        "tel:+380441111111;ext=1",
        "44207946000 x0",  # read again as "+442079460000", a GB number: the extension must not be glued on
    ],
)
def test_a_number_with_an_extension_is_refused_not_cut_short(tenant, configure, fake, number):
    configure(tenant)

    assert_refused(dial(tenant, number=number), "number", "has an extension")

    assert fake.served() == []


# --- a contact's number, the call slot ---


def test_a_contacts_number_is_held_to_the_same_policy_naming_contact_id(tenant, configure, fake):
    configure(tenant)
    body = {"first_name": "Premium", "phones": [{"number": "+44 909 879 0000"}, {"number": "+380441111111"}]}
    contact = call("POST", "/ringotel/contacts", tenant.rw_token, json_body=body)
    assert contact.status == 201, contact.body

    assert_refused(dial(tenant, contact_id=contact.body["id"]), "contact_id", "calls to +44 (GB) are not allowed")

    assert fake.served() == []


def test_a_refused_number_takes_no_call_slot(tenant, configure, fake):
    configure(tenant)

    assert_refused(dial(tenant, number="+44 909 879 0000"), "number", "not allowed")
    right_after = dial(tenant, number="+380441111111")  # the same moment: the clock has not moved
    assert right_after.status == 202, right_after.body
    # ... whereas an allowed call does take it
    assert dial(tenant, number="+380441111111").status == 429

    assert dialled(fake) == ["380441111111"] and len(fake.served("/v1/calls", "POST")) == 1


# --- the admin's settings ---


def admin(account_id: str, *options: str) -> int:
    from ringbridge_tools import cli

    arguments = ["--api-key", "4242_ro", "--password", RO_PASSWORD, "--rw-api-key", "4242_rw", "--rw-password", "p"]
    return cli.main(["admin", "--table", table.name(), "ringcloud-config", account_id, *arguments, *options])


@pytest.fixture
def removed_afterwards(tenant) -> Iterator[None]:
    yield
    with contextlib.suppress(NotFound):
        ringcloud.remove(tenant.account_id)


def test_the_cli_sets_the_allowed_countries_and_types(tenant, removed_afterwards, capsys):
    assert admin(tenant.account_id, "--allow-countries", "pl, DE,PL", "--allow-types", "VOIP,premium-rate") == 0

    shown = json.loads(capsys.readouterr().out)
    assert (shown["allowed_countries"], shown["allowed_types"]) == (["DE", "PL"], ["voip", "premium-rate"])
    stored, _ = ringcloud_dal.get_config_and_status(tenant.account_id)
    assert stored is not None
    assert (stored["allowed_countries"], stored["allowed_types"]) == (["DE", "PL"], ["voip", "premium-rate"])
    # ... and setting the config again without them goes back to the default policy
    assert admin(tenant.account_id) == 0
    stored, _ = ringcloud_dal.get_config_and_status(tenant.account_id)
    assert stored is not None and (stored["allowed_countries"], stored["allowed_types"]) == ([], [])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--allow-countries", "PL,XX"], "'XX': not a country code (ISO 3166 alpha-2, e.g. PL) (--allow-countries)"),
        (["--allow-countries", "001"], "'001': not a country code"),  # libphonenumber's international networks
        (["--allow-countries", "POL"], "'POL': not a country code"),
        (
            ["--allow-types", "voip,premium"],
            "'premium': not a number type that can be allowed; choose from voip, "
            "premium-rate, shared-cost, personal, pager, uan, voicemail",
        ),
        (["--allow-types", "unknown"], "'unknown': not a number type that can be allowed"),
        (["--allow-types", "mobile"], "(fixed-line, mobile, fixed-line-or-mobile, toll-free are always allowed)"),
    ],
)
def test_bad_allowed_countries_or_types_exit_1_naming_the_problem(tenant, options, message, capsys):
    assert admin(tenant.account_id, *options) == 1

    assert message in capsys.readouterr().err
    assert ringcloud_dal.get_config_and_status(tenant.account_id) == (None, None)
