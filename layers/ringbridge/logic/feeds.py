"""Ringio's change feeds: what was created, updated or deleted since a moment, without ever missing one.

Why a change could be missed, and how it is not: a writer stamps ``updated_at`` with its own clock
*before* its write commits, and the change index (a GSI) is read eventually consistent. So a change
stamped 12:00:00.100 may become readable only after a poll at 12:00:00.200 has looked at that
moment. The ``timestamp`` a feed answers (the client's next ``since``) therefore stays a safety lag
(``FEED_SAFETY_LAG_SECONDS``, default 30 s) behind the moment the feed started reading. That is more
than a write can take from stamp to commit (the stamp is taken just before the transaction, and the
DynamoDB client gives up after 3 attempts of at most 2 s connect + 5 s read, about 24 s with
backoff), plus the index's propagation and clock skew: every change stamped before the timestamp is
readable by then, and every later one is read again by the next poll. A change may be reported more
than once, never zero times.

Pages: one Query each. While more remain, the answer has ``next``; the client calls again with the
same ``since`` and ``cursor=next``. The moment the first page was read travels in the cursor, so a
later page's ``timestamp`` never claims more than the first page saw. Every page's ``timestamp`` is
also safe as a ``since`` by itself (it never passes the last change on the page).
"""

import base64
import binascii
import json
from datetime import timedelta

from ringbridge import clock, settings
from ringbridge.account_scope import AccountScope
from ringbridge.dal import accounts as accounts_dal
from ringbridge.dal import feeds as dal
from ringbridge.dal.pagination import MAX_KEY_BYTES
from ringbridge.errors import Gone, InvalidInput, NotFound, RingbridgeError
from ringbridge.models.ringio_read import Feed

DEFAULT_PAGE = 1000
MAX_PAGE = 1000
SINCE_FORMAT = "an ISO 8601 UTC time, e.g. 2026-01-31T12:00:00.000Z"
# Kinds whose deletions leave tombstones: a ``since`` older than their retention cannot be answered.
WITH_TOMBSTONES = frozenset({"CONTACT", "NOTE", "USER"})  # users: `ringbridge admin remove-user`


class InvalidSince(RingbridgeError):
    status = 400
    code = "invalid_since"


def account_feed(
    scope: AccountScope, account_id: str, entity: str, since: str | None, limit: int, cursor: str | None
) -> Feed:
    if account_id != scope.account_id:
        raise NotFound("no such account", field="account_id")
    return _feed(scope, entity, since, limit, cursor, owner_id=None)


def user_contacts_feed(scope: AccountScope, user_id: str, since: str | None, limit: int, cursor: str | None) -> Feed:
    """The changes of the contacts a user owns; a contact given to someone else counts as deleted."""
    if accounts_dal.get_user(scope.account_id, user_id) is None:
        raise NotFound("no such user", field="user_id")
    return _feed(scope, "CONTACT", since, limit, cursor, owner_id=user_id)


def _feed(
    scope: AccountScope, entity: str, since: str | None, limit: int, cursor: str | None, owner_id: str | None
) -> Feed:
    since_key = _since_key(since, entity)
    feed_name = f"{entity}:{owner_id or ''}"
    if cursor:
        horizon, start = _decode(cursor, feed_name, since_key)
    else:
        horizon, start = clock.iso(clock.now() - timedelta(seconds=settings.current().feed_safety_lag_seconds)), None
    page = dal.query_changes(scope.account_id, entity, since_key, limit, start, owner_id)
    latest: dict[str, dal.Change] = {}
    for change in page.changes:  # in time order: the last change of an id wins
        latest.pop(change.id, None)
        latest[change.id] = change
    timestamp = horizon
    next_cursor = None
    if page.last_sk and page.last_chg_sk:
        timestamp = min(horizon, page.changes[-1].at) if page.changes else since_key
        next_cursor = _encode(feed_name, since_key, horizon, page.last_chg_sk, page.last_sk)
    return Feed(
        updated=[change.id for change in latest.values() if not change.deleted],
        deleted=[change.id for change in latest.values() if change.deleted],
        timestamp=max(timestamp, since_key),  # never backwards: a since ahead of the horizon is kept
        next=next_cursor,
    )


def _since_key(since: str | None, entity: str) -> str:
    """``since`` as the CHG_SK prefix it compares with (ISO 8601 UTC, milliseconds); 400 or 410 when unusable."""
    if not since or not since.strip():
        raise InvalidSince(f"since is required: {SINCE_FORMAT}", field="since")
    try:
        moment = clock.parse_iso(since)
    except ValueError:
        raise InvalidSince(f"{since!r} is not {SINCE_FORMAT}", field="since") from None
    if moment > clock.now():
        # A client storing this timestamp would skip every change until then: refuse it.
        raise InvalidSince("since is in the future: pass the timestamp of the previous answer", field="since")
    if entity in WITH_TOMBSTONES:
        oldest = clock.now() - timedelta(seconds=settings.current().tombstone_retention_seconds)
        if moment < oldest:
            raise Gone(
                f"since is older than the {settings.current().tombstone_retention_days:g} days deletions are kept:"
                " read everything again, then poll from the timestamp of that read",
                field="since",
            )
    return clock.iso(moment)


def _encode(feed_name: str, since_key: str, horizon: str, chg_sk: str, sk: str) -> str:
    state = {"f": feed_name, "s": since_key, "h": horizon, "c": chg_sk, "k": sk}
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str, feed_name: str, since_key: str) -> tuple[str, tuple[str, str]]:
    """The horizon and start key of a cursor this feed issued for this ``since``; 422 otherwise."""
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        horizon, chg_sk, sk = state["h"], state["c"], state["k"]
        valid = state["f"] == feed_name and state["s"] == since_key and chg_sk >= since_key
        valid = valid and all(isinstance(value, str) for value in (horizon, chg_sk, sk))
        valid = valid and all(len(key.encode()) <= MAX_KEY_BYTES for key in (chg_sk, sk))
    except (binascii.Error, ValueError, UnicodeDecodeError, KeyError, TypeError):
        valid = False
    if not valid:
        raise InvalidInput("is not a cursor this feed returned for this since", field="cursor")
    return horizon, (chg_sk, sk)
