"""Where resumable uploads live on disk: the bytes so far, and a small JSON file about them.

`<data>/uploads/<id>.data` grows as bytes arrive; its size is the upload's offset, so an upload
survives a dropped connection and a restart of the hub alike. `<id>.json` records who started it,
its length and metadata, and (once the last byte is in) its checksum and the capture registered,
or, for a file the newsroom refused, why (its data is deleted then; the record answers a retry).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from web.file_types import read_head

UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
HASH_CHUNK = 1024 * 1024


@dataclass
class Upload:
    """One upload's record (the offset is the size of its data file)."""

    id: str
    owner: str
    length: int
    filename: str
    filetype: str
    assignment: str | None
    metadata: str  # the Upload-Metadata header as sent, for HEAD to echo
    sha256: str | None = None
    capture: str | None = None
    refused: str | None = None  # why, when the newsroom would not keep it
    detected_type: str | None = None  # what its content turned out to be


class UploadFiles:
    """The uploads folder of one hub."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def data_path(self, upload_id: str) -> Path:
        return self.folder / f"{upload_id}.data"

    def create(self, **fields: Any) -> Upload:
        self.folder.mkdir(parents=True, exist_ok=True)
        upload = Upload(id=uuid.uuid4().hex, **fields)
        self.data_path(upload.id).touch(mode=0o600)
        self.save(upload)
        return upload

    def find(self, upload_id: str) -> Upload | None:
        if not UPLOAD_ID.match(upload_id):
            return None
        try:
            data = json.loads((self.folder / f"{upload_id}.json").read_text())
        except FileNotFoundError:
            return None
        return Upload(**data)

    def save(self, upload: Upload) -> None:
        """Replaces the record atomically (a crash leaves the old one or the new one)."""
        path = self.folder / f"{upload.id}.json"
        draft = path.with_suffix(".json.new")
        draft.write_text(json.dumps(asdict(upload)))
        os.replace(draft, path)

    def offset(self, upload_id: str) -> int:
        return self.data_path(upload_id).stat().st_size

    def checksum(self, upload_id: str) -> str:
        digest = hashlib.sha256()
        with self.data_path(upload_id).open("rb") as file:
            while chunk := file.read(HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def head(self, upload_id: str) -> bytes:
        """The first bytes, which tell what the file is."""
        return read_head(self.data_path(upload_id))

    def refuse(self, upload: Upload, detected_type: str | None, reason: str) -> None:
        """Deletes the data of a refused upload and keeps its record, saying why."""
        upload.refused, upload.detected_type = reason, detected_type
        self.save(upload)
        self.data_path(upload.id).unlink(missing_ok=True)

    def delete(self, upload_id: str) -> None:
        for suffix in (".data", ".json"):
            (self.folder / f"{upload_id}{suffix}").unlink(missing_ok=True)
