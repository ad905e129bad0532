"""A downloaded recording smaller than one S3 part is one PutObject, not a multipart upload's three requests
(each billed as a PUT; issue 24, docs/performance.md "What one call costs"); from one part on, it goes in parts."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from ringbridge import aws, settings
from ringbridge.logic.recordings import PART_BYTES
from tests.audio_server import audio_bytes
from tests.support.api import call


@contextmanager
def s3_requests() -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counted.update([model.name])

    aws.s3().meta.events.register("before-call.s3", count)
    try:
        yield counted
    finally:
        aws.s3().meta.events.unregister("before-call.s3", count)


def store(tenant, activity, url: str) -> tuple[dict[str, Any], Counter[str]]:
    with s3_requests() as counted:
        answer = call(
            "PUT", f"/ringotel/activities/{activity['id']}/recording", tenant.rw_token, json_body={"url": url}
        )
    assert answer.status == 200, answer.body
    return answer.body["recording"], counted


def stored(recording: dict[str, Any]) -> bytes:
    answer = boto3.client("s3").get_object(Bucket=settings.current().recordings_bucket, Key=recording["key"])
    return answer["Body"].read()


def test_a_recording_of_one_byte_less_than_a_part_is_one_put(tenant, activity, files) -> None:
    size = PART_BYTES - 1
    recording, counted = store(tenant, activity, f"{files}/audio.mp3?size={size}")

    assert counted == Counter({"PutObject": 1})
    assert recording["size_bytes"] == size and stored(recording) == audio_bytes(size)


def test_a_recording_of_exactly_one_part_goes_as_a_multipart_upload(tenant, activity, files) -> None:
    recording, counted = store(tenant, activity, f"{files}/stream?size={PART_BYTES}")

    assert counted == Counter({"CreateMultipartUpload": 1, "UploadPart": 1, "CompleteMultipartUpload": 1})
    assert recording["size_bytes"] == PART_BYTES and len(stored(recording)) == PART_BYTES
