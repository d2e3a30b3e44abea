"""Reading a spreadsheet upload: detect the type by content, pick the sheet, find the header, stream rows.

Supported: .xlsx / .xlsm (zip with `[Content_Types].xml` and `xl/workbook.xml`), legacy .xls (OLE2) and
.ods through python-calamine, and .csv in UTF-8, UTF-8 with BOM or GBK/GB18030 (strict decoding: a bad
byte is reported with its line). Anything else, an empty file, a file over the size limit or one
without a recognisable header raises `ImportFileError` with one clear Chinese message.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError
from gonghui.core.validators import normalize_text

__all__ = ["Column", "ImportFileError", "SheetRow", "TableReader", "column_letter", "header_key"]

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel's own limit for one cell; anything longer did not come from Excel and is refused.
MAX_CELL_CHARS = 32767
HEADER_SCAN_ROWS = 10


class ImportFileError(DomainError):
    """The file as a whole cannot be read: one clear message, nothing written."""

    def __init__(self, message: str, code: str = "bad_file") -> None:
        super().__init__(code, message)


@dataclass(frozen=True)
class Column:
    """One column an importer understands: `key` for code, `label` in Chinese, header aliases."""

    key: str
    label: str
    aliases: Sequence[str] = ()
    required: bool = False
    max_length: int = 200
    example: str = ""
    help: str = ""

    def names(self) -> set[str]:
        return {header_key(n) for n in (self.key, self.label, *self.aliases)}


def header_key(text: object) -> str:
    """How a header cell is compared: NFKC, lower case, no blanks, markers and notes dropped."""
    value = normalize_text(text).lower()
    value = re.sub(r"[（(][^）)]*[）)]", "", value)  # 身份证号（必填） → 身份证号
    return re.sub(r"[\s*:：_\-]", "", value)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as Excel shows columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class SheetRow:
    """One data row: its number as Excel shows it and the raw cell of each known column."""

    number: int
    cells: dict[str, Any]
    errors_in_cells: dict[str, str] = field(default_factory=dict)  # key → Excel error value (#DIV/0!)


class TableReader:
    """Open `path`, find the first sheet with a header matching `columns`, then iterate data rows.

    After construction: `sheet_name`, `header_row` (Excel number), `column_index` (key → 0-based
    column), `warnings` (skipped sheets, ignored columns), `kind` ("xlsx", "xls", "csv").
    """

    def __init__(self, path: str | Path, columns: Sequence[Column], *, max_bytes: int | None = None) -> None:
        self.path = Path(path)
        self.columns = list(columns)
        self.warnings: list[str] = []
        self.sheet_name = ""
        self.header_row = 0
        self.column_index: dict[str, int] = {}
        self._col_offset = 0
        self._rows: Iterator[list[Any]] | None = None
        self._row_number = 0
        self._error_cells: dict[tuple[int, int], str] = {}
        self._csv_handle = None
        self.estimated_rows = 0  # data rows below the header, when the format tells (0 = unknown)
        limit = max_bytes if max_bytes is not None else settings.GONGHUI_IMPORT_MAX_BYTES
        try:
            size = self.path.stat().st_size
        except OSError:
            raise ImportFileError(_("找不到文件：{f}").format(f=self.path.name), "not_found")
        if size == 0:
            raise ImportFileError(_("文件是空的"), "empty")
        if size > limit:
            raise ImportFileError(
                _("文件过大：{s} MB，上限为 {m} MB").format(s=round(size / 1048576, 1), m=round(limit / 1048576, 1)),
                "too_large",
            )
        with open(self.path, "rb") as handle:
            head = handle.read(8192)
        if head.startswith(ZIP_MAGIC):
            self.kind = "xlsx"
            self._open_xlsx()
        elif head.startswith(OLE2_MAGIC):
            self.kind = "xls"
            self._open_calamine()
        else:
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise ImportFileError(_("不支持 UTF-16 编码的文件：请另存为 UTF-8 或 GBK 编码的 CSV"), "bad_encoding")
            if b"\x00" in head:
                raise ImportFileError(_("无法识别的文件：不是 Excel 工作簿，也不是 CSV 文本文件"), "not_spreadsheet")
            self.kind = "csv"
            self._open_csv()

    # ------------------------------------------------------------------ xlsx / xls

    def _open_xlsx(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = set(archive.namelist())
                if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
                    raise ImportFileError(
                        _("这是一个压缩包，但不是 Excel 工作簿（.xlsx）"), "not_spreadsheet")
                archive.testzip()
        except zipfile.BadZipFile:
            raise ImportFileError(_("文件已损坏或不完整，无法作为 Excel 工作簿打开，请重新保存后再上传"), "corrupt")
        except (OSError, EOFError, ValueError):
            raise ImportFileError(_("文件已损坏或不完整，无法作为 Excel 工作簿打开，请重新保存后再上传"), "corrupt")
        self._open_calamine()

    def _open_calamine(self) -> None:
        from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

        try:
            workbook = CalamineWorkbook.from_path(str(self.path))
            metas = list(workbook.sheets_metadata)
        except (CalamineError, OSError, ValueError) as exc:
            raise ImportFileError(
                _("文件已损坏或不完整，无法作为 Excel 工作簿打开（{e}）").format(e=str(exc)[:120]), "corrupt")
        if not metas:
            raise ImportFileError(_("工作簿里没有工作表"), "empty")
        for index, meta in enumerate(metas):
            if meta.visible != SheetVisibleEnum.Visible:
                self.warnings.append(_("已跳过隐藏的工作表「{s}」").format(s=meta.name))
                continue
            try:
                sheet = workbook.get_sheet_by_index(index)
            except (CalamineError, ValueError) as exc:
                raise ImportFileError(
                    _("工作表「{s}」无法读取（{e}）").format(s=meta.name, e=str(exc)[:120]), "corrupt")
            if sheet.start is None:
                self.warnings.append(_("已跳过空白工作表「{s}」").format(s=meta.name))
                continue
            rows = sheet.iter_rows()
            offset = sheet.start[1]
            found = self._find_header(rows, offset)
            if found is None:
                self.warnings.append(_("工作表「{s}」里没有可识别的表头，已跳过").format(s=meta.name))
                continue
            self.sheet_name = meta.name
            self.estimated_rows = max(0, sheet.height - self.header_row)
            self._rows = rows
            self._col_offset = offset
            self._check_merged_header(sheet.merged_cell_ranges or [])
            if self.kind == "xlsx":
                self._error_cells = _xlsx_error_cells(self.path, index)
            return
        raise self._no_header()

    def _check_merged_header(self, ranges) -> None:
        for (r1, c1), (r2, c2) in ranges:
            if r1 <= self.header_row - 1 <= r2:
                ref = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
                raise ImportFileError(
                    _("表头有合并单元格（{r}）：请取消合并，每列只写一个列名").format(r=ref), "merged_header")

    # ------------------------------------------------------------------ csv

    def _open_csv(self) -> None:
        encoding = _detect_encoding(self.path)
        self.encoding = encoding
        handle = open(self.path, encoding=encoding, errors="strict", newline="")
        self._csv_handle = handle
        csv.field_size_limit(MAX_CELL_CHARS * 4)
        reader = csv.reader(handle)
        rows = _CsvRows(reader, self.path, encoding)
        self.sheet_name = ""  # a CSV has no sheets
        found = self._find_header(rows, 0)
        if found is None:
            raise self._no_header()
        self._rows = rows

    # ------------------------------------------------------------------ header

    def _no_header(self) -> ImportFileError:
        wanted = "、".join(c.label for c in self.columns if c.required) or "、".join(c.label for c in self.columns)
        return ImportFileError(
            _("没有找到可识别的表头：第一行应是列名，例如 {w}（中文或英文均可）").format(w=wanted), "no_header")

    def _find_header(self, rows: Iterator[list[Any]], offset: int) -> tuple | None:
        names = {c.key: c.names() for c in self.columns}
        required = [c for c in self.columns if c.required]
        seen = 0
        for number, row in enumerate(rows, start=1):
            if not any(_is_filled(v) for v in row):
                if seen == 0 and number > 1000:  # a sheet of nothing but blank rows
                    return None
                continue
            seen += 1
            if seen > HEADER_SCAN_ROWS:
                return None
            index: dict[str, int] = {}
            unknown: list[str] = []
            duplicate: list[str] = []
            for j, cell in enumerate(row):
                key = header_key(cell) if isinstance(cell, str) else ""
                if not key:
                    continue
                match = next((k for k, n in names.items() if key in n), None)
                if match is None:
                    unknown.append(normalize_text(cell))
                elif match in index:
                    duplicate.append(normalize_text(cell))
                else:
                    index[match] = j
            if len(index) >= min(2, len(required) or 1):
                self.header_row = number
                if duplicate:
                    raise ImportFileError(
                        _("表头第{r}行有重复的列：{c}").format(r=number, c="、".join(duplicate)), "duplicate_column")
                missing = [c.label for c in required if c.key not in index]
                if missing:
                    raise ImportFileError(
                        _("表头第{r}行缺少必填列：{c}").format(r=number, c="、".join(missing)), "missing_column")
                if unknown:
                    self.warnings.append(_("已忽略无法识别的列：{c}").format(c="、".join(unknown[:20])))
                self.column_index = index
                self._row_number = number
                return index, number
        return None

    # ------------------------------------------------------------------ rows

    def column_ref(self, key: str) -> str:
        """The column letter of `key` as Excel shows it (or its label for a column not in the file)."""
        if key in self.column_index:
            return column_letter(self.column_index[key] + self._col_offset)
        return ""

    def rows(self) -> Iterator[SheetRow]:
        """Data rows after the header; blank rows are skipped (so trailing blank rows cost nothing)."""
        assert self._rows is not None
        index = self.column_index
        number = self._row_number
        errors = self._error_cells
        try:
            for row in self._rows:
                number += 1
                width = len(row)
                cells = {k: (row[j] if j < width else "") for k, j in index.items()}
                if not any(_is_filled(v) for v in cells.values()):
                    if not errors:
                        continue
                sheet_row = SheetRow(number=number, cells=cells)
                if errors:
                    for k, j in index.items():
                        err = errors.get((number, j + self._col_offset))
                        if err:
                            sheet_row.errors_in_cells[k] = err
                    if not sheet_row.errors_in_cells and not any(_is_filled(v) for v in cells.values()):
                        continue
                yield sheet_row
        finally:
            self.close()

    def close(self) -> None:
        if self._csv_handle is not None:
            self._csv_handle.close()
            self._csv_handle = None


def _is_filled(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return True


class _CsvRows:
    """csv.reader that turns decoding and parsing failures into one clear message naming the line."""

    def __init__(self, reader, path: Path, encoding: str) -> None:
        self.reader = reader
        self.path = path
        self.encoding = encoding

    def __iter__(self):
        return self

    def __next__(self) -> list[Any]:
        try:
            return next(self.reader)
        except UnicodeDecodeError:
            line = _bad_byte_line(self.path, self.encoding)
            raise ImportFileError(
                _("第{n}行含有无法按 {e} 解码的字节：文件编码不一致或已损坏").format(n=line, e=_encoding_name(self.encoding)),
                "bad_encoding")
        except csv.Error as exc:
            line = self.reader.line_num
            if "field larger than field limit" in str(exc):
                raise ImportFileError(
                    _("第{n}行附近有一个单元格超过 {m} 个字符的长度上限").format(n=line, m=MAX_CELL_CHARS), "cell_too_long")
            raise ImportFileError(_("第{n}行不是有效的 CSV：{e}").format(n=line, e=str(exc)[:100]), "bad_csv")


def _encoding_name(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "gb18030": "GBK/GB18030"}.get(encoding, encoding)


def _first_decode_error(path: Path, encoding: str) -> int | None:
    """Byte offset of the first undecodable byte, or None when the whole file decodes."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            final = not chunk
            try:
                decoder.decode(chunk, final=final)
            except UnicodeDecodeError as exc:
                buffered = len(decoder.getstate()[0]) if hasattr(decoder, "getstate") else 0
                return max(0, offset - buffered + exc.start)
            if final:
                return None
            offset += len(chunk)


def _bad_byte_line(path: Path, encoding: str) -> int:
    position = _first_decode_error(path, encoding) or 0
    with open(path, "rb") as handle:
        return handle.read(position).count(b"\n") + 1


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when it decodes; otherwise GB18030 (a superset of GBK)."""
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(_("不支持 UTF-16 编码的文件：请另存为 UTF-8 或 GBK 编码的 CSV"), "bad_encoding")
    utf8_error = _first_decode_error(path, "utf-8")
    if utf8_error is None:
        return "utf-8"
    gb_error = _first_decode_error(path, "gb18030")
    if gb_error is None:
        return "gb18030"
    # Neither decodes the whole file: say which one the file mostly is (charset-normalizer's guess
    # breaks the tie), and where it breaks.
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    guess = (best.encoding if best else "").lower()
    encoding = "gb18030" if guess in {"gbk", "gb2312", "gb18030", "hz"} or gb_error > utf8_error else "utf-8"
    line = _bad_byte_line(path, encoding)
    raise ImportFileError(
        _("第{n}行含有无法按 {e} 解码的字节：文件编码不一致或已损坏").format(n=line, e=_encoding_name(encoding)),
        "bad_encoding")


# ---------------------------------------------------------------- error cells of an xlsx sheet

_CELL_RE = re.compile(rb"<c\b([^>]*)>(.*?)</c>", re.S)
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T_E = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _xlsx_error_cells(path: Path, sheet_index: int) -> dict[tuple[int, int], str]:
    """{(excel row, 0-based column): "#DIV/0!"} for the cells holding an error value.

    python-calamine reads an error cell as empty, so the sheet's XML is scanned (as bytes, in chunks)
    for `t="e"` cells; a file without any costs one pass of a fast regex over its sheet.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            target = _sheet_target(archive, sheet_index)
            if target is None or target not in archive.namelist():
                return {}
            found: dict[tuple[int, int], str] = {}
            with archive.open(target) as handle:
                tail = b""
                while True:
                    chunk = handle.read(1 << 20)
                    if not chunk:
                        break
                    data = tail + chunk
                    if b't="e"' not in data:
                        tail = data[-4096:]
                        continue
                    last_end = 0
                    for match in _CELL_RE.finditer(data):
                        last_end = match.end()
                        attrs = match.group(1)
                        if _ATTR_T_E.search(attrs):
                            ref = _ATTR_R.search(attrs)
                            value = _VALUE.search(match.group(2))
                            if ref:
                                found[(int(ref.group(2)), _col_index(ref.group(1)))] = (
                                    value.group(1).decode("utf-8", "replace") if value else "#ERROR")
                    tail = data[last_end:][-65536:]
            return found
    except (zipfile.BadZipFile, KeyError, OSError):
        return {}


def _sheet_target(archive: zipfile.ZipFile, sheet_index: int) -> str | None:
    workbook = archive.read("xl/workbook.xml")
    sheets = re.findall(rb"<(?:\w+:)?sheet\b([^>]*)/?>", workbook)
    if sheet_index >= len(sheets):
        return None
    rid = re.search(rb'r:id="([^"]+)"', sheets[sheet_index]) or re.search(rb'\bid="([^"]+)"', sheets[sheet_index])
    if rid is None:
        return None
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    for rel in re.findall(rb"<Relationship\b([^>]*)/?>", rels):
        if re.search(rb'\bId="' + re.escape(rid.group(1)) + rb'"', rel):
            target = re.search(rb'\bTarget="([^"]+)"', rel)
            if target:
                name = target.group(1).decode()
                return name.lstrip("/") if name.startswith("/") else os.path.normpath("xl/" + name)
    return None


# ---------------------------------------------------------------- cell values

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def cell_text(value: Any) -> str:
    """A cell as normalised text: integral numbers without '.0', dates as ISO, full-width → ASCII."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return normalize_text(value)


def cell_date(value: Any) -> dt.date:
    """A date from an Excel date cell, an Excel serial, or 2025-07-01 / 2025/7/1 / 2025年7月1日.

    Raises ValueError with a Chinese message.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise ValueError(_("日期序号{v}超出范围").format(v=value))
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = normalize_text(value).replace(" ", "")
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    text = re.sub(r"[T ]?\d{1,2}:\d{2}(:\d{2})?$", "", text)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise ValueError(_("{v}不是有效日期").format(v=text))
    raise ValueError(_("无法识别的日期格式：{v}（可用 2025-07-01、2025/7/1 或 2025年7月1日）").format(v=text))


__all__ += ["cell_date", "cell_text", "EXCEL_EPOCH"]
