"""Reading an import file a row at a time: CSV, TSV and XLSX.

Nothing here holds the file in memory. A CSV is read as bytes, line by
line: each line is decoded as UTF-8 and, when it is not UTF-8, in the
legacy encoding charset-normalizer guessed from a sample of such lines
(Windows-1252 when it cannot tell), so a file written half by one program
and half by another still reads right, and the lines that needed it are
counted. UTF-16 and UTF-32 files (with their BOM, or detected) are decoded
whole. The delimiter is the one among `, ; tab |` that splits the first
records of the sample into the same number of columns most often. XLSX is
read with openpyxl's read-only mode (the first sheet, cached values of
formulas), and its cells come back as text: numbers and dates keep their
kind (`Number`, `Date`) so that a phone number Excel turned into a number
or a date is reported as such.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import charset_normalizer

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (",", ";", "\t", "|")
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
csv.field_size_limit(10 * 1024 * 1024)


class ReadError(Exception):
    """The file cannot be read at all; the message says why and what to do."""


class Number(str):
    """A cell Excel stored as a number, written as digits."""


class Date(str):
    """A cell Excel stored as a date, written as an ISO date."""


@dataclass
class Shape:
    """What was found out about a file before reading it."""

    format: str  # csv, tsv or xlsx
    encoding: str = ""  # how its text is decoded (CSV and TSV)
    fallback: str = ""  # the encoding of lines that are not UTF-8
    delimiter: str = ""


@dataclass
class Reading:
    """Rows of a file being read; `recovered` counts lines that were not UTF-8."""

    header: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[str]]]
    recovered: list[int] = field(default_factory=list)


def detect(path: Path, name: str) -> Shape:
    """The format, the encoding and the delimiter of the file at `path`."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    suffix = Path(name).suffix.lower()
    if not sample.strip():
        raise ReadError("The file is empty.")
    if sample.startswith(b"PK\x03\x04"):
        if suffix not in ("", ".xlsx", ".xlsm"):
            raise ReadError(f"This {suffix} file is a zip archive: upload a CSV, TSV or XLSX file.")
        return Shape(format="xlsx")
    if sample.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError("This is an old Excel file (.xls): open it and save it as .xlsx or as CSV.")
    encoding, fallback = _encoding(sample)
    text = _decode_sample(sample, encoding, fallback)
    delimiter = _delimiter(text, default="\t" if suffix == ".tsv" else ",")
    return Shape(
        format="tsv" if delimiter == "\t" else "csv",
        encoding=encoding,
        fallback=fallback,
        delimiter=delimiter,
    )


def _encoding(sample: bytes) -> tuple[str, str]:
    """(encoding, fallback): for UTF-8 and legacy files, the encoding is
    utf-8 and the fallback is used line by line for lines that are not."""
    for bom, name in BOMS:
        if sample.startswith(bom):
            return name, ""
    sample = sample.removeprefix(codecs.BOM_UTF8)
    if sample.count(b"\x00") > len(sample) // 8:  # UTF-16 or -32 without a BOM
        best = charset_normalizer.from_bytes(sample).best()
        if best is not None and best.encoding.startswith("utf_"):
            return best.encoding.replace("_", "-"), ""
        raise ReadError("The file is not text: upload a CSV, TSV or XLSX file.")
    lines = sample.splitlines(True)
    if len(sample) >= SAMPLE_BYTES - 3:  # the last line may be cut short
        lines = lines[:-1]
    failing = b"".join(line for line in lines if not _is_utf8(line))
    if not failing:
        return "utf-8", "cp1252"
    fallback = _legacy(failing)
    if fallback.startswith(("utf_16", "utf_32", "ascii", "utf_8")):
        fallback = "cp1252"
    return "utf-8", codecs.lookup(fallback).name


def _legacy(data: bytes) -> str:
    """charset-normalizer's guess; among equally good guesses, Windows-1252,
    which most legacy exports are written in."""
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        return "cp1252"
    best = matches[0]
    if best.coherence == 0 and _decodes(data, "cp1252"):  # too little text to tell
        return "cp1252"
    ties = [m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return "cp1252" if "cp1252" in ties else best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_sample(sample: bytes, encoding: str, fallback: str) -> str:
    sample = sample.removeprefix(codecs.BOM_UTF8)
    if fallback:
        lines = sample.splitlines(True)
        if len(sample) >= SAMPLE_BYTES - 3:
            lines = lines[:-1] or lines
        return "".join(_decode(line, fallback) for line in lines)
    return sample.decode(encoding, errors="ignore")


def _decode(line: bytes, fallback: str) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        return line.decode(fallback, errors="replace")


def _delimiter(text: str, *, default: str) -> str:
    """The delimiter that gives the most records with the same number (> 1)
    of columns among the first fifty."""
    best, best_score = default, 0
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        counts: dict[int, int] = {}
        try:
            for n, record in enumerate(reader):
                if n >= 50:
                    break
                if record:
                    counts[len(record)] = counts.get(len(record), 0) + 1
        except csv.Error:
            continue
        width, score = max(counts.items(), key=lambda item: (item[1], item[0]), default=(0, 0))
        if width > 1 and (score > best_score or (score == best_score and delimiter == default)):
            best, best_score = delimiter, score
    return best


@contextmanager
def read(path: Path, shape: Shape) -> Iterator[Reading]:
    """The header and the rows after it, as (row number, cells); row numbers
    are those a spreadsheet shows (the header is usually row 1)."""
    if shape.format == "xlsx":
        with _xlsx(path) as reading:
            yield reading
        return
    with path.open("rb") as raw:
        recovered: list[int] = []
        text = _text(raw, shape, recovered)
        records = csv.reader(text, delimiter=shape.delimiter or ",")
        try:
            numbered = _numbered(records)
            header_row, header = _header(numbered)
        except csv.Error as exc:
            raise ReadError(f"The file cannot be read as CSV: {exc}.") from None
        yield Reading(header, header_row, _guarded(numbered), recovered)


def _text(raw: IO[bytes], shape: Shape, recovered: list[int]) -> Iterator[str]:
    if not shape.fallback:
        yield from io.TextIOWrapper(raw, encoding=shape.encoding, errors="replace", newline="")
        return
    for n, line in enumerate(raw, 1):
        if n == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[3:]
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            recovered.append(n)
            yield line.decode(shape.fallback, errors="replace")


def _numbered(records: Any) -> Iterator[tuple[int, list[str]]]:
    yield from enumerate(records, 1)


def _guarded(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    except csv.Error as exc:
        raise ReadError(f"The file stops being readable as CSV: {exc}.") from None


def _header(rows: Iterator[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first row with something in it (within the first ten)."""
    for n, cells in rows:
        if any(str(c).strip() for c in cells):
            return n, _unique([str(c).strip().replace("\x00", "") for c in cells])
        if n >= 10:
            break
    raise ReadError("The file is empty: it has no header row.")


def _unique(header: list[str]) -> list[str]:
    """Column names as the mapping names them: blanks become `Column 3`,
    repeats `Email (2)`."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(header, 1):
        name = name or f"Column {i}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


@contextmanager
def _xlsx(path: Path) -> Iterator[Reading]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReadError(f"This is not an Excel file that can be read ({exc}).") from None
    try:
        sheet = book.worksheets[0]
        cells = (
            (n, [_cell(v) for v in values])
            for n, values in enumerate(sheet.iter_rows(values_only=True), 1)
        )
        header_row, header = _header(cells)
        yield Reading(header, header_row, cells)
    finally:
        book.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return Number(value)
    if isinstance(value, float):
        return Number(int(value)) if value.is_integer() else Number(repr(value))
    if isinstance(value, dt.datetime):
        return Date(value.date().isoformat() if value.time() == dt.time() else value.isoformat())
    if isinstance(value, (dt.date, dt.time)):
        return Date(value.isoformat())
    return str(value)


def count_rows(path: Path, shape: Shape) -> int | None:
    """About how many rows follow the header: lines for CSV (exact unless
    quoted values hold line breaks), the sheet's stated size for XLSX."""
    if shape.format == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            rows = book.worksheets[0].max_row
        finally:
            book.close()
        return max(0, rows - 1) if rows else None
    lines, last = 0, b"\n"
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    if shape.encoding.startswith(("utf-16", "utf-32")):
        return None
    return max(0, lines - 1)
