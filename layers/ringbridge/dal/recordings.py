"""Call recordings in the private S3 bucket, under keys scoped by account and activity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ringbridge import aws, ids, settings
from ringbridge.dal import table
from ringbridge.dal.accounts import ACCOUNT_SK
from ringbridge.dal.activities import activity_sk, call_sk

if TYPE_CHECKING:
    from ringbridge.dal.items import AccountItem, ActivityItem


def object_key(account_id: str, activity_id: str, extension: str) -> str:
    """A new key for each upload, so a replacement never overwrites what an activity still points at."""
    return f"accounts/{account_id}/activities/{activity_id}/recording-{ids.new_id()}.{extension}"


def activity_and_account(account_id: str, reference: str) -> tuple[ActivityItem | None, AccountItem | None]:
    """The activity named by its id or its call id (the id wins), and its account (which holds the account's
    recording retention; None: it is being deleted): one BatchGetItem, as reading the activity alone."""
    by_sk = table.get_items(account_id, [activity_sk(reference), call_sk(reference), ACCOUNT_SK])
    activity = by_sk.get(activity_sk(reference)) or by_sk.get(call_sk(reference))
    return cast("ActivityItem | None", activity), cast("AccountItem | None", by_sk.get(ACCOUNT_SK))


def put_object(key: str, body: bytes, content_type: str) -> None:
    aws.s3().put_object(Bucket=settings.current().recordings_bucket, Key=key, Body=body, ContentType=content_type)


def delete_object(key: str) -> None:
    aws.s3().delete_object(Bucket=settings.current().recordings_bucket, Key=key)


def presigned_get(key: str, expires_seconds: int) -> str:
    return aws.s3().generate_presigned_url(
        "get_object", Params={"Bucket": settings.current().recordings_bucket, "Key": key}, ExpiresIn=expires_seconds
    )


class MultipartUpload:
    """One S3 multipart upload: parts in order, then complete, or abort (leaving nothing behind).

    The multipart upload begins with the first part; a file that is only its last part (most recordings: a
    minute is about 1 MB, a part 8 MiB) is one PutObject at ``complete``, one request rather than three.
    """

    def __init__(self, key: str, content_type: str) -> None:
        self.key = key
        self._content_type = content_type
        self._bucket = settings.current().recordings_bucket
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def upload_part(self, data: bytes | bytearray) -> None:
        if self._upload_id is None:
            answer = aws.s3().create_multipart_upload(Bucket=self._bucket, Key=self.key, ContentType=self._content_type)
            self._upload_id = answer["UploadId"]
        number = len(self._parts) + 1
        answer = aws.s3().upload_part(
            Bucket=self._bucket, Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=data
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self, last: bytes | bytearray) -> None:
        """Store the file, ``last`` its last part (smaller than the others, or empty)."""
        if self._upload_id is None:
            put_object(self.key, bytes(last), self._content_type)
            return
        if last:
            self.upload_part(last)
        aws.s3().complete_multipart_upload(
            Bucket=self._bucket, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )

    def abort(self) -> None:
        if self._upload_id is not None:
            aws.s3().abort_multipart_upload(Bucket=self._bucket, Key=self.key, UploadId=self._upload_id)
