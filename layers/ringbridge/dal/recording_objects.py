"""The recordings bucket by key prefix: an activity's or a whole account's objects, every version of each."""

from collections.abc import Callable, Iterator
from typing import Any

from ringbridge import aws, settings

LIST_MAX_KEYS = 1000  # ListObjectVersions' page, and DeleteObjects' limit
ACCOUNTS_PREFIX = "accounts/"

# Picks from one listing's versions and delete markers those to take.
Chooser = Callable[[list[dict[str, Any]], list[dict[str, Any]]], list[dict[str, Any]]]


def activity_prefix(account_id: str, activity_id: str) -> str:
    return f"{account_prefix(account_id)}activities/{activity_id}/"


def account_prefix(account_id: str) -> str:
    return f"{ACCOUNTS_PREFIX}{account_id}/"


def account_ids(after: str | None) -> Iterator[str]:
    """The accounts with anything in the bucket (a version or a delete marker), in order, after ``after``.

    One ListObjectVersions per 1,000 accounts (``Delimiter``: an account is one common prefix, however
    many objects it holds). Emulators differ on whether the marker's own prefix comes again: it is
    skipped here.
    """
    request = {"Bucket": settings.current().recordings_bucket, "Prefix": ACCOUNTS_PREFIX, "Delimiter": "/"}
    if after:
        request["KeyMarker"] = account_prefix(after)
    while True:
        answer = aws.s3().list_object_versions(**request, MaxKeys=LIST_MAX_KEYS)
        for common in answer.get("CommonPrefixes", []):
            account_id = common["Prefix"].removeprefix(ACCOUNTS_PREFIX).removesuffix("/")
            if after is None or account_id > after:
                yield account_id
        if not answer.get("IsTruncated"):
            return
        request["KeyMarker"] = answer["NextKeyMarker"]


def version_pages(prefix: str, chosen: Chooser | None = None) -> Iterator[list[dict[str, str]]]:
    """Versions and delete markers under ``prefix`` ({"Key", "VersionId"}), up to 1,000 at a time; with
    ``chosen``, only those it picks from each listing's versions and delete markers. Ends at a listing
    that has (or picks) none.

    Each page is listed again from the start of what is left: a caller deletes a page before taking
    the next. On a bucket without versioning each object is one version ("null"), so this finds
    every object there too.
    """
    while True:
        answer = aws.s3().list_object_versions(
            Bucket=settings.current().recordings_bucket, Prefix=prefix, MaxKeys=LIST_MAX_KEYS
        )
        versions, markers = answer.get("Versions", []), answer.get("DeleteMarkers", [])
        entries = chosen(versions, markers) if chosen else [*versions, *markers]
        if not entries:
            return
        yield [{"Key": entry["Key"], "VersionId": entry["VersionId"]} for entry in entries]


def delete_versions(versions: list[dict[str, str]]) -> int:
    """Delete these versions (at most 1,000; nothing left to restore); answers how many."""
    answer = aws.s3().delete_objects(
        Bucket=settings.current().recordings_bucket, Delete={"Objects": versions, "Quiet": True}
    )
    if answer.get("Errors"):
        failed = answer["Errors"][0]
        raise NotDeleted(f"S3 did not delete {failed['Key']}: {failed.get('Message')}")
    return len(versions)


class NotDeleted(Exception):
    """S3 refused to delete a version (a legal hold or a retention under Object Lock); says which, and why."""


def delete_recording(prefix: str, key: str) -> int:
    """Delete every version of ``key`` and of each key under ``prefix`` already deleted (its latest version a
    delete marker): a recording and those it replaced. A live object under any other key is a recording
    uploaded meanwhile (written before the activity names it), and is kept. Answers how many were deleted."""

    def recording_and_replaced(versions: list[dict[str, Any]], markers: list[dict[str, Any]]) -> list[dict[str, Any]]:
        replaced = {marker["Key"] for marker in markers if marker["IsLatest"]}
        return [entry for entry in [*versions, *markers] if entry["Key"] == key or entry["Key"] in replaced]

    return sum(delete_versions(page) for page in version_pages(prefix, recording_and_replaced))


def delete_under(prefix: str) -> int:
    """Delete every version of every object under ``prefix``; answers how many."""
    return sum(delete_versions(page) for page in version_pages(prefix))


def download(key: str, path: str) -> None:
    """The object into the file at ``path``, streamed (a managed transfer: flat memory whatever its size)."""
    aws.s3().download_file(settings.current().recordings_bucket, key, path)


def upload(path: str, key: str, content_type: str) -> None:
    """The file at ``path`` as the object ``key``, streamed (multipart past the transfer's threshold)."""
    aws.s3().upload_file(path, settings.current().recordings_bucket, key, ExtraArgs={"ContentType": content_type})
