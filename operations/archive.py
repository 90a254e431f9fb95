"""The backup archive's format: one tar holding the database, the documents and a manifest of their hashes.

```
database.sqlite            the database, copied with SQLite's backup API (journal_mode=DELETE: one file)
files/ab/cdef…             every document in FILES_DIR, under the same name (its SHA-256)
manifest.json              what the archive holds, with each member's SHA-256 and size; written last
```

The manifest comes last because the hashes are taken while the members are written (each document is read once).
A restore reads the whole archive before changing anything, so the order costs it nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
POSTGRES_MEMBER = "database.pgdump"  # pg_dump --format=custom, once the PostgreSQL backend exists (issue 18)
FILES_PREFIX = "files/"
# a document's name in FILES_DIR and in the archive: the hash's first two hex digits, a slash, the other 62
DOCUMENT_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{62}")
MAX_MANIFEST_BYTES = 256 * 1024 * 1024  # ~2.5 million documents' entries; anything larger is not our manifest
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive is not one of ours, or not whole: nothing was restored."""


@dataclass(frozen=True)
class Member:
    name: str  # inside the archive
    sha256: str
    size: int


@dataclass
class Manifest:
    created_at: str
    version: str  # the program's that wrote it
    schema_version: int
    database: Member
    files: list[Member] = field(default_factory=list)
    backend: str = "sqlite"

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "format": FORMAT,
                "program": "green-channel",
                "created_at": self.created_at,
                "version": self.version,
                "backend": self.backend,
                "schema_version": self.schema_version,
                "database": _member(self.database),
                "files": [_member(m) for m in self.files],
            },
            ensure_ascii=False,
            indent=1,
        ).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw = json.loads(data)
            if raw.get("program") != "green-channel" or raw.get("format") != FORMAT:
                raise ArchiveError("not a Green Channel backup (or one of a format this version does not read)")
            return cls(
                created_at=str(raw["created_at"]),
                version=str(raw["version"]),
                schema_version=int(raw["schema_version"]),
                database=_parse_member(raw["database"]),
                files=[_parse_member(m) for m in raw["files"]],
                backend=str(raw.get("backend", "sqlite")),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ArchiveError(f"the manifest is damaged ({type(exc).__name__})") from None


def _member(m: Member) -> dict[str, Any]:
    return {"name": m.name, "sha256": m.sha256, "size": m.size}


def _parse_member(raw: dict[str, Any]) -> Member:
    sha256 = str(raw["sha256"])
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("bad hash")
    return Member(str(raw["name"]), sha256, int(raw["size"]))


class HashingReader:
    """A file object for ``TarFile.addfile`` that hashes what tar reads, so each document is read once."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.source.read(size)
        self.hash.update(data)
        self.size += len(data)
        return data


def private_info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    """A member owned by no one in particular, readable by its owner only (the archive holds personal data)."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def fsync_dir(path: Path) -> None:
    """Make a rename or a creation in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
