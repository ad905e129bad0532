"""The Ringotel call workflow: memory of a 100 MB recording download, and DynamoDB calls per hook.

Memory: a fresh process imports UpdateCallRecording, serves one small download (its idle footprint:
imports done, clients made), then downloads a 100 MB file from a file server on 127.0.0.1 (in the
parent process, generating the bytes) into S3 on the emulator. Growth is the peak RSS
during the download (VmHWM, reset just before it) over the idle RSS.
"""

import json
import resource
import subprocess
import sys
import time
import uuid

from ringbridge_tools.local import demo, dynamodb_calls, lambdas, template
from tests.audio_server import serving

TITLE = "Ringotel call workflow: recording download memory and DynamoDB calls per hook"
DOWNLOAD_BYTES = 100 * 1000 * 1000
MB = 1024 * 1024


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _reset_peak() -> None:
    """Start the peak RSS (VmHWM) afresh: imports and client set-up have transient peaks of their own."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def _peak_bytes() -> int:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def _invoke(
    logical_id: str, method: str, path: str, token: str, body: dict | bytes | None = None, content_type: str = ""
) -> dict:
    function = template.functions()[logical_id]
    headers = {"authorization": f"Bearer {token}"}
    if body is not None:
        headers["content-type"] = content_type or "application/json"
    payload = json.dumps(body) if isinstance(body, dict) else body
    event = lambdas.http_event(method, path, headers=headers, body=payload)
    response = lambdas.invoke(function, event)
    assert 200 <= response["statusCode"] < 300, response
    return json.loads(response["body"])


def _child(token: str, activity_id: str, url: str) -> None:
    """In a fresh process: idle footprint after one small download, then the peak over a 100 MB one."""
    path = f"/ringotel/activities/{activity_id}/recording"
    _invoke("RingotelUpdateCallRecordingFunction", "PUT", path, token, {"url": url.split("?")[0] + "?size=1000"})
    idle = _rss_bytes()
    _reset_peak()
    started = time.perf_counter()
    answer = _invoke("RingotelUpdateCallRecordingFunction", "PUT", path, token, {"url": url})
    seconds = time.perf_counter() - started
    peak = _peak_bytes()
    print(json.dumps({"idle": idle, "peak": peak, "seconds": seconds, "size": answer["recording"]["size_bytes"]}))


def _download_memory(account: dict) -> str:
    activity = _invoke(
        "RingotelCreateActivityFunction",
        "POST",
        "/ringotel/activities",
        account["rw_token"],
        {"call_id": f"bench-{uuid.uuid4().hex}", "direction": "inbound"},
    )
    with serving() as base_url:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.bench.recordings",
                account["rw_token"],
                activity["id"],
                f"{base_url}/stream?size={DOWNLOAD_BYTES}",
            ],
            cwd=template.ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["size"] == DOWNLOAD_BYTES, result
    growth = result["peak"] - result["idle"]
    return "\n".join(
        [
            "| file | idle footprint (MiB) | peak RSS (MiB) | growth over idle (MiB) | time (s) |",
            "|---:|---:|---:|---:|---:|",
            f"| {DOWNLOAD_BYTES // 1_000_000} MB ({DOWNLOAD_BYTES:,} bytes) from 127.0.0.1 | {result['idle'] / MB:.0f} "
            f"| {result['peak'] / MB:.0f} | {growth / MB:.0f} | {result['seconds']:.1f} |",
            "",
            "A fresh process per measurement; the body has no Content-Length, so the type is read from its first "
            "bytes and it goes to S3 in 8 MiB parts: memory holds about one part whatever the file's size "
            "(target: growth ≤ 64 MB).",
        ]
    )


def _calls_per_hook(account: dict) -> str:
    token = account["rw_token"]
    phone = account["phone"].lstrip("+")  # Ringotel's format: the sample contact's number without "+"

    def measured(
        logical_id: str, method: str, path: str, body: dict | bytes, content_type: str = ""
    ) -> tuple[dict, int]:
        log = dynamodb_calls.start()
        answer = _invoke(logical_id, method, path, token, body, content_type)
        return answer, len(log)

    _invoke("RingotelUsersFunction", "GET", "/ringotel/users", token)  # the token is verified and cached
    start = {
        "call_id": f"bench-{uuid.uuid4().hex}",
        "direction": "inbound",
        "caller_number": phone,
        "user_id": "101",
        "started_at": int(time.time() * 1000),
    }
    activity, created = measured("RingotelCreateActivityFunction", "POST", "/ringotel/activities", start)
    assert activity["contact_id"] == account["contact_id"], activity
    base = f"/ringotel/activities/{activity['id']}"
    other = _invoke("RingotelCreateContactFunction", "POST", "/ringotel/contacts", token, {"first_name": "Bench"})
    steps: list[tuple[str, str, str, str, dict | bytes, str]] = [
        (
            "CreateActivity retried (same call_id)",
            "RingotelCreateActivityFunction",
            "POST",
            "/ringotel/activities",
            start,
            "",
        ),
        (
            "AssignActivity (to another contact)",
            "RingotelAssignActivityFunction",
            "PUT",
            f"{base}/contact",
            {"contact_id": other["id"]},
            "",
        ),
        ("UpdateActivity", "RingotelUpdateActivityFunction", "PUT", base, {"subject": "Bench"}, ""),
        ("StopCallActivity", "RingotelStopCallActivityFunction", "POST", f"{base}/stop", {}, ""),
        (
            "StopCallActivity again (already completed)",
            "RingotelStopCallActivityFunction",
            "POST",
            f"{base}/stop",
            {},
            "",
        ),
        (
            "UpdateCallRecording (raw body)",
            "RingotelUpdateCallRecordingFunction",
            "PUT",
            f"{base}/recording",
            b"ID3" + bytes(100),
            "audio/mpeg",
        ),
    ]
    rows = [("CreateActivity (user by extension, contact by number)", created)]
    rows += [
        (name, measured(function, method, path, body, media)[1]) for name, function, method, path, body, media in steps
    ]
    lines = ["| hook (warm: token verified) | DynamoDB calls |", "|---|---:|"]
    lines += [f"| {name} | {count} |" for name, count in rows]
    lines += [
        "",
        "Targets: CreateActivity with matching ≤ 3; Assign, Update, Stop ≤ 2. UpdateCallRecording reads "
        "the activity and its account (the retention) before storing anything (404 or 410 first), then writes "
        "it over the version it read: 2.",
    ]
    return "\n".join(lines)


def measure() -> str:
    account = demo.seed_account("Bench calls", "UA")
    return _calls_per_hook(account) + "\n\n" + _download_memory(account)


if __name__ == "__main__":
    _child(*sys.argv[1:4])
