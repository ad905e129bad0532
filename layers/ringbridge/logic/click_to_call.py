"""Click-to-call: RingCloud rings a CRM user's phone, then dials the number when the user answers.

RingCloud allows one call origination per 5 s per key. Every check that can fail on the
client's input runs first (the account's dialling policy among them: _check_dialling_policy); then
one conditional write in DynamoDB takes the key's slot, so that across any number of Lambda
instances at most one request per window reaches RingCloud: the others answer 429 with
Retry-After and are never sent to be refused there.
"""

import math

import requests

from ringbridge import clock, phones
from ringbridge.account_scope import AccountScope
from ringbridge.budget import Budget, OutOfTime
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import contacts as contacts_dal
from ringbridge.dal import ringcloud as dal
from ringbridge.errors import BadGateway, Conflict, InvalidInput, TooManyRequests
from ringbridge.logic import ringcloud
from ringbridge.models.ringcloud import DIALLED_TYPES, CallStarted, ClickToCall, RingcloudConfig, RingcloudStatus
from ringbridge.ringcloud_client import RingcloudError, Unavailable

# RingCloud's 5 s, plus a margin for the time between our slot write and the request's arrival there.
ORIGINATE_WINDOW_MS = 5_500
REQUEST_BUDGET_SECONDS = 8.0  # the function's timeout is 10 s


def start_call(scope: AccountScope, request: ClickToCall) -> CallStarted:
    account_id = scope.account_id
    config_item, status_item = dal.get_config_and_status(account_id)
    if config_item is None:
        raise Conflict("RingCloud is not configured for this account (ringbridge admin ringcloud-config)")
    config = RingcloudConfig(**config_item)
    if config.rw_api_key is None:
        raise Conflict(
            "this account's RingCloud config has no RW key, which starting a call needs "
            "(ringbridge admin ringcloud-config … --rw-api-key KEY --rw-password PASS)"
        )
    if (request.number is None) == (request.contact_id is None):
        raise InvalidInput("give either number or contact_id (exactly one)", field="number")
    user_id, extension = _user(account_id, request.user_id)
    number, contact_id = _number(scope, request, config)
    budget = Budget(REQUEST_BUDGET_SECONDS)
    with requests.Session() as session:
        try:
            name = RingcloudStatus(**(status_item or {})).users.get(extension) or _fetch_user_name(
                session, account_id, config, extension, budget
            )
            client = ringcloud.client(session, account_id, config, ringcloud.RW)
            _take_slot(account_id)
            client.originate(name, number, budget)
        except Unavailable as error:
            if error.status == 429:  # the key is also used elsewhere
                raise TooManyRequests(f"{error}; try again later", retry_after=5) from None
            raise BadGateway(str(error)) from None
        except RingcloudError as error:
            raise BadGateway(str(error)) from None
        except OutOfTime:
            raise BadGateway("RingCloud did not answer in time") from None
    return CallStarted(user_id=user_id, extension=extension, ringcloud_user=name, number=number, contact_id=contact_id)


def _user(account_id: str, reference: str) -> tuple[str, str]:
    """The CRM user (by id or extension) and its extension."""
    users = accounts_dal.list_users(account_id)
    user = next((u for u in users if u["id"] == reference), None) or next(
        (u for u in users if u.get("extension") == reference), None
    )
    if user is None:
        raise InvalidInput("is neither a user id nor the extension of a user of this account", field="user_id")
    if not user.get("extension"):
        raise InvalidInput("this user has no extension, so there is no RingCloud phone to ring", field="user_id")
    return user["id"], str(user["extension"])


def _number(scope: AccountScope, request: ClickToCall, config: RingcloudConfig) -> tuple[str, str | None]:
    """The number to dial as RingCloud wants it (digits, no +), and the contact it came from.

    Refused (422, naming the field the number came from) unless the account's dialling policy allows it.
    """
    if request.number is not None:
        text, field, contact_id = request.number, "number", None
    else:
        assert request.contact_id is not None
        contact = contacts_dal.get_contact(scope.account_id, request.contact_id)
        if contact is None:
            raise InvalidInput("is not a contact of this account", field="contact_id")
        if not contact.get("phones"):
            raise InvalidInput("this contact has no phone number", field="contact_id")
        text, field, contact_id = contact["phones"][0]["e164"], "contact_id", request.contact_id
    number = phones.classify(text, scope.region, field=field)
    _check_dialling_policy(number, scope.region, config, field)
    return number.e164.removeprefix("+"), contact_id


def _check_dialling_policy(number: phones.Classified, home: str, config: RingcloudConfig, field: str) -> None:
    """Refuse what the account's dialling policy does not allow, before anything reaches RingCloud.

    Toll fraud through a leaked rw token dials numbers that pay their owner per minute: premium-rate and
    shared-cost services, far countries, international networks (+882, +979, ...). By default the account's
    own country's fixed lines, mobiles and toll-free numbers are dialled; an admin can allow more.
    """
    if number.extension:
        raise InvalidInput(
            f"has an extension ({number.extension}), which RingCloud would not dial: give the number alone, "
            "and dial the extension once the call is answered",
            field=field,
        )
    if number.type == phones.UNKNOWN_TYPE:
        raise InvalidInput(
            f"{number.e164} is not in the numbering plan of +{number.country_code}, so its type is unknown: "
            "numbers of unknown type are not allowed by this account's dialling policy",
            field=field,
        )
    if number.region == phones.NON_GEOGRAPHIC:
        raise InvalidInput(
            f"+{number.country_code} is an international network or service, not a country: its numbers are "
            "not allowed by this account's dialling policy",
            field=field,
        )
    countries = list(dict.fromkeys([home, *config.allowed_countries]))
    if number.region not in countries:
        raise InvalidInput(
            f"calls to +{number.country_code} ({number.region}) are not allowed: this account dials "
            f"{', '.join(countries)}; an admin can allow more with ringcloud-config --allow-countries",
            field=field,
        )
    if number.type not in (*DIALLED_TYPES, *config.allowed_types):
        raise InvalidInput(
            f"{number.type} numbers are not allowed by this account's dialling policy; an admin can allow them "
            f"with ringcloud-config --allow-types {number.type}",
            field=field,
        )


def _fetch_user_name(
    session: requests.Session, account_id: str, config: RingcloudConfig, extension: str, budget: Budget
) -> str:
    """The RingCloud user name of an extension the last import did not know: GET /v1/users (RO key)."""
    names = ringcloud.client(session, account_id, config, ringcloud.RO).user_names(budget)
    dal.put_users(account_id, names)
    if extension not in names:
        raise InvalidInput(f"extension {extension} of this user is not a RingCloud user's", field="user_id")
    return names[extension]


def _take_slot(account_id: str) -> None:
    now_ms = int(clock.now().timestamp() * 1000)
    frees_at = dal.take_originate_slot(account_id, now_ms, ORIGINATE_WINDOW_MS)
    if frees_at is not None:
        wait = max(1, math.ceil((frees_at - now_ms) / 1000))
        raise TooManyRequests(
            f"RingCloud starts one call per 5 s per key; try again in {wait} s", retry_after=wait, field=None
        )
