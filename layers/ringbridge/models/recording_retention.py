"""Recording retention: an account's setting, and what a sweep did (what the CLI and the function print)."""

from pydantic import BaseModel, Field

MAX_KEPT_NAMED = 10  # a sweep's refusals named in its result; every one is counted and logged


class RetentionSetting(BaseModel):
    account_id: str
    account_days: int | None = Field(description="The account's own retention (None: the deployment's)")
    deployment_days: int | None = Field(description="RecordingRetentionDays (None: 0, keep for ever)")
    effective_days: int | None = Field(description="The shorter of the two; None: recordings are kept for ever")


class AccountSweep(BaseModel):
    account_id: str
    retention_days: int | None = Field(description="The account's effective retention; None: nothing to sweep")
    complete: bool = False
    recordings_deleted: int = Field(default=0, description="Activities whose recording this run deleted")
    recording_objects_deleted: int = Field(default=0, description="Object versions and delete markers removed")
    recordings_kept: int = Field(
        default=0,
        description="Recordings past the retention S3 refused to delete (a legal hold or a retention under Object "
        "Lock): kept, their activities unchanged, and tried again by the next sweep",
    )
    kept: list[str] = Field(
        default_factory=list, description=f"Why, for the first {MAX_KEPT_NAMED}: the key, S3's words"
    )


class RetentionRun(BaseModel):
    """One run of the scheduled sweep over every account with recordings."""

    complete: bool = False
    accounts: list[AccountSweep] = Field(default_factory=list, description="The accounts with a retention it swept")
