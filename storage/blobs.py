"""The bureau's own copies of documents: files named by their SHA-256, written once, owner-only, never opened.
(The bureau's own written notices are read back to be sent: ``read`` checks their hash.)

A copy lives at ``FILES_DIR/ab/cdef…`` (the hash's first two hex digits name a directory, so none grows past what a
file system lists quickly), with no extension: nothing here is ever executed, opened or served. It is written to a
temporary file beside its place, fsynced, renamed into place and the directory fsynced: a crash leaves no copy or
the whole copy, never part of one. The same bytes are stored once, whichever request sent them. Directories are
0700, files 0600: the documents hold applicants' plans, names and phone numbers.

Blocking file I/O: callers run ``keep`` on a thread.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from storage.ports import ContentChanged as ContentChanged

_HEX = re.compile(r"[0-9a-f]{64}")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root  # created at the first copy, not before: a bot that never keeps a file makes no directory

    def path_of(self, sha256: str) -> Path:
        if not _HEX.fullmatch(sha256):
            raise ValueError("not a SHA-256 in lower-case hex")
        return self.root / sha256[:2] / sha256[2:]

    def keep(self, data: bytes, expected: str | None = None) -> tuple[str, bool]:
        """Store ``data`` under its hash unless it is there already; returns (hash, whether it was written now).
        ``ContentChanged`` when ``expected`` is given and the bytes hash to something else (nothing is written)."""
        digest = hashlib.sha256(data).hexdigest()
        if expected is not None and digest != expected:
            raise ContentChanged(f"expected {expected}, got {digest}")
        target = self.path_of(digest)
        if target.is_file() and target.stat().st_size == len(data):
            return digest, False  # the same document, kept before
        _private_dir(self.root)
        _private_dir(target.parent)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # mode 0600
        try:
            with os.fdopen(descriptor, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest, True

    def read(self, sha256: str, *, limit: int) -> bytes:
        """The bytes kept under ``sha256`` (the bureau's own documents: its written notices), at most ``limit``;
        ``ContentChanged`` when the file is not those bytes any more."""
        path = self.path_of(sha256)
        with path.open("rb") as source:
            data = source.read(limit + 1)
        if len(data) > limit or hashlib.sha256(data).hexdigest() != sha256:
            raise ContentChanged(f"{path} is not the file kept as {sha256}")
        return data


def _private_dir(path: Path) -> None:
    """Create ``path`` (0700) if it is missing, making its creation durable; an existing one is made owner-only."""
    if path.is_dir():
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
        return
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)  # whatever the umask
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
