"""Reading one CSV file of a package: strict about what makes the file unusable, lenient per row.

Fatal (raises :class:`HSDSImportError` naming the file and line): bytes that are not UTF-8
(a Latin-1 or Windows-1252 export), binary data, a first line that is not a CSV header, a
missing required column, and a file cut off inside a quoted field. The first 64 KiB (binary
data, encoding, the header and its required columns) are checked before the file is read in
full, so junk is rejected without reading it all. The file is then read as a stream, line by
line, straight into its records: it is never held whole in memory, as bytes or as text. It is
parsed strictly first (which is how a quote left open at the end is noticed) and, only when
strict parsing trips over stray quotes inside a field, read again leniently.

Lenient: blank lines are skipped, a row with fewer fields than the header reads the missing
ones as empty (with a warning), extra fields are dropped (with a warning), a byte-order mark is
ignored.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import HSDSImportError
from .rows import Origin

SNIFF_BYTES = 64 * 1024
MAX_FIELD = 16 * 1024 * 1024

csv.field_size_limit(MAX_FIELD)


@dataclass(slots=True)
class CsvRecord:
    """One record: its 1-based physical start line (or a JSON pointer) and its values by column."""

    line: int | None
    values: dict[str, str]
    pointer: str | None = None

    def origin(self, label: str) -> Origin:
        """Where the record is, for the report."""
        return Origin(label, self.line, self.pointer)


@dataclass
class CsvTable:
    """A whole CSV file: its columns, its records, and notes about it."""

    label: str
    columns: list[str]
    records: list[CsvRecord]
    warnings: list[str] = field(default_factory=list)


def _not_utf8(label: str, line: int, byte: int) -> HSDSImportError:
    return HSDSImportError(
        f"{label} is not UTF-8 text: line {line} has the byte 0x{byte:02X} "
        f"(the file is probably Latin-1 or Windows-1252); save it as UTF-8 and import again"
    )


def sniff_text(path: Path, label: str) -> bytes:
    """The first 64 KiB of ``path``, checked to be UTF-8 text; raise for binary data."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise HSDSImportError(f"cannot read {label}: {error.strerror or error}") from error
    if b"\x00" in head:
        raise HSDSImportError(f"{label} is not a text file (it contains binary data)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3 or len(head) < SNIFF_BYTES:
            line = head[: error.start].count(b"\n") + 1
            raise _not_utf8(label, line, head[error.start]) from None
    return head


def _first_bad_byte(path: Path, label: str) -> HSDSImportError:
    """The error naming the line and value of the first byte of ``path`` that is not UTF-8
    (read again in chunks: only when reading the file as text failed)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                start = max(0, min(error.start, len(chunk) - 1))
                return _not_utf8(label, line + chunk.count(b"\n", 0, start), chunk[start])
            line += chunk.count(b"\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:  # cut off inside a character at the very end
        return _not_utf8(label, line, error.object[error.start] if error.object else 0)
    return HSDSImportError(f"{label} is not UTF-8 text")


def _lines(path: Path, label: str) -> Iterator[str]:
    """The lines of ``path`` as text (a byte-order mark dropped), read as a stream; bytes that
    are not UTF-8, or a NUL, raise naming the line."""
    newlines = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for line in handle:
                if "\x00" in line:
                    at = newlines + line.count("\n", 0, line.index("\x00")) + 1
                    raise HSDSImportError(f"{label} line {at} contains binary data (NUL bytes)")
                newlines += line.count("\n")
                yield line
    except UnicodeDecodeError:
        raise _first_bad_byte(path, label) from None
    except OSError as error:
        raise HSDSImportError(f"cannot read {label}: {error.strerror or error}") from error


def read_csv(path: Path, label: str, required: Iterable[str] = ()) -> CsvTable:
    """Read the CSV file at ``path`` (named ``label`` in messages); see the module docstring."""
    head = sniff_text(path, label)
    first_line = head.split(b"\n", 1)[0]
    if b"\n" not in head and len(head) >= SNIFF_BYTES:
        raise HSDSImportError(
            f"{label} is not a CSV file: its first line is longer than {SNIFF_BYTES // 1024} KiB"
        )
    if not first_line.strip(b"\r\n\t \xef\xbb\xbf"):
        raise HSDSImportError(f"{label} has no header line (line 1 is empty)")
    _check_header(first_line, label, required)  # before reading a large file in full
    try:
        return _parse(_lines(path, label), label, required, strict=True)
    except _Broken:
        return _parse(_lines(path, label), label, required, strict=False)


def _columns(header: list[str]) -> list[str]:
    return [name.strip().lower().removeprefix("\ufeff") for name in header]


def _check_header(first_line: bytes, label: str, required: Iterable[str]) -> None:
    """Refuse a file whose first line lacks a required column, from the first line alone."""
    text = first_line.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if text.count('"') % 2:
        return  # a quoted header cell spanning lines: let the full parse judge
    _check_columns(_columns(next(csv.reader([text]), [])), label, required)


def _check_columns(columns: list[str], label: str, required: Iterable[str]) -> None:
    """Refuse a header with over-long names (not a header at all) or without a required column."""
    if any(len(name) > 100 for name in columns):
        raise HSDSImportError(f"{label} line 1 is not a CSV header")
    missing = [name for name in required if name not in columns]
    if missing:
        raise HSDSImportError(
            f"{label} has no {', '.join(repr(m) for m in missing)} column "
            f"(line 1 has: {', '.join(c for c in columns if c) or 'nothing'})"
        )


class _Broken(Exception):
    """Strict parsing met bad quoting that lenient parsing reads (``"x"y"``)."""


def _parse(lines: Iterator[str], label: str, required: Iterable[str], *, strict: bool) -> CsvTable:
    records: list[CsvRecord] = []
    warnings: list[str] = []
    short = long = 0
    reader = csv.reader(lines, strict=strict)
    try:
        header = next(reader)
    except StopIteration:
        raise HSDSImportError(f"{label} is empty") from None
    except csv.Error as error:
        raise HSDSImportError(f"{label} line 1 is not a CSV header: {error}") from None
    columns = _columns(header)
    if not any(columns):
        raise HSDSImportError(f"{label} line 1 is not a CSV header")
    _check_columns(columns, label, required)
    width = len(columns)
    end = reader.line_num
    try:
        for values in reader:
            start = end + 1
            end = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) < width:
                short += 1
                values = values + [""] * (width - len(values))
            elif len(values) > width:
                if any(v.strip() for v in values[width:]):
                    long += 1
                values = values[:width]
            records.append(CsvRecord(start, dict(zip(columns, values))))
    except csv.Error as error:
        if "unexpected end of data" in str(error) or "field larger" in str(error):
            raise HSDSImportError(
                f"{label} is cut off: the record starting on line {end + 1} has a quote that "
                f"is never closed before the end of the file"
            ) from None
        if strict:
            raise _Broken() from None
        raise HSDSImportError(f"{label} line {reader.line_num} is broken: {error}") from None
    if short:
        warnings.append(
            f"{label}: {short} rows have fewer fields than the header; the missing fields "
            f"were read as empty"
        )
    if long:
        warnings.append(f"{label}: {long} rows have more fields than the header; extras ignored")
    return CsvTable(label, [c for c in columns if c], records, warnings)
