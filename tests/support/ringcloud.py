"""RingCloud's tests' helpers: a clock they move, the fake's keys, its calls, and running the import."""

import json
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from ringbridge import clock
from ringbridge.dal import activities as activities_dal
from ringbridge.dal.items import ActivityItem
from ringbridge.logic import ringcloud, ringcloud_import
from ringbridge_tools.fakes.ringcloud import FakeRingcloud
from ringbridge_tools.local import lambdas, template
from tests.support.api import new_ringotel_contact
from tests.support.tenants import Tenant

EVENT = json.loads((template.ROOT / "events/ringcloud/import.json").read_text())
COMPLETE = "/v1/calls/complete"
IVAN = "380441111111"  # the contact's number, as RingCloud writes numbers: digits, no "+"


class FakeClock:
    """clock.now / monotonic / sleep for the code under test: time moves only when told or slept."""

    def __init__(self) -> None:
        self.start = clock.now()
        self.mono = 1_000.0
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.mono - 1_000.0)

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.mono += seconds

    def advance(self, seconds: float) -> None:
        self.mono += seconds


class Keys:
    def __init__(self) -> None:
        n = uuid.uuid4().hex[:10]
        self.ro, self.ro_password = f"4242_ro{n}", f"ro-secret-{n}"
        self.rw, self.rw_password = f"4242_rw{n}", f"rw-secret-{n}"


def run_import() -> dict:
    return lambdas.invoke(template.functions()["RingcloudImportFunction"], EVENT)


def activities_of(tenant: Tenant) -> list[ActivityItem]:
    items, _ = activities_dal.list_activities(tenant.account_id, 100, None)
    return items


def status_of(tenant: Tenant):
    return ringcloud.status(tenant.account_id)[0].status


def create_contact(tenant: Tenant, number: str = "+380 44 111 11 11", **fields) -> dict:
    return new_ringotel_contact(tenant, phones=[{"number": number}], **fields)


def add_call(fake: FakeRingcloud, direction="incoming", src=IVAN, dst="101", start="2026-11-20 10:00:00", **more):
    end = more.pop("end", None)
    if end is None:
        end = (datetime.fromisoformat(start) + timedelta(seconds=more.get("duration", 60))).strftime(
            "%Y-%m-%d %H:%M:%S"
        )
    return fake.add_call(
        direction=direction,
        src=src,
        dst=dst,
        call_start_time=start,
        call_end_time=end,
        **{"duration": 60, **more},
    )


def after_each_write(monkeypatch, then: Callable[[], None]) -> None:
    """``then()`` after each activity the import writes: the tests' clock moved as if the write took time."""
    create = ringcloud_import.activities.import_completed

    def create_then(*args, **kwargs):
        created = create(*args, **kwargs)
        then()
        return created

    monkeypatch.setattr(ringcloud_import.activities, "import_completed", create_then)
