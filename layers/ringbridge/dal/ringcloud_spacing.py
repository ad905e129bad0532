"""RingCloud's request spacing, kept where every process sees it: one conditional write per request.

    PK            SK                                                       what
    ACCOUNT#<a>   RINGCLOUD#SPACING#<sha256(key)>#<sha256(method url)>     next_at: epoch ms before which no
                                                                           process sends it again (TTL'd)

RingCloud counts requests per API key and, within a key, per identical URL. The import (a schedule and
a manual invoke may follow each other closely) and click-to-call run in separate processes, so each
request first claims its URL's turn here. The key is in the item key as a hash only, under the account
that configured it: an account that configures another's key cannot hold back that account's turns.
"""

import hashlib

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.table import account_pk, from_item, to_item

SK_PREFIX = "RINGCLOUD#SPACING#"
TTL_MARGIN_SECONDS = 60  # a claim is useless once next_at has passed; DynamoDB's TTL removes it after


def spacing_sk(api_key: str, request: str) -> str:
    """``request`` is the method and the URL without credentials: ``GET /v1/calls/complete?days=1``."""
    key_hash = hashlib.sha256(api_key.encode()).hexdigest()
    request_hash = hashlib.sha256(request.encode()).hexdigest()  # a fixed length, however long the URL
    return f"{SK_PREFIX}{key_hash}#{request_hash}"


def take_turn(account_id: str, api_key: str, request: str, now_ms: int, spacing_ms: int) -> int | None:
    """Claim the request's turn now, so that no process sends it again for ``spacing_ms``.

    Answers None when the turn was taken; otherwise the epoch ms at which it frees (another request
    took it), having written nothing.
    """
    return claim_slot(account_pk(account_id), spacing_sk(api_key, request), now_ms, spacing_ms)


def claim_slot(pk: str, sk: str, now_ms: int, window_ms: int) -> int | None:
    """One conditional write, atomic across processes: the item says no one else may go before
    ``now_ms + window_ms``, unless an earlier claim still holds (then its ``next_at`` is answered).
    Click-to-call's slot (dal.ringcloud.take_originate_slot) is one too."""
    next_at = now_ms + window_ms
    client = aws.dynamodb()
    try:
        client.put_item(
            TableName=table.name(),
            Item=to_item({"PK": pk, "SK": sk, "next_at": next_at, "expires_at": next_at // 1000 + TTL_MARGIN_SECONDS}),
            ConditionExpression="attribute_not_exists(PK) OR next_at <= :now",
            ExpressionAttributeValues={":now": {"N": str(now_ms)}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except client.exceptions.ConditionalCheckFailedException as error:
        return int(from_item(error.response["Item"])["next_at"])
    return None
