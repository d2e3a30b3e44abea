"""The core import pipeline: file detection, encodings, headers, dates, blank rows, limits, error workbook."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from gonghui.core.imports import ERROR_HEADERS, RowError, cell_date, run_import, write_error_workbook
from gonghui.core.testing import make_id_number
from gonghui.orgs.importers import MemberImporter
from gonghui.orgs.models import Member


def rows_csv(rows) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


def importer(tree, user, name="f"):
    return MemberImporter(actor=user, org=tree["SY-GAS"], file_name=name)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_imports(encoding, tree, root_user, tmp_path):
    ids = [make_id_number() for _ in range(3)]
    path = tmp_path / "m.csv"
    path.write_bytes(rows_csv([["姓名", "身份证号", "手机号", "工作单位"],
                               *[[f"张三{i}", ids[i], f"1390000000{i}", "燃气公司·维修班"] for i in range(3)]]
                              ).encode(encoding))
    outcome = run_import(importer(tree, root_user), path)
    assert outcome.ok, outcome.errors
    assert outcome.written == 3
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张三0", "张三1", "张三2"]
    assert set(Member.objects.values_list("employer", flat=True)) == {"燃气公司·维修班"}


def test_english_headers_full_width_values_and_extra_column_warning(tree, root_user, tmp_path):
    number = make_id_number()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
    path = tmp_path / "m.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["Name", "ID_Number", "Phone", "Trade", "Remarks"])
    ws.write_row(1, 0, ["  李 四 ", wide, "１３９ ００００ ００１１", "焊工", "x"])
    wb.close()
    outcome = run_import(importer(tree, root_user), path)
    assert outcome.ok, outcome.errors
    assert outcome.warnings == ["已忽略无法识别的列：Remarks"]
    member = Member.objects.get()
    assert (member.name, member.id_number, member.phone, member.trade) == ("李 四", number, "13900000011", "焊工")


@pytest.mark.parametrize("value, expected", [
    (45839, dt.date(2025, 7, 1)), (45839.0, dt.date(2025, 7, 1)), ("45839", dt.date(2025, 7, 1)),
    ("2025-07-01", dt.date(2025, 7, 1)), ("2025/7/1", dt.date(2025, 7, 1)), ("2025年7月1日", dt.date(2025, 7, 1)),
    ("２０２５年７月１日", dt.date(2025, 7, 1)), ("2025.7.1", dt.date(2025, 7, 1)), ("20250701", dt.date(2025, 7, 1)),
    (dt.datetime(2025, 7, 1, 9, 30), dt.date(2025, 7, 1)), (dt.date(2025, 7, 1), dt.date(2025, 7, 1)),
    ("2025-07-01 08:00:00", dt.date(2025, 7, 1)),
])
def test_dates_in_every_format(value, expected):
    assert cell_date(value) == expected


@pytest.mark.parametrize("value, reason", [("2025-02-30", "2025-02-30不是有效日期"), ("七月一日", "无法识别的日期格式"),
                                           (-3, "超出范围")])
def test_bad_dates(value, reason):
    with pytest.raises(ValueError, match=reason):
        cell_date(value)


def test_dates_of_every_format_land_in_joined_on(tree, root_user, tmp_path):
    path = tmp_path / "d.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["姓名", "身份证号", "手机号", "入会日期"])
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, value in enumerate(["2025/7/1", "2025年7月2日", "2025-07-03"], start=1):
        ws.write_row(r, 0, [f"人{r}", make_id_number(), f"1390000010{r}", value])
    ws.write_row(4, 0, ["人4", make_id_number(), "13900000104"])
    ws.write_number(4, 3, 45842)
    ws.write_row(5, 0, ["人5", make_id_number(), "13900000105"])
    ws.write_datetime(5, 3, dt.datetime(2025, 7, 6), date_format)
    wb.close()
    assert run_import(importer(tree, root_user), path).ok
    assert sorted(Member.objects.values_list("joined_on", flat=True)) == [dt.date(2025, 7, d) for d in (1, 2, 3, 4, 6)]


def test_hundred_thousand_blank_rows_after_the_data_cost_nothing(tree, root_user, tmp_path):
    path = tmp_path / "blank.xlsx"
    wb = xlsxwriter.Workbook(path, {"constant_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["姓名", "身份证号", "手机号"])
    ws.write_row(1, 0, ["甲", make_id_number(), "13900000201"])
    ws.write_row(2, 0, ["乙", "110105198001010011", "13900000202"])
    fmt = wb.add_format({"bg_color": "#FFFF00"})
    for r in range(3, 100_003):
        ws.write_blank(r, 0, None, fmt)
        ws.write_string(r, 1, " ")
    wb.close()
    started = time.perf_counter()
    outcome = run_import(importer(tree, root_user), path)
    assert time.perf_counter() - started < 20  # generous: a crude guard against quadratic behaviour
    assert outcome.rows_total == 2
    assert [(e.row, e.column) for e in outcome.errors] == [(3, "B（身份证号）")]
    assert Member.objects.count() == 0


def test_file_over_the_limit_is_refused(tree, root_user, tmp_path, settings):
    settings.GONGHUI_IMPORT_MAX_BYTES = 100
    path = tmp_path / "big.csv"
    path.write_text("姓名,身份证号,手机号\r\n" + "x,y,z\r\n" * 50)
    outcome = run_import(importer(tree, root_user), path)
    assert outcome.message.startswith("文件过大")
    assert outcome.errors == [RowError(0, "", "", outcome.message)]


def test_csv_named_xlsx_is_read_by_content(tree, root_user, tmp_path):
    path = tmp_path / "really-a.xlsx"
    path.write_text(rows_csv([["姓名", "身份证号", "手机号"], ["丙", make_id_number(), "13900000301"]]))
    assert run_import(importer(tree, root_user), path).written == 1


def test_error_workbook_columns(tmp_path):
    target = tmp_path / "e.xlsx"
    write_error_workbook(target, [RowError(3, "B（身份证号）", "123", "身份证号码应为18位，实际为3位")])
    rows = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert rows == [list(ERROR_HEADERS), [3.0, "B（身份证号）", "123", "身份证号码应为18位，实际为3位"]]
    assert list(ERROR_HEADERS) == ["行", "列", "值", "原因"]
