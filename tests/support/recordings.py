"""Call recordings: an upload through UpdateCallRecording, and what the bucket then holds."""

import boto3

from ringbridge import settings
from tests.support.api import call


def upload(tenant, activity, body, content_type, reference=None):
    path = f"/ringotel/activities/{reference or activity['id']}/recording"
    if isinstance(body, dict):
        return call("PUT", path, tenant.rw_token, json_body=body)
    return call("PUT", path, tenant.rw_token, body=body, headers={"content-type": content_type})


def stored_keys(tenant, activity):
    prefix = f"accounts/{tenant.account_id}/activities/{activity['id']}/"
    answer = boto3.client("s3").list_objects_v2(Bucket=settings.current().recordings_bucket, Prefix=prefix)
    return [item["Key"] for item in answer.get("Contents", [])]


def pending_uploads():
    answer = boto3.client("s3").list_multipart_uploads(Bucket=settings.current().recordings_bucket)
    return answer.get("Uploads", [])
