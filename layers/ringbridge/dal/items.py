"""The items the DAL stores and answers, as the table holds them: types for mypy, nothing that runs.

Every module imports these under ``TYPE_CHECKING`` only, so no function loads this module. Each kind
has its attributes, ``<Kind>Item``: what the DAL takes and answers (``table.strip_keys`` leaves the
keys out of what it reads), and, where it is written, ``Stored<Kind>``: the same under its keys (a
copy under other keys, or an item only ever written, is named for what it is: ``PhoneCopy``,
``ExtensionClaim``). ``<Kind>Reads``: several items read together, by name (a ``read_for_write``).

``table.to_item`` leaves a None out of the item (absent, not NULL): an optional attribute is
``NotRequired[X | None]``, which a write may pass as None and a read finds absent.
"""

from typing import Literal, NotRequired, TypedDict

from ringbridge.models.activities import Direction, Status
from ringbridge.models.contacts import DataRel, PhoneType

Scope = Literal["ro", "rw"]


class Keys(TypedDict):
    PK: str  # ACCOUNT#<account id> (a contact's copy per number: ACCOUNT#<a>#PHONE#<e164>)
    SK: str  # <KIND>#<id>: table.py lists them


class ChangeKeys(Keys):
    """The keys of an item in the ChangesIndex: an account's changes of one kind, in time order."""

    CHG_PK: str  # ACCOUNT#<a>#<KIND>
    CHG_SK: str  # <updated_at>#<id>


# --- accounts, users, API tokens (dal.accounts) ---


class AccountItem(TypedDict):
    id: str
    name: str
    region: str  # ISO 3166 code: how the account's phone numbers are read
    created_at: str
    recording_retention_days: NotRequired[int]  # its own, shorter than the deployment's


class StoredAccount(AccountItem, Keys):
    pass


class ApiTokenItem(TypedDict):
    key_id: str
    scope: Scope
    secret_hash: str  # SHA-256 of the secret: the token itself is never stored
    created_at: str
    rate_limit_per_minute: NotRequired[int]
    revoked_at: NotRequired[str]


class UserItem(TypedDict):
    id: str
    name: str
    email: NotRequired[str | None]
    extension: NotRequired[str | None]  # unique in the account (its USEREXT# claim)
    phone: NotRequired[str | None]
    created_at: str
    updated_at: str


class StoredUser(UserItem, ChangeKeys):
    pass


class ExtensionClaim(Keys):
    """USEREXT#<extension>: which user has the extension, written in the user's transaction."""

    user_id: str


# --- contacts, organizations, idempotency records (dal.contacts) ---


class PhoneItem(TypedDict):
    number: str  # as typed
    type: PhoneType
    e164: str  # what FindContact matches


class ContactDatumItem(TypedDict):
    type: Literal["im", "website", "address"]
    value: str
    rel: DataRel


class ContactItem(TypedDict):
    id: str
    first_name: NotRequired[str | None]
    last_name: NotRequired[str | None]
    job_title: NotRequired[str | None]
    company_name: NotRequired[str | None]
    organization_id: NotRequired[str | None]
    owner_id: NotRequired[str | None]
    phones: list[PhoneItem]
    emails: list[str]
    version: int
    created_at: str
    updated_at: str
    # Set through the Ringio API only.
    hidden: NotRequired[bool]
    groups: NotRequired[list[str]]
    extra_data: NotRequired[list[ContactDatumItem]]
    data_rels: NotRequired[dict[str, DataRel]]  # Ringio's rel by "<type>:<value>"
    erased_at: NotRequired[str]  # blanked by an erasure, which deletes it next


class StoredContact(ContactItem, ChangeKeys):
    # ACCOUNT#<a>#OWNER#<user id>#CONTACT, when it has an owner: the OwnerChangesIndex, one user's contacts.
    OWNER_CHG_PK: NotRequired[str | None]


class PhoneCopy(ContactItem, Keys):
    """The whole contact again under ACCOUNT#<a>#PHONE#<e164>, one per number: FindContact's Query."""


class OrganizationItem(TypedDict):
    id: str
    name: str
    created_at: str
    updated_at: str


class StoredOrganization(OrganizationItem, ChangeKeys):
    pass


class OrganizationNameItem(TypedDict):
    """ORGNAME#<name, casefolded>: the organization of that name (the item makes a name unique)."""

    organization_id: str


class StoredOrganizationName(OrganizationNameItem, Keys):
    pass


class IdempotencyRecord(TypedDict):
    """IDEMPOTENCY#<operation>#<key>: the first answer to a request sent with an Idempotency-Key."""

    request_hash: str  # SHA-256 of the request's body: the same key with another body is refused
    response: ContactItem
    expires_at: NotRequired[int]  # TTL, epoch seconds: always written, never read (strip_keys leaves it out)


class ContactReads(TypedDict):
    """What a contact write depends on (contacts.read_for_write); None: absent, or not asked."""

    contact: ContactItem | None
    owner: UserItem | None
    organization_name: OrganizationNameItem | None


# --- notes (dal.notes) ---


class NoteItem(TypedDict):
    id: str
    contact_id: str
    author_id: NotRequired[str | None]
    body: str
    version: int
    created_at: str
    updated_at: str


class StoredNote(NoteItem, ChangeKeys):
    pass


class NoteCopy(NoteItem, Keys):
    """NOTEOF#<contact id>#<note id>: the whole note again, so a contact's notes are one Query."""


class NoteReads(TypedDict):
    """What a note write depends on (notes.read_for_write); None: absent, or not asked."""

    note: NoteItem | None
    contact: ContactItem | None
    author: UserItem | None


# --- activities and recordings (dal.activities, dal.recordings) ---


class RecordingItem(TypedDict):
    key: str  # the S3 object's: a new one for each upload
    content_type: str
    size_bytes: int
    uploaded_at: str  # what the retention counts from


class ActivityItem(TypedDict):
    id: str
    call_id: str  # Ringotel's: unique in the account (the CALL# copy)
    direction: NotRequired[Direction | None]  # None only on a placeholder that awaits its start
    direction_given: NotRequired[str | None]  # the text sent, when it meant no direction we know
    status: Status
    caller_number: NotRequired[str | None]
    called_number: NotRequired[str | None]
    user_id: NotRequired[str | None]
    contact_id: NotRequired[str | None]
    subject: NotRequired[str | None]
    comment: NotRequired[str | None]
    disposition: NotRequired[str | None]
    started_at: NotRequired[str | None]
    ended_at: NotRequired[str | None]
    duration_seconds: NotRequired[int | None]
    cause: NotRequired[str | None]
    recording: NotRequired[RecordingItem | None]
    recording_deleted_at: NotRequired[str]  # the retention deleted its recording then
    awaiting_start: NotRequired[bool]  # a placeholder written by a stop that came before its start
    anonymised_at: NotRequired[str]  # an erased contact's numbers and texts are gone from it
    version: int
    created_at: str
    updated_at: str


class StoredActivity(ActivityItem, ChangeKeys):
    pass


class CallCopy(ActivityItem, Keys):
    """CALL#<call id>: the whole activity again, by Ringotel's call id (its put makes the call id unique)."""


class ActivityReads(TypedDict):
    """An activity named by its id or call id, and a contact (activities.read_for_write); None: absent."""

    activity: ActivityItem | None
    contact: ContactItem | None


# --- change feeds (dal.feeds) ---


class StoredTombstone(Keys):
    """TOMBSTONE#<KIND>#<id>: a deleted item, in the feeds until its TTL (``#OWNER#<user>``: a contact that
    left that owner, only in the owner's feed: it has no CHG_PK)."""

    CHG_PK: NotRequired[str]
    CHG_SK: str  # <deleted_at>#<id>
    OWNER_CHG_PK: NotRequired[str | None]
    id: str
    deleted_at: str
    expires_at: int  # TTL, epoch seconds


# --- OAuth2 (dal.oauth): its reads answer items whole, keys included ---


class OAuthClientItem(TypedDict):
    client_id: str
    name: str
    redirect_uris: list[str]
    secret_hash: str
    require_pkce: NotRequired[bool]  # absent on clients registered before it could be asked
    created_at: str
    revoked_at: NotRequired[str]  # ends every token of the client


class StoredOAuthClient(OAuthClientItem, Keys):
    pass


class OAuthCodeItem(TypedDict):
    secret_hash: str
    grant_id: str  # the grant its exchange creates
    scope: Scope
    redirect_uri: NotRequired[str | None]
    redirect_uri_sent: bool  # the authorization request named it: the token request must too
    code_challenge: NotRequired[str | None]
    code_challenge_method: NotRequired[str | None]
    approved_by: NotRequired[str | None]
    created_at: str
    expires_at: int  # TTL, epoch seconds
    used_at: NotRequired[str]  # spent: a second use revokes its grant


class StoredOAuthCode(OAuthCodeItem, Keys):
    pass


class OAuthGrantItem(TypedDict):
    scope: Scope
    approved_by: NotRequired[str | None]
    created_at: str
    revoked_at: NotRequired[str]  # ends every token of the grant


class StoredOAuthGrant(OAuthGrantItem, Keys):
    pass


class OAuthTokenItem(TypedDict):
    secret_hash: str
    created_at: str
    expires_at: int  # TTL, epoch seconds
    scope: NotRequired[Scope]  # access tokens only (a refresh token's is its grant's)
    used_at: NotRequired[str]  # a refresh token, once rotated


class StoredOAuthToken(OAuthTokenItem, Keys):
    pass


class TokenReads(TypedDict):
    """An OAuth2 token and what it depends on, in one BatchGetItem (oauth.get_token); None: absent, or not asked."""

    token: StoredOAuthToken | None
    grant: StoredOAuthGrant | None
    client: StoredOAuthClient | None
    account: StoredAccount | None
