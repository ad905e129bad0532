"""UpdateCallRecording and the recording link, in-process against the emulator and a local file server."""

import json
import uuid

import pytest
import requests

from ringbridge import downloads, settings
from tests.audio_server import MP3_HEAD, audio_bytes
from tests.support.api import call
from tests.support.dynamodb import dynamodb_hook
from tests.support.recordings import pending_uploads, stored_keys, upload

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64)


def fetch_link(tenant, activity):
    link = call("GET", f"/ringotel/activities/{activity['id']}/recording", tenant.ro_token)
    assert link.status == 200, link.body
    return link.body, requests.get(link.body["url"], timeout=10)


# --- Raw body and multipart ----------------------------------------------------------------


def test_a_raw_audio_body_is_stored_privately_and_linked_by_a_presigned_url(tenant, activity):
    audio = MP3_HEAD + bytes(range(256)) * 8
    answer = upload(tenant, activity, audio, "audio/mpeg")
    assert answer.status == 200, answer.body
    recording = answer.body["recording"]
    assert recording["content_type"] == "audio/mpeg" and recording["size_bytes"] == len(audio)
    assert recording["key"].startswith(f"accounts/{tenant.account_id}/activities/{activity['id']}/recording-")
    assert recording["key"].endswith(".mp3")
    link, download = fetch_link(tenant, activity)
    # A signed URL that expires in 5 minutes: the bucket itself is never public
    assert link["expires_in"] == 300 and "X-Amz-Signature=" in link["url"] and "X-Amz-Expires=300" in link["url"]
    assert download.status_code == 200 and download.content == audio
    assert download.headers["Content-Type"] == "audio/mpeg"


def test_a_warm_upload_reads_the_activity_once_and_writes_it_once(tenant, activity, no_scan):
    upload(tenant, activity, WAV, "audio/wav")  # warm the token
    no_scan.clear()
    answer = upload(tenant, activity, WAV, "audio/wav")
    assert answer.status == 200, answer.body
    # The activity and its account (the retention) in one read; the write is conditional on that read's version
    assert no_scan == ["BatchGetItem", "TransactWriteItems"]


def test_an_update_of_the_activity_during_the_upload_is_kept_and_the_recording_stored(tenant, activity):
    # Given an UpdateActivity that lands between the upload's read of the activity and its write
    updated = []

    def update_meanwhile(**_):
        if not updated:  # once: the update's own write goes through
            updated.append(None)
            updated[0] = call(
                "PUT", f"/ringotel/activities/{activity['id']}", tenant.rw_token, json_body={"comment": "VIP"}
            )

    with dynamodb_hook("before-call.dynamodb.TransactWriteItems", update_meanwhile):
        answer = upload(tenant, activity, WAV, "audio/wav")

    # Then the upload's write lost the race on the version, read the activity again and wrote over that
    assert updated[0].status == 200, updated[0].body
    assert answer.status == 200, answer.body
    assert answer.body["comment"] == "VIP" and answer.body["recording"]["size_bytes"] == len(WAV)
    assert answer.body["version"] == activity["version"] + 2


def test_a_declared_audio_type_is_kept_whatever_the_bytes_say(tenant, activity):
    audio = b"\x00\x01 custom audio"
    answer = upload(tenant, activity, audio, "audio/x-custom")

    assert answer.status == 200, answer.body
    assert answer.body["recording"]["content_type"] == "audio/x-custom"
    assert answer.body["recording"]["key"].endswith(".audio")  # a type with no usual file extension
    download = fetch_link(tenant, activity)[1]
    assert (download.content, download.headers["Content-Type"]) == (audio, "audio/x-custom")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "the body is not valid JSON"),
        (b'["https://example.com/a.mp3"]', 422, "Input should be an object"),
    ],
)
def test_a_json_body_that_is_not_an_object_is_refused_naming_the_body(tenant, activity, body, status, message):
    answer = upload(tenant, activity, body, "application/json")

    assert answer.status == status, answer.body
    assert (answer.body["error"]["field"], answer.body["error"]["message"]) == ("body", message)


def test_a_multipart_form_file_is_stored(tenant, activity):
    boundary = "----ringbridge" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="call.wav"\r\n'
            f"Content-Type: audio/wav\r\n\r\n"
        ).encode()
        + WAV
        + f"\r\n--{boundary}--\r\n".encode()
    )
    answer = upload(tenant, activity, body, f"multipart/form-data; boundary={boundary}")
    assert answer.status == 200, answer.body
    assert answer.body["recording"]["content_type"] == "audio/wav"
    assert answer.body["recording"]["size_bytes"] == len(WAV)
    assert fetch_link(tenant, activity)[1].content == WAV


def form(*parts: tuple[str, bytes]) -> tuple[bytes, str]:
    """A multipart/form-data body of (headers, content) parts, and its Content-Type."""
    boundary = "b" + uuid.uuid4().hex
    body = b"".join(f"--{boundary}\r\n{headers}\r\n\r\n".encode() + content + b"\r\n" for headers, content in parts)
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("disposition", "type_header", "content_type"),
    [
        # Named "file", with no filename; its declared type is stored although the bytes say nothing
        ('form-data; name="file"', "\r\nContent-Type: audio/x-custom", "audio/x-custom"),
        # Any name, with a filename; no declared type: the bytes say WAV
        ('form-data; name="recording"; filename="call.wav"', "", "audio/wav"),
    ],
)
def test_the_file_part_is_the_one_with_a_filename_or_named_file(
    tenant, activity, disposition, type_header, content_type
):
    audio = WAV if content_type == "audio/wav" else b"\x00\x01 custom audio"
    body, form_type = form(
        ('Content-Disposition: form-data; name="note"', b"hello"),
        (f"Content-Disposition: {disposition}{type_header}", audio),
    )

    answer = upload(tenant, activity, body, form_type)

    assert answer.status == 200, answer.body
    assert answer.body["recording"]["content_type"] == content_type
    assert fetch_link(tenant, activity)[1].content == audio


def test_a_form_cut_before_its_closing_boundary_is_refused(tenant, activity):
    # A truncated upload: the parser still finds the part, and the cut shows only as a defect.
    body, form_type = form(('Content-Disposition: form-data; name="file"; filename="a.wav"', WAV))
    answer = upload(tenant, activity, body[: body.rindex(b"--b")], form_type)

    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == "body"
    assert answer.body["error"]["message"] == "is not a multipart/form-data body with a boundary"
    assert stored_keys(tenant, activity) == []


@pytest.mark.parametrize(
    ("headers", "content"),
    [
        ('Content-Disposition: form-data; name="file"; filename="a.wav"', b""),
        # A file part that is itself multipart has no bytes of its own
        (
            'Content-Disposition: form-data; name="file"\r\nContent-Type: multipart/mixed; boundary=inner',
            b"--inner\r\nContent-Type: audio/wav\r\n\r\n" + WAV + b"\r\n--inner--",
        ),
    ],
)
def test_an_empty_file_part_is_refused(tenant, activity, headers, content):
    body, form_type = form((headers, content))
    answer = upload(tenant, activity, body, form_type)

    assert answer.status == 422, answer.body
    assert (answer.body["error"]["field"], answer.body["error"]["message"]) == ("body", "is empty")


def test_an_untyped_body_is_accepted_when_its_bytes_are_audio(tenant, activity):
    answer = upload(tenant, activity, WAV, "application/octet-stream")
    assert answer.status == 200 and answer.body["recording"]["content_type"] == "audio/wav"


def test_replacing_a_recording_leaves_exactly_one_object(tenant, activity):
    first = upload(tenant, activity, WAV, "audio/wav").body["recording"]["key"]
    second = upload(tenant, activity, MP3_HEAD + bytes(100), "audio/mpeg", reference=activity["call_id"])
    assert second.status == 200 and second.body["version"] == 3
    assert stored_keys(tenant, activity) == [second.body["recording"]["key"]] != [first]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        (b"plain text", "text/plain", 415, "Content-Type"),
        (b"\x00\x01 not a known audio format", "application/octet-stream", 415, "Content-Type"),
        (b"", "audio/mpeg", 422, "body"),
        (b"--x\r\nno boundary\r\n", "multipart/form-data", 422, "body"),
        (b"{not json", "application/json", 400, "body"),
        (b'{"link": "https://example.com/a.mp3"}', "application/json", 422, "url"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(tenant, activity, body, content_type, status, field):
    answer = upload(tenant, activity, body, content_type)
    assert answer.status == status, answer.body
    assert answer.body["error"]["field"] == field
    assert stored_keys(tenant, activity) == []


def test_a_form_without_a_file_part_is_refused(tenant, activity):
    body = b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--b--\r\n'
    answer = upload(tenant, activity, body, "multipart/form-data; boundary=b")
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == "file"
    assert answer.body["error"]["message"] == "has no file part (a part with a filename, or named 'file')"


def test_a_body_over_the_limit_is_413(tenant, activity, monkeypatch):
    monkeypatch.setenv("RECORDING_MAX_BYTES", "1000")
    settings.reload()
    answer = upload(tenant, activity, MP3_HEAD + bytes(2000), "audio/mpeg")
    assert answer.status == 413, answer.body
    assert stored_keys(tenant, activity) == []


def test_uploading_needs_a_write_token_and_an_existing_activity(tenant, activity):
    path = f"/ringotel/activities/{activity['id']}/recording"
    assert call("PUT", path, tenant.ro_token, body=WAV, headers={"content-type": "audio/wav"}).status == 403
    unknown = call(
        "PUT",
        "/ringotel/activities/01J0000000000000000000000Z/recording",
        tenant.rw_token,
        body=WAV,
        headers={"content-type": "audio/wav"},
    )
    assert unknown.status == 404


def test_no_recording_yet_is_a_404(tenant, activity):
    answer = call("GET", f"/ringotel/activities/{activity['id']}/recording", tenant.ro_token)
    assert answer.status == 404, answer.body
    assert answer.body["error"]["field"] == "recording"
    assert answer.body["error"]["message"] == "this activity has no recording yet"


# --- By URL --------------------------------------------------------------------------------


def test_a_url_is_downloaded_into_s3(tenant, activity, files):
    answer = upload(tenant, activity, {"url": f"{files}/audio.mp3?size=12345"}, None)
    assert answer.status == 200, answer.body
    assert answer.body["recording"] == {**answer.body["recording"], "content_type": "audio/mpeg", "size_bytes": 12345}
    assert fetch_link(tenant, activity)[1].content == audio_bytes(12345)


def test_the_url_form_is_recognized_whatever_parameters_its_content_type_has(tenant, activity, files):
    body = json.dumps({"url": f"{files}/audio.mp3?size=2000"}).encode()
    answer = upload(tenant, activity, body, "Application/JSON; charset=utf-8; profile=recording")
    assert answer.status == 200, answer.body
    assert answer.body["recording"]["size_bytes"] == 2000


def test_a_large_download_without_a_length_goes_up_in_parts(tenant, activity, files):
    # 20 MB: three S3 parts of 8 MiB and a last one; the type is read from the first bytes
    size = 20 * 1000 * 1000
    answer = upload(tenant, activity, {"url": f"{files}/stream?size={size}"}, None)
    assert answer.status == 200, answer.body
    assert answer.body["recording"]["size_bytes"] == size
    assert answer.body["recording"]["content_type"] == "audio/mpeg"
    assert len(stored_keys(tenant, activity)) == 1
    assert pending_uploads() == []


def test_up_to_three_redirects_are_followed(tenant, activity, files):
    assert upload(tenant, activity, {"url": f"{files}/redirect/3"}, None).status == 200


def test_a_fourth_redirect_is_refused(tenant, activity, files):
    answer = upload(tenant, activity, {"url": f"{files}/redirect/4"}, None)
    assert answer.status == 422 and "redirect" in answer.body["error"]["message"]


def test_a_redirect_to_a_private_address_is_refused(tenant, activity, files):
    answer = upload(tenant, activity, {"url": f"{files}/to?url=https://10.0.0.8/a.mp3"}, None)
    assert answer.status == 422 and "non-public" in answer.body["error"]["message"]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/a.mp3",
        "https://192.168.1.10/a.mp3",
        "https://172.16.0.1/a.mp3",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd00:ec2::254]/latest/meta-data/",
        "https://[::ffff:10.0.0.1]/a.mp3",
        "https://100.64.0.1/a.mp3",
        "https://0.0.0.0/a.mp3",
        "http://93.184.216.34/a.mp3",
        "ftp://example.com/a.mp3",
        "file:///etc/passwd",
        "https://user:secret@93.184.216.34/a.mp3",
    ],
)
def test_urls_that_could_reach_inside_or_are_not_https_are_refused(tenant, activity, url):
    answer = upload(tenant, activity, {"url": url}, None)
    assert answer.status == 422, answer.body
    assert answer.body["error"]["field"] == "url"
    assert stored_keys(tenant, activity) == []


@pytest.mark.parametrize(
    ("path", "status"),
    [("/page.html", 415), ("/missing", 422), ("/audio.mp3?size=0", 422)],
)
def test_downloads_of_non_audio_missing_or_empty_files_are_refused(tenant, activity, files, path, status):
    answer = upload(tenant, activity, {"url": f"{files}{path}"}, None)
    assert answer.status == status, answer.body
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


@pytest.mark.parametrize("path", ["/audio.mp3?size=20000000", "/stream?size=20000000"])
def test_downloads_over_the_limit_are_413_and_leave_no_upload_behind(tenant, activity, files, monkeypatch, path):
    # Given a 10 MB limit: one with a Content-Length (refused at once), one streaming (refused mid-way)
    monkeypatch.setenv("RECORDING_MAX_BYTES", str(10 * 1000 * 1000))
    settings.reload()
    answer = upload(tenant, activity, {"url": f"{files}{path}"}, None)
    assert answer.status == 413, answer.body
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


def test_a_download_that_outlasts_its_time_budget_is_refused_and_aborted(tenant, activity, files, monkeypatch):
    # Given a budget already spent (a server dripping bytes for longer than the function may run)
    monkeypatch.setattr(downloads, "TOTAL_SECONDS", -1)
    answer = upload(tenant, activity, {"url": f"{files}/stream?size=20000000"}, None)
    assert answer.status == 422 and "longer than" in answer.body["error"]["message"]
    assert stored_keys(tenant, activity) == [] and pending_uploads() == []


def test_a_body_lambda_cannot_carry_is_413_pointing_to_the_url_form(tenant, activity):
    from ringbridge.logic.recordings import BODY_MAX_BYTES

    # Exactly the largest body a 6 MB Lambda request carries once base64-encoded is stored...
    assert 4_500_000 < BODY_MAX_BYTES < 4_718_592
    assert (BODY_MAX_BYTES + 2) // 3 * 4 + 16 * 1024 <= 6 * 1024 * 1024
    fits = upload(tenant, activity, MP3_HEAD + bytes(BODY_MAX_BYTES - len(MP3_HEAD)), "audio/mpeg")
    assert fits.status == 200, fits.body
    assert fits.body["recording"]["size_bytes"] == BODY_MAX_BYTES
    # ...one byte more, raw or as a form file, is refused with the way out: the URL form
    for body, content_type in [
        (MP3_HEAD + bytes(BODY_MAX_BYTES + 1 - len(MP3_HEAD)), "audio/mpeg"),
        (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n'
            + bytes(BODY_MAX_BYTES)
            + b"\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
    ]:
        answer = upload(tenant, activity, body, content_type)
        assert answer.status == 413, answer.body
        assert answer.body["error"]["field"] == "body"
        assert answer.body["error"]["message"] == (
            f"is {len(body)} bytes: Lambda bounds a request at 6 MB, which leaves {BODY_MAX_BYTES} bytes (about "
            '4.5 MB) of audio once base64-encoded; send {"url": "https://..."} as application/json instead, and '
            "the recording is downloaded from there"
        )
    # and the recording stored first is still the one there
    assert len(stored_keys(tenant, activity)) == 1
