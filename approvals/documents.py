"""What a document sent to the bureau may be.

The bot never opens a document: it checks the bytes and passes the file on. Reviewers open it, so a file must be
what its name says to its end: a PDF that ends like a PDF and is not also a ZIP, a ZIP that holds documents only.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import PurePosixPath

from approvals import validation as v
from approvals.models import BOT_ACTOR_ID, Attachment, AuditEvent, Status
from approvals.states import Action

# What each accepted format starts with: an .exe renamed to .pdf is caught here.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),  # OLE compound file
    ".docx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04", b"PK\x05\x06"),
}
ZIP_MEMBER_KINDS = (".pdf", ".doc", ".docx")  # no archives in archives
MAX_ZIP_MEMBERS = 200
MAX_ZIP_UNPACKED = 200 << 20  # ten times the largest upload: documents that are already compressed unpack ~1:1
PDF_TAIL = 1024  # PDF readers look for "%%EOF" this far from the end
ZIP_END = b"PK\x05\x06"  # the end-of-central-directory record
ZIP64_LOCATOR = b"PK\x06\x07"
ZIP_END_SEARCH = 22 + 0xFFFF  # ZIP readers look for it this far from the end (the record plus the longest comment)
_APPLE_DOUBLE = b"\x00\x05\x16\x07"  # macOS Finder adds __MACOSX/._name files of this kind to every ZIP


def suffix(name: str) -> str:
    return PurePosixPath(name.lower()).suffix


def check_document(name: str, data: bytes) -> None:
    """Raise ``InvalidField`` unless ``data`` is the kind of document ``name`` says, from its first to last byte."""
    kind = suffix(name)
    expected = SIGNATURES.get(kind)
    if expected is None:
        raise v.InvalidField("attachment", "bad_type")
    if not data.startswith(expected):
        raise v.InvalidField("attachment", "disguised")
    if kind == ".pdf":
        _check_pdf(data)
    elif kind == ".zip":
        _check_zip(data)


def checked_digest(name: str, data: bytes) -> str:
    """``check_document``, then the SHA-256 (hex) of the bytes checked: what the bureau's copy must hash to."""
    check_document(name, data)
    return hashlib.sha256(data).hexdigest()


def same_document(a: Attachment, b: Attachment) -> bool:
    """The same file again: Telegram's unique id for it, or the same bytes under any name."""
    return (a.unique_id is not None and a.unique_id == b.unique_id) or (a.sha256 is not None and a.sha256 == b.sha256)


def duplicate_of(candidate: Attachment, files: Iterable[Attachment]) -> Attachment | None:
    """The file among ``files`` that ``candidate`` repeats, if any."""
    return next((f for f in files if same_document(candidate, f)), None)


def new_only(existing: Sequence[Attachment], incoming: Iterable[Attachment]) -> list[Attachment]:
    """``incoming`` without the files a request already has, each kept once: a document is stored once."""
    kept: list[Attachment] = []
    for file in incoming:
        if duplicate_of(file, [*existing, *kept]) is None:
            kept.append(file)
    return kept


def copy_kept(request_id: int, status: Status, *, name: str, sha256: str, size: int, at: datetime) -> AuditEvent:
    """The audit record of the bureau's own copy of a document: which file, its hash and size. Not a transition:
    the request stays as it is, and no one is told."""
    return AuditEvent(
        request_id=request_id,
        actor_id=BOT_ACTOR_ID,
        at=at,
        action=Action.KEEP_COPY.value,
        from_status=status,
        to_status=status,
        file_name=name,
        sha256=sha256,
        file_size=size,
    )


def _check_pdf(data: bytes) -> None:
    if b"%%EOF" not in data[-PDF_TAIL:]:
        raise v.InvalidField("attachment", "damaged")  # cut short, or not a PDF past its first line
    if ZIP_END in data[-ZIP_END_SEARCH:]:
        raise v.InvalidField("attachment", "disguised")  # a PDF+ZIP polyglot: unzipped, it is something else


def _check_zip(data: bytes) -> None:
    """Names, count and unpacked size are read from the archive's directory; each member's first bytes are checked
    against its name. Nothing is unpacked further (the bot never opens a document)."""
    entries, directory_bytes = _directory_size(data)
    if entries > MAX_ZIP_MEMBERS or directory_bytes > MAX_ZIP_MEMBERS * 1024:
        raise v.InvalidField("attachment", "zip_too_many", max=MAX_ZIP_MEMBERS)  # before zipfile reads it all
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise v.InvalidField("attachment", "zip_too_many", max=MAX_ZIP_MEMBERS)
            unpacked = 0
            for member in members:
                if member.is_dir():
                    continue
                unpacked += member.file_size
                if unpacked > MAX_ZIP_UNPACKED:
                    raise v.InvalidField("attachment", "zip_too_big", max_mb=MAX_ZIP_UNPACKED >> 20)
                _check_member(archive, member)
    except (v.InvalidField, MemoryError):
        raise
    except Exception as exc:  # BadZipFile, an unknown compression method, a damaged stream...
        raise v.InvalidField("attachment", "damaged") from exc


def _check_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    name = v.clean_name(member.filename)[-80:]
    if member.flag_bits & 0x1:
        raise v.InvalidField("attachment", "zip_encrypted", name=name)  # its content cannot be checked
    with archive.open(member) as content:
        head = content.read(8)  # decompresses a few bytes, whatever the member's size
    if member.filename.startswith("__MACOSX/") and head.startswith(_APPLE_DOUBLE):
        return
    kind = suffix(member.filename)
    if kind not in ZIP_MEMBER_KINDS or not head.startswith(SIGNATURES[kind]):
        raise v.InvalidField("attachment", "zip_member", name=name)


def _directory_size(data: bytes) -> tuple[int, int]:
    """(entries, bytes) of the central directory, as the end record states them; (0, 0) when there is none."""
    at = data.rfind(ZIP_END, max(0, len(data) - ZIP_END_SEARCH))
    if at < 0 or len(data) < at + 22:
        return 0, 0  # zipfile will call it damaged
    if data[max(0, at - 20) : at - 16] == ZIP64_LOCATOR:  # its counts would override these: documents never need it
        return 0xFFFFFFFF, 0xFFFFFFFF
    entries, directory_bytes = struct.unpack_from("<HL", data, at + 10)
    return entries, directory_bytes
