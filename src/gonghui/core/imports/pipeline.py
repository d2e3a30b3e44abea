"""The import pipeline every module uses: read → validate every row → cross-row rules → write all or nothing.

An importer (a subclass of `Importer`, listed in its app's `importers.py` as `IMPORTERS`) says which
columns it reads, how one row becomes a value (`parse_row`), which rules span rows (`check_all`) and
how the valid values are written in bulk (`write`, inside the one transaction `run_import` opens).
`run_import` writes only when there is no error at all; the errors name the row as Excel shows it
(header = row 1, so the first data row is 2), the column, the value and the reason in Chinese.

Test hook: when the environment variable `GONGHUI_TEST_IMPORT_PAUSE` holds a number of seconds,
`run_import` prints "import: writing started" to stderr after the first batch is written inside the
transaction and sleeps that long, so a test can kill the process half-way (tests/orgs/test_import_kill.py).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import reset_queries, transaction
from django.utils.translation import gettext as _

from gonghui.core.exports import write_xlsx

from .reader import MAX_CELL_CHARS, Column, ImportFileError, SheetRow, TableReader, cell_text

__all__ = [
    "ERROR_HEADERS",
    "ImportOutcome",
    "Importer",
    "RowError",
    "RowRejected",
    "run_import",
    "write_error_workbook",
    "write_template_workbook",
]

ERROR_HEADERS = ("行", "列", "值", "原因")
PREVIEW_ROWS = 20
PAUSE_ENV = "GONGHUI_TEST_IMPORT_PAUSE"

Progress = Callable[..., None]  # (stage, rows done, errors so far, total=estimated rows or 0)


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel shows it; 0 for an error about the whole file
    column: str  # "B（身份证号）" or "" for a row-wide error
    value: str
    reason: str

    def as_list(self) -> list[Any]:
        return [self.row or "", self.column, self.value, self.reason]


class RowRejected(Exception):
    """Raised by `parse_row` (or collected by `Importer.error`) when a row has errors."""


@dataclass
class ImportOutcome:
    ok: bool
    dry_run: bool
    rows_total: int = 0
    written: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preview_headers: list[str] = field(default_factory=list)
    preview_rows: list[list[Any]] = field(default_factory=list)
    sheet: str = ""
    message: str = ""


class Importer:
    """Base of every importer. Subclasses set `kind`, `title`, `columns` and implement the hooks."""

    kind: str = ""
    title: str = ""
    columns: Sequence[Column] = ()
    batch_size = 2000
    needs_org = False

    def __init__(self, *, actor, org=None, file_name: str = "") -> None:
        self.actor = actor
        self.org = org
        self.file_name = file_name
        self.errors: list[RowError] = []
        self.reader: TableReader | None = None

    # -- hooks ---------------------------------------------------------------

    def check_access(self) -> None:
        """Raise a DomainError when the actor may not run this import at all."""

    def parse_row(self, row: SheetRow) -> Any:
        """Turn one row into a value to write; report problems with `self.error(...)`."""
        raise NotImplementedError

    def check_all(self, items: list[tuple[int, Any]]) -> None:
        """Rules across rows and against the database; report with `self.error(...)`."""

    def write(self, items: list[tuple[int, Any]], progress: Callable[[int], None]) -> int:
        """Write every item (inside the transaction `run_import` holds); return the count."""
        raise NotImplementedError

    def preview(self, item: Any) -> list[Any]:
        """How an item is shown in the dry-run preview (one cell per column of `preview_headers`)."""
        return []

    def preview_headers(self) -> list[str]:
        return [c.label for c in self.columns]

    # -- helpers -------------------------------------------------------------

    def column_name(self, key: str) -> str:
        column = next((c for c in self.columns if c.key == key), None)
        label = column.label if column else key
        letter = self.reader.column_ref(key) if self.reader else ""
        return f"{letter}（{label}）" if letter else label

    def error(self, row: int, key: str | None, value: Any, reason: str) -> None:
        self.errors.append(RowError(row=row, column=self.column_name(key) if key else "",
                                    value=cell_text(value)[:200] if value not in (None, "") else "",
                                    reason=str(reason)))

    def text(self, row: SheetRow, key: str) -> str:
        """The cell of `key` as normalised text, length-checked against the column's maximum."""
        raw = row.cells.get(key, "")
        value = cell_text(raw)
        column = next(c for c in self.columns if c.key == key)
        if len(value) > column.max_length:
            self.error(row.number, key, value[:50] + "…",
                       _("内容过长：{n}个字符，上限{m}个").format(n=len(value), m=column.max_length))
            raise RowRejected
        return value


def _cell_errors(importer: Importer, row: SheetRow) -> bool:
    bad = False
    for key, err in row.errors_in_cells.items():
        importer.error(row.number, key, err, _("单元格是错误值{e}（公式计算出错），请改为实际的值").format(e=err))
        bad = True
    for key, raw in row.cells.items():
        if isinstance(raw, str) and len(raw) > MAX_CELL_CHARS:
            importer.error(row.number, key, raw[:50] + "…",
                           _("单元格过长：{n}个字符，上限{m}个").format(n=len(raw), m=MAX_CELL_CHARS))
            bad = True
    return bad


def run_import(
    importer: Importer,
    path: str | Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> ImportOutcome:
    """Validate the whole file; write it in one transaction only when no row has an error."""
    report = progress or (lambda stage, done, errors, total=0: None)
    outcome = ImportOutcome(ok=False, dry_run=dry_run)
    try:
        importer.check_access()
        reader = TableReader(path, importer.columns, max_bytes=max_bytes)
    except ImportFileError as exc:
        outcome.message = exc.message
        outcome.errors = [RowError(0, "", "", exc.message)]
        return outcome
    importer.reader = reader
    outcome.sheet = reader.sheet_name
    outcome.preview_headers = importer.preview_headers()
    items: list[tuple[int, Any]] = []
    done = 0
    try:
        for row in reader.rows():
            done += 1
            if _cell_errors(importer, row):
                continue
            try:
                before = len(importer.errors)
                item = importer.parse_row(row)
                if len(importer.errors) == before and item is not None:
                    items.append((row.number, item))
                    if len(outcome.preview_rows) < PREVIEW_ROWS:
                        outcome.preview_rows.append([row.number, *importer.preview(item)])
            except RowRejected:
                pass
            if done % 1000 == 0:
                reset_queries()  # with DEBUG on, Django keeps every query's SQL: not for 100,000 rows
                report("read", done, len(importer.errors), total=max(done, reader.estimated_rows))
    except ImportFileError as exc:
        outcome.warnings = reader.warnings
        outcome.message = exc.message
        outcome.errors = [RowError(0, "", "", exc.message)]
        return outcome
    outcome.warnings = reader.warnings
    outcome.rows_total = done
    report("read", done, len(importer.errors), total=done)
    if done == 0:
        outcome.message = _("表头下面没有数据行")
        outcome.errors = [RowError(0, "", "", outcome.message)]
        return outcome
    importer.check_all(items)
    reset_queries()
    outcome.errors = sorted(importer.errors, key=lambda e: (e.row, e.column))
    report("check", done, len(outcome.errors), total=done)
    if outcome.errors:
        outcome.message = _("共{n}行，发现{e}处错误，未写入任何数据").format(n=done, e=len(outcome.errors))
        return outcome
    if dry_run:
        outcome.ok = True
        outcome.message = _("校验通过：共{n}行，可以导入（预检未写入）").format(n=len(items))
        return outcome
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    written_so_far = 0

    def on_batch(n: int) -> None:
        nonlocal written_so_far, pause
        written_so_far = n
        reset_queries()
        report("write", n, 0, total=len(items))
        if pause:
            print("import: writing started", file=sys.stderr, flush=True)
            time.sleep(pause)
            pause = 0

    with transaction.atomic():
        outcome.written = importer.write(items, on_batch)
    outcome.ok = True
    outcome.message = _("已导入{n}条").format(n=outcome.written)
    return outcome


def write_error_workbook(target: str | Path, errors: Iterable[RowError]) -> int:
    """The error report: one row per error with columns 行, 列, 值, 原因."""
    return write_xlsx(target, list(ERROR_HEADERS), (e.as_list() for e in errors), sheet="错误",
                      widths=[8, 18, 28, 70], text_columns=(2,))


def write_template_workbook(target: str | Path, importer_class: type[Importer]) -> int:
    """A template: the headers and one example row."""
    columns = list(importer_class.columns)
    headers = [c.label + ("*" if c.required else "") for c in columns]
    return write_xlsx(target, headers, [[c.example for c in columns]], sheet="导入模板",
                      widths=[max(12, len(c.label) * 2 + 6) for c in columns],
                      text_columns=tuple(range(len(columns))))


def iter_batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


__all__ += ["iter_batches"]
