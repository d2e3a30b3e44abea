"""Excel out: every list exports what it shows, streamed through a write-only workbook.

`xlsx_response(filename, headers, rows)` writes rows one by one (XlsxWriter constant_memory), so a
million rows do not need a million rows of memory, and returns a FileResponse of the finished file.
"""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter
from django.http import FileResponse

__all__ = ["write_xlsx", "xlsx_response"]


def _cell(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value) if value == value.to_integral_value() or abs(value) < 1e15 else str(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone().replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_xlsx(
    target: str | Path,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Sheet1",
    widths: Sequence[int] | None = None,
    text_columns: Sequence[int] = (),
    progress=None,
) -> int:
    """Write a one-sheet workbook; returns the number of data rows. `progress(n)` every 1,000 rows."""
    workbook = xlsxwriter.Workbook(str(target), {"constant_memory": True, "strings_to_numbers": False,
                                                 "strings_to_formulas": False, "strings_to_urls": False})
    ws = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#F3F4F6", "border": 1})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    dt_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    text_fmt = workbook.add_format({"num_format": "@"})
    for col, title in enumerate(headers):
        ws.write_string(0, col, str(title), bold)
        width = widths[col] if widths and col < len(widths) else max(10, min(40, len(str(title)) * 2 + 4))
        ws.set_column(col, col, width, text_fmt if col in text_columns else None)
    ws.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(rows, start=1):
        for col, raw in enumerate(row):
            value = _cell(raw)
            if isinstance(value, dt.datetime):
                ws.write_datetime(n, col, value, dt_fmt)
            elif isinstance(value, dt.date):
                ws.write_datetime(n, col, dt.datetime(value.year, value.month, value.day), date_fmt)
            elif isinstance(value, (int, float)) and col not in text_columns:
                ws.write_number(n, col, value)
            else:
                ws.write_string(n, col, str(value))
        if progress is not None and n % 1000 == 0:
            progress(n)
    if n:
        ws.autofilter(0, 0, n, max(0, len(headers) - 1))
    workbook.close()
    return n


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], **kwargs) -> FileResponse:
    """Stream a freshly written workbook to the browser as an attachment."""
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)
    tmp.close()
    write_xlsx(tmp.name, headers, rows, **kwargs)
    handle = open(tmp.name, "rb")
    Path(tmp.name).unlink()  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
