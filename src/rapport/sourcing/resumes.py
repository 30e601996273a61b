"""Reading résumés: the bytes of an uploaded file to plain text.

What a file is comes from its first bytes, never from its name: a `.pdf`
that is really a Word file is read as one, and a `.pdf` that is neither is
refused with a message that says what it looks like. Only PDF (pypdf) and
DOCX (python-docx) are read.

Every file is untrusted, so every limit is explicit and every refusal is a
`ResumeRejected` whose message a recruiter can act on:

- a résumé is at most `MAX_BYTES`; only its first `MAX_PAGES` pages are read
  and at most `MAX_TEXT` characters of text are kept;
- a PDF protected by a password is refused (one that opens with an empty
  password, which only restricts printing or copying, is read);
- a DOCX is a zip archive: its members are counted and their unpacked sizes
  and compression ratios bounded before anything is unpacked (a zip bomb is
  refused, not unpacked), and any XML part that declares a DOCTYPE is
  refused, since Word never writes one and it is how external or
  recursive entities would get in. python-docx's own parser does not
  resolve entities either (tests/sourcing/test_resumes.py checks both).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 30
MAX_TEXT = 200_000

# A DOCX is a zip: these bound what unpacking it may cost.
DOCX_MAX_MEMBERS = 500
DOCX_MAX_UNPACKED = 60 * 1024 * 1024
DOCX_MAX_RATIO = 200  # unpacked ÷ packed, per member; ordinary XML stays under 30


class ResumeRejected(ValidationError):
    """A file that is not read, and why, in words for the person who sent it."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": [message]})
        self.reason = message


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    suffix: str


PDF = Kind("PDF", "application/pdf", "pdf")
DOCX = Kind(
    "DOCX",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)


@dataclass(frozen=True)
class Reading:
    kind: Kind
    text: str
    problem: str = ""  # set when the file is sound but holds no text (a scan)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def read_resume(data: bytes, name: str) -> Reading:
    """The text of a PDF or DOCX résumé; raises ResumeRejected."""
    kind = sniff(data, name)
    text = _read_pdf(data, name) if kind is PDF else _read_docx(data, name)
    text = clean_text(text)
    if len(re.findall(r"\w+", text)) < 3:
        return Reading(
            kind,
            text,
            problem=f"No text could be read from {name}: it may be a scanned image. "
            "Rapport does not read pictures of text; upload a PDF exported from a word "
            "processor or a DOCX, or type the details in.",
        )
    return Reading(kind, text)


# --- what a file really is


def sniff(data: bytes, name: str) -> Kind:
    """PDF or DOCX, from the bytes; anything else is refused with what it looks like."""
    if not data:
        raise ResumeRejected(f"{name} is empty.")
    if len(data) > MAX_BYTES:
        raise ResumeRejected(
            f"{name} is {megabytes(len(data))}; a résumé may be at most {megabytes(MAX_BYTES)}."
        )
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name)
    raise ResumeRejected(_not_a_resume(data, name))


def _sniff_zip(data: bytes, name: str) -> Kind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in members else b""
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        raise ResumeRejected(f"{name} is a damaged zip archive and cannot be read.") from None
    if "word/document.xml" in members:
        return DOCX
    if b"opendocument" in mimetype:
        raise ResumeRejected(
            f"{name} is an OpenDocument file; save it as PDF or DOCX and upload that."
        )
    claimed = _claimed(name)
    if claimed:
        raise ResumeRejected(
            f"{name} is called a {claimed} but is a zip archive. "
            "Upload the résumé itself, or use the bulk upload for a zip of résumés."
        )
    raise ResumeRejected(
        f"{name} is a zip archive, not a résumé. Use the bulk upload for a zip of résumés."
    )


SIGNATURES = [
    (b"\xd0\xcf\x11\xe0", "an old Word document (.doc); save it as DOCX or PDF and upload that"),
    (b"{\\rtf", "a Rich Text (RTF) file; save it as DOCX or PDF and upload that"),
    (b"\x89PNG", "a PNG image; Rapport reads text, not pictures of it"),
    (b"\xff\xd8\xff", "a JPEG image; Rapport reads text, not pictures of it"),
    (b"GIF8", "a GIF image; Rapport reads text, not pictures of it"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
]


def _claimed(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return {"pdf": "PDF", "docx": "DOCX", "doc": "Word document"}.get(suffix, "")


def _not_a_resume(data: bytes, name: str) -> str:
    looks = next((what for magic, what in SIGNATURES if data.startswith(magic)), "")
    if not looks:
        head = data[:2048].lstrip(b"\xef\xbb\xbf")
        if head.lstrip()[:1] == b"<":
            looks = "an HTML or XML file"
        else:
            try:
                head.decode("utf-8")
                looks = "plain text"
            except UnicodeDecodeError:
                looks = "data Rapport cannot read"
    claimed = _claimed(name)
    if claimed:
        return (
            f"{name} is called a {claimed} but is not one: it looks like {looks}. "
            "Upload the résumé as a PDF or DOCX."
        )
    return f"Rapport reads PDF and DOCX résumés; {name} looks like {looks}."


# --- PDF


def _read_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    protected = (
        f"{name} is protected by a password, so it cannot be read. Save a copy without "
        "the password (for instance by printing it to PDF) and upload that."
    )
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except (DependencyError, NotImplementedError):
                opened = False
            if not opened:
                raise ResumeRejected(protected)
        pages = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PAGES:
                break
            pages.append(page.extract_text() or "")
            if sum(len(p) for p in pages) > MAX_TEXT:
                break
    except ResumeRejected:
        raise
    except FileNotDecryptedError:
        raise ResumeRejected(protected) from None
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        logger.info("Unreadable PDF %s: %r", name, exc)
        raise ResumeRejected(
            f"{name} starts like a PDF but is damaged and cannot be read. "
            "Open it, save it again as PDF, and upload that."
        ) from None
    return "\n".join(pages)


# --- DOCX


def archive_check(
    archive: zipfile.ZipFile,
    name: str,
    *,
    max_members: int,
    max_member: int,
    max_total: int,
    max_ratio: int,
) -> None:
    """Refuse an archive whose unpacking would cost too much, before any of
    it is unpacked. Sizes are the ones the archive declares, which is what
    Python's zipfile holds each member to when it reads it."""
    members = archive.infolist()
    if len(members) > max_members:
        raise ResumeRejected(
            f"{name} holds {len(members)} files; at most {max_members} are read at once."
        )
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > max_member or total > max_total or ratio > max_ratio:
            raise ResumeRejected(
                f"{name} unpacks to far more than it weighs (a “zip bomb”), so it was not opened."
            )


def is_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, never more than `limit` whatever its header says."""
    chunks = []
    size = 0
    with archive.open(info) as member:
        while chunk := member.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise ResumeRejected(
                    f"{info.filename} unpacks to more than it declares, so it was not read."
                )
            chunks.append(chunk)
    return b"".join(chunks)


_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _xml_head(raw: bytes) -> bytes:
    """The bytes to look for a DOCTYPE in, whatever the part's encoding."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or raw[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        try:
            return raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            return raw
    return raw


def docx_check(data: bytes, name: str) -> None:
    """Bound the archive and refuse any XML part that declares entities."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive_check(
                archive,
                name,
                max_members=DOCX_MAX_MEMBERS,
                max_member=DOCX_MAX_UNPACKED,
                max_total=DOCX_MAX_UNPACKED,
                max_ratio=DOCX_MAX_RATIO,
            )
            for info in archive.infolist():
                if is_encrypted(info):
                    raise ResumeRejected(
                        f"{name} is protected by a password, so it cannot be read."
                    )
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                if _DOCTYPE.search(_xml_head(read_bounded(archive, info, info.file_size))):
                    raise ResumeRejected(
                        f"{name} contains XML entity declarations, which Word never writes "
                        "and which can be used to read files from the server; it was not read. "
                        "Open it in your word processor, save it again, and upload that."
                    )
    except ResumeRejected:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
        raise ResumeRejected(f"{name} is a damaged Word file and cannot be read.") from None


def _read_docx(data: bytes, name: str) -> str:
    docx_check(data, name)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_docx_lines(document))
    except Exception as exc:  # python-docx and lxml raise many kinds on a damaged file
        logger.info("Unreadable DOCX %s: %r", name, exc)
        raise ResumeRejected(
            f"{name} is a damaged Word file and cannot be read. "
            "Open it, save it again as DOCX, and upload that."
        ) from None


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_lines(document: object) -> Iterator[str]:
    """Headers first (names often sit there), then the body in order with
    each table row on one line, then text boxes (sidebars), then footers."""
    from docx.document import Document

    assert isinstance(document, Document)
    seen_parts: set[int] = set()
    for section in document.sections:
        header = section.header
        if not header.is_linked_to_previous and id(header.part) not in seen_parts:
            seen_parts.add(id(header.part))
            yield from _blocks(header)
    yield from _blocks(document)
    body = document.element.body
    for box in body.iter(f"{W}txbxContent"):
        # Word writes each text box twice (a drawing and a VML fallback).
        if any(a.tag.endswith("}Fallback") for a in box.iterancestors()):
            continue
        for paragraph in box.iter(f"{W}p"):
            yield "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
    for section in document.sections:
        footer = section.footer
        if not footer.is_linked_to_previous and id(footer.part) not in seen_parts:
            seen_parts.add(id(footer.part))
            yield from _blocks(footer)


def _blocks(container: object) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table(block)


def _table(table: object) -> Iterator[str]:
    """A table of data (each cell one line) gives one line per row, its
    cells joined by ` | `; a table used for layout (a sidebar and a main
    column, cells of many paragraphs) gives each cell's lines in turn."""
    from docx.table import Table

    assert isinstance(table, Table)
    for row in table.rows:
        cells = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) not in seen:  # a merged cell appears once per column it spans
                seen.add(id(cell._tc))
                cells.append(cell)
        if any(len([p for p in c.paragraphs if p.text.strip()]) > 1 or c.tables for c in cells):
            for cell in cells:
                yield from _blocks(cell)
        else:
            yield " | ".join(
                t for c in cells if (t := " ".join(p.text for p in c.paragraphs).strip())
            )


# --- cleaning


_spaces = re.compile(r"[ \u00a0\u2000-\u200b\u202f\u205f\u3000]+")
# Three spaces or more, or a tab: the gap between two columns flattened to
# text (or before a date set off to the right), kept as one tab.
_gap = re.compile(r"(?:\t|[ \u00a0\u2000-\u200b\u202f\u205f\u3000]{3,})[\s]*")
_controls = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufeff]")


def clean_text(text: str) -> str:
    """NFC, ligatures undone (ﬁ → fi), soft hyphens and control characters
    dropped, runs of spaces made one (a wide gap one tab, so columns stay
    apart), blank lines squeezed; at most MAX_TEXT."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(
        unicodedata.normalize("NFKC", c) if 0xFB00 <= ord(c) <= 0xFB06 else c for c in text
    )
    text = _controls.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [_line(line) for line in text.split("\n")]
    cleaned: list[str] = []
    for line in lines:
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    return "\n".join(cleaned).strip()[:MAX_TEXT]


def _line(text: str) -> str:
    """One line with its spaces made one and its wide gaps one tab; a line
    indented by a wide gap (the right column alone) starts with the tab."""
    text = _spaces.sub(" ", _gap.sub("\t", text)).strip(" ")
    text = text.rstrip("\t ")
    return "" if not text.strip() else text
