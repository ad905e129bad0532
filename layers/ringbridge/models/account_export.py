"""An account export's manifest (manifest.json), and what an export or import run did."""

from pydantic import BaseModel, Field

FORMAT = 1


class ExportedFile(BaseModel):
    count: int = Field(description="Lines (records) in the file")
    bytes: int
    sha256: str


class Manifest(BaseModel):
    format: int = FORMAT
    account: dict[str, object] = Field(description="The account exported: id, name, region, created_at")
    exported_at: str
    files: dict[str, ExportedFile] = Field(description="Each JSON Lines file by name")
    recordings: int = Field(description="Recording files under recordings/ (each one's sha256 is in its activity)")


class TransferRun(BaseModel):
    """One run of export-account or import-account; run it again while ``complete`` is false."""

    account_id: str
    complete: bool = False
    kind: str | None = Field(default=None, description="The kind it was at when it stopped")
    records: dict[str, int] = Field(default_factory=dict, description="Records written so far, per kind")
    recordings: int = 0
