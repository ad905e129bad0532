"""Local persistence for moto, which keeps everything in memory and has no state dump of its own.

(moto's "recorder" can log every request and replay it, but the log grows with every read and
replays the whole history on each start.) Instead, the tables and buckets of template.yaml are
copied into the state dir (``dynamodb.json``, ``s3.json`` and ``s3/<bucket>/``, and the SSM
parameters such as Ringostat auth keys into ``ssm.json``) and loaded into
the fresh emulator on the next start. With an external emulator nothing here is used: it
persists by itself.
"""

import base64
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3

from ringbridge_tools.local import template

BATCH_WRITE_MAX = 25
SSM_GET_MAX = 10  # names per GetParameters call


def save(state_dir: Path) -> None:
    """Copy every table's items and every bucket's objects into ``state_dir``."""
    dynamodb = boto3.client("dynamodb")
    tables = {}
    for logical_id in template.resources("AWS::DynamoDB::Table"):
        name = template.local_name(logical_id)
        items: list[dict[str, Any]] = []
        # A Scan is right here, and only here: this is dev tooling copying a whole local table, never a request path.
        for page in dynamodb.get_paginator("scan").paginate(TableName=name, ConsistentRead=True):
            items.extend(page["Items"])
        tables[name] = items
    _write_atomically(state_dir / "dynamodb.json", json.dumps(tables, default=_encode_bytes).encode())
    _save_buckets(state_dir)
    _save_parameters(state_dir)


def restore(state_dir: Path) -> bool:
    """Load a snapshot into the (empty, just created) tables and buckets; False if there is none."""
    path = state_dir / "dynamodb.json"
    if not path.exists():
        return False
    dynamodb = boto3.client("dynamodb")
    for name, items in json.loads(path.read_text(), object_hook=_decode_bytes).items():
        for start in range(0, len(items), BATCH_WRITE_MAX):
            request: dict[str, Any] = {
                name: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_MAX]]
            }
            while request:
                request = dynamodb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
    _restore_buckets(state_dir)
    _restore_parameters(state_dir)
    return True


def _save_parameters(state_dir: Path) -> None:
    """Every SSM parameter, decrypted (the local emulator's keys are not secrets; the state dir is the dev's own)."""
    ssm = boto3.client("ssm")
    names = [
        parameter["Name"]
        for page in ssm.get_paginator("describe_parameters").paginate()
        for parameter in page.get("Parameters", [])
    ]
    saved: list[dict[str, str]] = []
    for start in range(0, len(names), SSM_GET_MAX):
        found = ssm.get_parameters(Names=names[start : start + SSM_GET_MAX], WithDecryption=True)["Parameters"]
        saved.extend({"name": p["Name"], "type": p["Type"], "value": p["Value"]} for p in found)
    data = json.dumps(sorted(saved, key=lambda p: p["name"]), indent=1).encode()
    _write_atomically(state_dir / "ssm.json", data, private=True)


def _restore_parameters(state_dir: Path) -> None:
    path = state_dir / "ssm.json"
    if not path.exists():
        return
    ssm = boto3.client("ssm")
    for parameter in json.loads(path.read_text()):
        ssm.put_parameter(Name=parameter["name"], Value=parameter["value"], Type=parameter["type"], Overwrite=True)


def _save_buckets(state_dir: Path) -> None:
    """Objects are written only when their ETag changed, so large recordings are copied once."""
    s3 = boto3.client("s3")
    manifest_path = state_dir / "s3.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest: dict[str, dict[str, dict[str, Any]]] = {}
    for logical_id in template.resources("AWS::S3::Bucket"):
        bucket = template.local_name(logical_id)
        folder = state_dir / "s3" / bucket
        folder.mkdir(parents=True, exist_ok=True)
        saved = manifest[bucket] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for summary in page.get("Contents", []):
                key, etag = summary["Key"], summary["ETag"]
                file_name = quote(key, safe="")
                known = previous.get(bucket, {}).get(key)
                if known and known["etag"] == etag and (folder / file_name).exists():
                    saved[key] = known
                    continue
                answer = s3.get_object(Bucket=bucket, Key=key)
                _write_atomically(folder / file_name, answer["Body"].read())
                saved[key] = {
                    "file": file_name,
                    "etag": etag,
                    "content_type": answer.get("ContentType", "binary/octet-stream"),
                    "metadata": answer.get("Metadata", {}),
                }
        kept = {entry["file"] for entry in saved.values()}
        for stale in folder.iterdir():
            if stale.name not in kept:
                stale.unlink()
    _write_atomically(manifest_path, json.dumps(manifest, indent=1).encode())


def _restore_buckets(state_dir: Path) -> None:
    manifest_path = state_dir / "s3.json"
    if not manifest_path.exists():
        return
    s3 = boto3.client("s3")
    for bucket, objects in json.loads(manifest_path.read_text()).items():
        for key, entry in objects.items():
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=(state_dir / "s3" / bucket / entry["file"]).read_bytes(),
                ContentType=entry["content_type"],
                Metadata=entry["metadata"],
            )


def _write_atomically(path: Path, data: bytes, private: bool = False) -> None:
    """Write next to ``path`` and rename, so a crash never leaves half a snapshot; ``private``: owner-only."""
    partial = path.with_name(path.name + ".partial")
    if private:
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)
    partial.write_bytes(data)
    os.replace(partial, path)


def _encode_bytes(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"$base64": base64.b64encode(value).decode()}
    raise TypeError(f"cannot save {type(value).__name__}")


def _decode_bytes(value: dict[str, Any]) -> Any:
    return base64.b64decode(value["$base64"]) if set(value) == {"$base64"} else value
