"""Generate the bad-input corpus in tests/data/bad/: `python tests/data/make_bad_corpus.py`.

Every file here must end in one clear message and write nothing. `CORPUS` lists each file with the
import it is fed to (kind, --org), and the reason (a substring) and row the report must name
(row 0 = an error about the whole file). tests/core/test_imports_corpus.py runs them all.
The "100,000 blank rows after the data" file is generated at test time (tests/core/test_imports.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"

ID_CHECK = "10X98765432"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int, birth: str = "19800101") -> str:
    first17 = f"110105{birth}{n % 1000:03d}"
    return first17 + ID_CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


MEMBER_HEADER = ["姓名", "身份证号", "手机号", "工作单位", "工种", "入会日期"]


def good_rows(n: int, start: int = 1) -> list[list[str]]:
    return [[f"测试{i}", id_number(i), f"1390000{i:04d}", "燃气公司", "焊工", "2025-07-01"]
            for i in range(start, start + n)]


def xlsx(name: str, sheets, *, build=None) -> None:
    """`sheets`: [(sheet name, rows)]; `build(workbook, worksheets)` for anything special."""
    wb = xlsxwriter.Workbook(str(BAD / name), {"strings_to_numbers": False})
    wb.set_properties({"created": dt.datetime(2025, 7, 1)})
    worksheets = []
    for sheet_name, rows in sheets:
        ws = wb.add_worksheet(sheet_name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, (int, float)):
                    ws.write_number(r, c, value)
                elif value != "":
                    ws.write_string(r, c, value)
        worksheets.append(ws)
    if build:
        build(wb, worksheets)
    wb.close()


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (BAD / name).write_bytes(content.encode(encoding))


def csv_text(rows) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


# (file, kind, org code, reason substring, row)
CORPUS: list[tuple[str, str, str, str, int]] = []


def case(name: str, reason: str, row: int = 0, kind: str = "orgs.members", org: str = "SY-GAS") -> None:
    CORPUS.append((name, kind, org, reason, row))


def build(target: Path | None = None) -> list[tuple[str, str, str, str, int]]:
    """Write the corpus into `target` (default tests/data/bad/) and return its manifest."""
    global BAD
    BAD = Path(target) if target is not None else HERE / "bad"
    CORPUS.clear()
    BAD.mkdir(exist_ok=True)
    for old in BAD.iterdir():
        old.unlink()
    header_and_rows = [MEMBER_HEADER, *good_rows(3)]

    # -- not a spreadsheet at all
    (BAD / "picture_renamed.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    case("picture_renamed.xlsx", "无法识别的文件")
    (BAD / "pdf_renamed.csv").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\x00\x00endobj\n")
    case("pdf_renamed.csv", "无法识别的文件")
    (BAD / "empty.csv").write_bytes(b"")
    case("empty.csv", "文件是空的")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "这不是工作簿")
    (BAD / "zip_not_xlsx.xlsx").write_bytes(buf.getvalue())
    case("zip_not_xlsx.xlsx", "不是 Excel 工作簿")
    xlsx("_whole.xlsx", [("会员", header_and_rows)])
    whole = (BAD / "_whole.xlsx").read_bytes()
    (BAD / "_whole.xlsx").unlink()
    (BAD / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    case("truncated.xlsx", "已损坏或不完整")
    (BAD / "fake_legacy.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\x01garbage" * 64)
    case("fake_legacy.xls", "已损坏或不完整")
    (BAD / "utf16.csv").write_bytes(codecs.BOM_UTF16_LE + csv_text(header_and_rows).encode("utf-16-le"))
    case("utf16.csv", "UTF-16")

    # -- encodings
    gbk = csv_text(header_and_rows).encode("gbk")
    lines = gbk.split(b"\r\n")
    lines[2] = lines[2].replace("测试".encode("gbk"), b"\x81\x20", 1)  # a lead byte with a bad trail byte
    (BAD / "gbk_bad_byte.csv").write_bytes(b"\r\n".join(lines))
    case("gbk_bad_byte.csv", "第3行含有无法按 GBK/GB18030 解码的字节")
    utf8_then_bad = csv_text(header_and_rows).encode("utf-8") + "测试9".encode()[:-2] + b"\xff\xfe,x\r\n"
    (BAD / "utf8_bad_byte.csv").write_bytes(utf8_then_bad)
    case("utf8_bad_byte.csv", "第5行含有无法按")
    rows = [MEMBER_HEADER, *good_rows(2), ["王五", id_number(77), "1380000", "", "", ""]]
    text("gbk_bad_phone.csv", csv_text(rows), "gbk")
    case("gbk_bad_phone.csv", "手机号码格式不正确", 4)

    # -- headers
    xlsx("no_header.xlsx", [("Sheet1", good_rows(3))])
    case("no_header.xlsx", "没有找到可识别的表头")
    xlsx("missing_phone_column.xlsx", [("Sheet1", [["姓名", "身份证号"], ["张三", id_number(1)]])])
    case("missing_phone_column.xlsx", "缺少必填列：手机号")
    xlsx("duplicate_column.xlsx", [("Sheet1", [["姓名", "身份证号", "手机号", "name"], *[r[:3] + ["x"] for r in good_rows(2)]])])
    case("duplicate_column.xlsx", "重复的列")
    xlsx("header_only.xlsx", [("Sheet1", [MEMBER_HEADER])])
    case("header_only.xlsx", "表头下面没有数据行")

    def merge(wb, sheets):
        sheets[0].merge_range(0, 0, 0, 1, "姓名")
    xlsx("merged_header.xlsx", [("Sheet1", [["", "", "身份证号", "手机号"], ["张三", "", id_number(1), "13900000001"]])],
         build=merge)
    case("merged_header.xlsx", "表头有合并单元格（A1:B1）")

    def hide_first(wb, sheets):
        sheets[1].activate()
        sheets[0].hide()
    xlsx("hidden_sheet_only_data.xlsx", [("隐藏的数据", header_and_rows), ("说明", [["本文件说明"], ["请勿修改"]])],
         build=hide_first)
    case("hidden_sheet_only_data.xlsx", "没有找到可识别的表头")
    xlsx("only_blank_cells.xlsx", [("Sheet1", [])],
         build=lambda wb, s: [s[0].write_blank(r, 0, None, wb.add_format({"bold": True})) for r in range(200)])
    case("only_blank_cells.xlsx", "没有找到可识别的表头")

    # -- sheets and rows that are read correctly, then rejected for a named row
    xlsx("empty_sheet_first.xlsx", [("空白", []), ("会员", [MEMBER_HEADER, *good_rows(2), good_rows(1)[0]])])
    case("empty_sheet_first.xlsx", "与第2行的身份证号重复", 4)

    def formula_error(wb, sheets):
        sheets[0].write_formula(2, 2, "=1/0", None, "#DIV/0!")
    xlsx("formula_error.xlsx", [("Sheet1", [MEMBER_HEADER, *good_rows(2)])], build=formula_error)
    case("formula_error.xlsx", "单元格是错误值#DIV/0!", 3)

    def formula_ok_then_bad(wb, sheets):
        sheets[0].write_formula(1, 2, '="1390000"&"0001"', None, "13900000001")
        sheets[0].write_formula(2, 2, '="123"', None, "123")
    xlsx("formula_cached_bad_phone.xlsx", [("Sheet1", [MEMBER_HEADER, *good_rows(2)])], build=formula_ok_then_bad)
    case("formula_cached_bad_phone.xlsx", "手机号码格式不正确", 3)
    xlsx("huge_cell.xlsx", [("Sheet1", [MEMBER_HEADER, ["张" * 30000, id_number(1), "13900000001", "", "", ""]])])
    case("huge_cell.xlsx", "内容过长：30000个字符，上限60个", 2)
    text("huge_cell.csv", csv_text([MEMBER_HEADER[:3], ["张三", id_number(1), "13900000001" + "9" * 200000]]))
    case("huge_cell.csv", "超过 32767 个字符的长度上限")
    rows = [MEMBER_HEADER, *good_rows(4)]
    rows[1][5], rows[2][5], rows[3][5], rows[4][5] = "2025/7/1", "2025年7月1日", "45839", "2025-02-30"
    xlsx("mixed_dates.xlsx", [("Sheet1", rows)])
    case("mixed_dates.xlsx", "2025-02-30不是有效日期", 5)
    rows = [MEMBER_HEADER, *[[r[0], fullwidth(r[1]), fullwidth(r[2]), *r[3:]] for r in good_rows(3)]]
    rows[3][1] = fullwidth(rows[3][1][:17] + ("0" if rows[3][1][-1] != "0" else "1"))
    xlsx("fullwidth_ids.xlsx", [("Sheet1", rows)])
    case("fullwidth_ids.xlsx", "身份证号码校验位错误", 4)
    xlsx("id_as_number.xlsx", [("Sheet1", [MEMBER_HEADER, *good_rows(1), ["李四", 110105198001010011, "13900000002", "", "", ""]])])
    case("id_as_number.xlsx", "身份证号被 Excel 存成了数字", 3)
    rows = [MEMBER_HEADER, *good_rows(2), ["周六", id_number(88, "19801332"), "13900000088", "", "", ""]]
    text("bad_birth_date.csv", csv_text(rows), "utf-8-sig")
    case("bad_birth_date.csv", "出生日期19801332不是有效日期", 4)
    rows = [MEMBER_HEADER, *good_rows(2), ["", id_number(91), "13900000091", "", "", ""]]
    text("missing_name.csv", csv_text(rows))
    case("missing_name.csv", "姓名不能为空", 4)
    rows = [MEMBER_HEADER, *good_rows(1), ["短号", id_number(92)[:15], "13900000092", "", "", ""]]
    xlsx("short_id.xlsx", [("Sheet1", rows)])
    case("short_id.xlsx", "身份证号码应为18位，实际为15位", 3)
    rows = [[*MEMBER_HEADER, "入会日期2"][:6], *good_rows(2)]
    rows[2][5] = "2999-01-01"
    text("future_join_date.csv", csv_text(rows))
    case("future_join_date.csv", "入会日期不能晚于今天", 3)
    rows = [[*MEMBER_HEADER, "新就业形态"], *[[*r, "否"] for r in good_rows(2)]]
    rows[2][6] = "宇航员"
    xlsx("unknown_new_form.xlsx", [("Sheet1", rows)])
    case("unknown_new_form.xlsx", "无法识别的新就业形态", 3)
    rows = [[*MEMBER_HEADER, "组织代码"], *[[*r, "SY-WATER"] for r in good_rows(3)]]
    rows[2][6], rows[3][6] = "NOPE", "HD-PD"
    xlsx("org_codes.xlsx", [("Sheet1", rows)])
    case("org_codes.xlsx", "组织代码NOPE不存在", 3, org="SY")
    case("org_codes.xlsx", "组织代码HD-PD不在顺义区总工会的下级组织中", 4, org="SY")
    text("extra_columns_and_dup.csv", csv_text([[*MEMBER_HEADER, "备注"], *[[*r, "x"] for r in good_rows(2)],
                                                [*good_rows(1, start=2)[0], "y"]]))
    case("extra_columns_and_dup.csv", "与第3行的身份证号重复", 4)

    # -- organisations
    org_header = ["组织代码", "组织名称", "组织类型", "上级组织代码"]
    xlsx("orgs_cycle.xlsx", [("组织", [org_header, ["X-A", "甲", "基层工会", "X-B"], ["X-B", "乙", "基层工会", "X-A"],
                                       ["X-C", "丙", "基层工会", "SY"]])])
    case("orgs_cycle.xlsx", "上级关系形成循环", 2, kind="orgs.orgs")
    text("orgs_unknown_parent.csv", csv_text([org_header, ["X-A", "甲", "基层工会", "SY"], ["X-B", "乙", "基层工会", "NOWHERE"]]))
    case("orgs_unknown_parent.csv", "上级组织代码NOWHERE不存在", 3, kind="orgs.orgs")
    xlsx("orgs_duplicate_code.xlsx", [("组织", [org_header, ["X-A", "甲", "基层工会", "SY"], ["X-A", "乙", "基层工会", "SY"],
                                                ["SY-GAS", "已有", "基层工会", "SY"]])])
    case("orgs_duplicate_code.xlsx", "组织代码与第2行重复", 3, kind="orgs.orgs")
    case("orgs_duplicate_code.xlsx", "组织代码SY-GAS已存在", 4, kind="orgs.orgs")
    xlsx("orgs_bad_type.xlsx", [("组织", [org_header, ["X-A", "甲", "居委会", "SY"]])])
    case("orgs_bad_type.xlsx", "未知的组织类型", 2, kind="orgs.orgs")
    text("orgs_bad_uscc.csv", csv_text([[*org_header, "统一社会信用代码"], ["X-A", "甲", "基层工会", "SY", "91110000ABCDEFGHIJ"]]))
    case("orgs_bad_uscc.csv", "统一社会信用代码", 2, kind="orgs.orgs")
    return list(CORPUS)


if __name__ == "__main__":
    build()
    files = sorted(p for p in BAD.iterdir())
    total = sum(p.stat().st_size for p in files)
    print(f"{len(files)} files, {total / 1024:.0f} KiB in {BAD}", file=sys.stderr)
