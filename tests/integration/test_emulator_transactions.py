"""The emulator's transactions as DynamoDB's: a cancelled one leaves every item as it was and adds
nothing to the table's stream, and the stream goes on with the next write."""

import uuid

import boto3
import pytest

from ringbridge import aws
from ringbridge.dal import table


def test_a_cancelled_transaction_leaves_every_item_as_it_was_and_the_stream_goes_on():
    client, name, pk = aws.dynamodb(), table.name(), f"EMULATOR#{uuid.uuid4().hex}"

    def key(sk: str) -> dict:
        return {"PK": {"S": pk}, "SK": {"S": sk}}

    def item(sk: str) -> dict | None:
        return client.get_item(TableName=name, Key=key(sk), ConsistentRead=True).get("Item")

    client.put_item(TableName=name, Item=key("UPDATED") | {"n": {"N": "1"}})
    client.put_item(TableName=name, Item=key("DELETED") | {"n": {"N": "1"}})
    client.put_item(TableName=name, Item=key("UNNAMED") | {"n": {"N": "1"}})
    stream_arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]

    def stream_since(after: str) -> tuple[list[tuple[str, str]], str]:
        """(event, sort key) of this test's records after the iterator, and the next iterator."""
        answer = streams.get_records(ShardIterator=after)
        ours = [r for r in answer["Records"] if r["dynamodb"]["Keys"]["PK"]["S"] == pk]
        return [(r["eventName"], r["dynamodb"]["Keys"]["SK"]["S"]) for r in ours], answer["NextShardIterator"]

    # A transaction whose first three writes apply before its last condition fails
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": key("CREATED") | {"n": {"N": "1"}}}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": key("UPDATED"),
                        "UpdateExpression": "SET n = :two",
                        "ExpressionAttributeValues": {":two": {"N": "2"}},
                    }
                },
                {"Delete": {"TableName": name, "Key": key("DELETED")}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": key("MISSING"),
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )

    assert item("CREATED") is None
    assert item("UPDATED") == key("UPDATED") | {"n": {"N": "1"}}
    assert item("DELETED") == key("DELETED") | {"n": {"N": "1"}}
    assert item("UNNAMED") == key("UNNAMED") | {"n": {"N": "1"}}
    records, iterator = stream_since(iterator)
    assert records == []

    # The stream still reports the writes that follow
    client.put_item(TableName=name, Item=key("AFTER"))
    records, _ = stream_since(iterator)
    assert records == [("INSERT", "AFTER")]
