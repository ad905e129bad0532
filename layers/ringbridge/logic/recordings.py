"""Call recordings: accept audio (request body, multipart file, or a URL we download), keep it in S3.

Each upload goes to a new key; the activity is then pointed at it and only after that is the
previous object deleted, so a failure at any step leaves either the old or the new recording,
never an orphan. Downloads stream into an S3 multipart upload, so memory stays bounded whatever
the file's size.
"""

import itertools
import re
from collections.abc import Iterator
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from ringbridge import clock, observability, settings
from ringbridge.account_scope import AccountScope
from ringbridge.dal import recordings as dal
from ringbridge.errors import InvalidInput, NotFound, PayloadTooLarge, RingbridgeError, UnsupportedMediaType, field_of
from ringbridge.logic import activities, recording_retention
from ringbridge.models.activities import Activity, RecordingLink, RecordingSource

if TYPE_CHECKING:
    from ringbridge.dal.items import ActivityItem, RecordingItem

PART_BYTES = 8 * 1024 * 1024  # S3 parts must be >= 5 MiB (but the last)
# Lambda bounds a request's payload at 6 MB (6,291,456 bytes); an audio body travels in it
# base64-encoded (4 bytes for 3) next to the headers and request context (16 KiB kept for them):
# about 4.5 MB of audio can come in a body. Anything larger must come by URL.
LAMBDA_REQUEST_MAX_BYTES = 6 * 1024 * 1024
REQUEST_ENVELOPE_BYTES = 16 * 1024
BODY_MAX_BYTES = (LAMBDA_REQUEST_MAX_BYTES - REQUEST_ENVELOPE_BYTES) * 3 // 4
CHUNK_BYTES = 256 * 1024
LINK_SECONDS = 300

_AUDIO_TYPE = re.compile(r"^audio/[a-z0-9][a-z0-9.+-]*$")
# Declared types that say nothing about the content: the bytes decide.
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_EXTENSIONS = {
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/wav": "wav",
    "audio/wave": "wav",
    "audio/x-wav": "wav",
    "audio/vnd.wave": "wav",
    "audio/ogg": "ogg",
    "audio/opus": "opus",
    "audio/webm": "webm",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/aac": "aac",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/amr": "amr",
    "audio/basic": "au",
}


def sniff(head: bytes) -> str | None:
    """The audio type that the first bytes of a file show, if any."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:3] == b"ID3":
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/aac" if head[1] & 0x06 == 0 else "audio/mpeg"  # layer bits 00: AAC's ADTS
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:5] == b"#!AMR":
        return "audio/amr"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head[:4] == b"\x1aE\xdf\xa3":
        return "audio/webm"
    if head[:4] == b".snd":
        return "audio/basic"
    return None


def audio_type(declared: str | None, head: bytes, field: str) -> str:
    """The content type to store: a declared audio/* type, or one read from the bytes; else 415."""
    media = (declared or "").split(";", 1)[0].strip().lower()
    if _AUDIO_TYPE.match(media):
        return media
    if media in _UNTYPED:
        sniffed = sniff(head)
        if sniffed:
            return sniffed
        raise UnsupportedMediaType("is not a recognizable audio file", field=field)
    raise UnsupportedMediaType(f"is {media!r}; a recording must be audio/*", field=field)


def _check_size(size: int, field: str) -> None:
    if size == 0:
        raise InvalidInput("is empty", field=field)
    limit = settings.current().recording_max_bytes
    if size > limit:
        raise PayloadTooLarge(f"is over the {limit} byte limit for a recording", field=field)


def store_upload(scope: AccountScope, reference: str, body: bytes, content_type: str | None) -> Activity:
    """UpdateCallRecording: the body's Content-Type says how the recording comes."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media == "application/json":
        return store_from_url(scope, reference, _source(body).url)
    if len(body) > BODY_MAX_BYTES:
        raise PayloadTooLarge(
            f"is {len(body)} bytes: Lambda bounds a request at 6 MB, which leaves {BODY_MAX_BYTES} bytes "
            '(about 4.5 MB) of audio once base64-encoded; send {"url": "https://..."} as application/json '
            "instead, and the recording is downloaded from there",
            field="body",
        )
    if media == "multipart/form-data":
        return store_form(scope, reference, body, content_type or "")
    return store_bytes(scope, reference, body, content_type)


def _source(body: bytes) -> RecordingSource:
    try:
        return RecordingSource.model_validate_json(body)
    except ValidationError as error:
        problem = error.errors()[0]
        if problem["type"] == "json_invalid":
            raise RingbridgeError("the body is not valid JSON", field="body") from None
        raise InvalidInput(problem["msg"], field=field_of(problem["loc"]) or "body") from None


def store_bytes(scope: AccountScope, reference: str, data: bytes, content_type: str | None) -> Activity:
    """The recording as the raw request body."""
    activity = _activity(scope, reference)  # 404 or 410 before anything is stored
    _check_size(len(data), "body")
    media = audio_type(content_type, data[:16], "Content-Type")
    key = dal.object_key(scope.account_id, activity["id"], _EXTENSIONS.get(media, "audio"))
    dal.put_object(key, data, media)
    return _attach(scope, activity, key, media, len(data))


def store_form(scope: AccountScope, reference: str, data: bytes, content_type: str) -> Activity:
    """The recording as the file of a multipart/form-data body (the first part with a filename, or "file")."""
    part = _file_part(data, content_type)
    payload = part.get_payload(decode=True)  # bytes for a non-multipart part, None when empty
    return store_bytes(
        scope,
        reference,
        payload if isinstance(payload, bytes) else b"",
        part.get_content_type() if part["content-type"] else None,
    )


def _file_part(data: bytes, content_type: str) -> Message:
    # The stdlib MIME parser reads multipart/form-data once it is given the Content-Type header.
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + data)
    parts = list(message.iter_parts()) if message.is_multipart() else []
    if not parts or message.defects:
        raise InvalidInput("is not a multipart/form-data body with a boundary", field="body")
    for part in parts:
        if part.get_filename() or part.get_param("name", header="content-disposition") == "file":
            return part
    raise InvalidInput("has no file part (a part with a filename, or named 'file')", field="file")


def store_from_url(scope: AccountScope, reference: str, url: str, *, seconds: float | None = None) -> Activity:
    """Download ``url`` into S3 in parts: memory holds one part whatever the file's size.

    ``seconds`` bounds the whole download (a scheduled run passes what its budget has left);
    by default, the downloads module's own bound.
    """
    # Imported here: only this path needs requests, and the other uploads start faster without it.
    from ringbridge import downloads

    activity = _activity(scope, reference)
    allow_loopback = settings.current().loopback_downloads_allowed
    with downloads.open_url(url, allow_loopback=allow_loopback, seconds=seconds) as download:
        declared_length = download.response.headers.get("content-length", "")
        if declared_length.isdigit():
            _check_size(int(declared_length), "url")
        chunks = download.chunks(CHUNK_BYTES)
        head = b""
        for chunk in chunks:  # enough bytes to tell the type before creating the upload
            head += chunk
            if len(head) >= 16:
                break
        _check_size(len(head), "url")
        media = audio_type(download.response.headers.get("content-type"), head[:16], "url")
        key = dal.object_key(scope.account_id, activity["id"], _EXTENSIONS.get(media, "audio"))
        upload = dal.MultipartUpload(key, media)
        try:
            size = _upload_parts(upload, head, chunks)
        except BaseException:
            upload.abort()
            raise
    return _attach(scope, activity, key, media, size)


def _upload_parts(upload: dal.MultipartUpload, head: bytes, chunks: Iterator[bytes]) -> int:
    """Send ``head`` and then ``chunks`` as parts of PART_BYTES through one reused buffer; answers the size.

    One preallocated buffer (rather than a growing one) keeps the allocator from holding on to
    a trail of freed part-sized blocks: resident memory stays near one part.
    """
    limit = settings.current().recording_max_bytes
    part = bytearray(PART_BYTES)
    filled = size = 0
    for chunk in itertools.chain([head], chunks):
        if size + filled + len(chunk) > limit:
            raise PayloadTooLarge(f"is over the {limit} byte limit for a recording", field="url")
        view = memoryview(chunk)
        while view:
            taken = min(len(view), PART_BYTES - filled)
            part[filled : filled + taken] = view[:taken]
            filled += taken
            view = view[taken:]
            if filled == PART_BYTES:
                upload.upload_part(part)
                size, filled = size + filled, 0
    upload.complete(part[:filled])  # a file of less than one part: one PutObject
    return size + filled


def _attach(scope: AccountScope, activity: "ActivityItem", key: str, media: str, size: int) -> Activity:
    recording: RecordingItem = {"key": key, "content_type": media, "size_bytes": size, "uploaded_at": clock.now_iso()}
    try:
        stored, previous = activities.set_recording(scope, activity, recording)
    except BaseException:
        dal.delete_object(key)  # the activity never pointed at it
        raise
    if previous and previous != key:
        dal.delete_object(previous)
    observability.count("RecordingsStored")
    observability.count("RecordingBytes", size, MetricUnit.Bytes)
    return stored


def _activity(scope: AccountScope, reference: str) -> "ActivityItem":
    """The activity's item; 404 if there is none, 410 if the retention deleted its recording (or is past it)."""
    found, account = dal.activity_and_account(scope.account_id, reference)
    if found is None:
        raise NotFound("no such activity", field="id")
    recording_retention.check_not_gone(found, recording_retention.effective_days(account))
    return found


def recording_link(scope: AccountScope, reference: str) -> RecordingLink:
    activity = Activity(**_activity(scope, reference))
    if activity.recording is None:
        raise NotFound("this activity has no recording yet", field="recording")
    return RecordingLink(
        url=dal.presigned_get(activity.recording.key, LINK_SECONDS),
        expires_in=LINK_SECONDS,
        content_type=activity.recording.content_type,
        size_bytes=activity.recording.size_bytes,
    )
