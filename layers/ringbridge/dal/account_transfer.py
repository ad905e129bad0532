"""What exporting and importing an account read beyond the kinds' own modules (see logic.account_export)."""

from ringbridge import aws
from ringbridge.dal import table
from ringbridge.dal.table import account_pk


def has_any(account_id: str, prefix: str) -> bool:
    """Whether the account holds an item whose sort key starts with ``prefix`` (one Query of one item)."""
    answer = aws.dynamodb().query(
        TableName=table.name(),
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={":pk": {"S": account_pk(account_id)}, ":prefix": {"S": prefix}},
        ProjectionExpression="SK",
        ConsistentRead=True,
        Limit=1,
    )
    return bool(answer["Items"])
