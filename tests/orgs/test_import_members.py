"""`gonghui import-members FILE --org CODE [--dry-run] [--errors OUT.xlsx]` — the contract, exactly."""

from __future__ import annotations

import pytest
import xlsxwriter
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gonghui.core.crypto import lookup_hash
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_id_number, make_member
from gonghui.orgs import services
from gonghui.orgs.importers import MemberImporter
from gonghui.orgs.models import Member


def workbook(path, rows, header=("姓名", "身份证号", "手机号", "工作单位", "工种", "入会日期", "新就业形态", "组织代码")):
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("会员")
    ws.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            ws.write_string(r, c, v)
    wb.close()
    return path


def test_success_exit_zero_count_printed_and_one_audit_row(tree, tmp_path, capsys):
    ids = [make_id_number() for _ in range(3)]
    path = workbook(tmp_path / "ok.xlsx", [
        ["刘一", ids[0], "13900000001", "燃气公司", "焊工", "2025/7/1", "是", "SY-GAS"],
        ["陈二", ids[1], "13900000002", "", "", "", "快递员", "SY-WATER"],
        ["张三", ids[2], "+8613900000003", "", "", "2025年7月3日", "否", "sy-gas"],
    ])
    with pytest.raises(CommandError):  # SY-WATER is not under SY-GAS
        call_command("import_members", str(path), "--org", "SY-GAS")
    assert Member.objects.count() == 0
    call_command("import_members", str(path), "--org", "SY", "--quiet")
    assert capsys.readouterr().out.strip() == "已导入3名会员"
    assert dict(Member.objects.values_list("name", "org__code")) == {"刘一": "SY-GAS", "陈二": "SY-WATER", "张三": "SY-GAS"}
    assert dict(Member.objects.values_list("name", "new_form_type")) == {"刘一": "other", "陈二": "courier", "张三": ""}
    events = AuditEvent.objects.filter(action="member.import")
    assert [(e.org_id, e.after) for e in events] == [(tree["SY"].pk, {"count": 3, "file": "ok.xlsx"})]


def test_imported_rows_equal_what_member_create_writes(tree, root_user, tmp_path):
    number = make_id_number(female=True)
    path = workbook(tmp_path / "one.xlsx", [["王 小 丽", number, "139 0000 0009", "燃气公司", "焊工", "2025-07-01", "外卖配送员", ""]])
    call_command("import_members", str(path), "--org", "SY-GAS", "--quiet")
    imported = Member.objects.get()
    values = services.prepare_member_values(name="王 小 丽", id_number=number, phone="139 0000 0009", employer="燃气公司",
                                            trade="焊工", new_form_type="food_delivery")
    for key, value in values.items():
        assert getattr(imported, key) == value, key
    assert imported.id_number_hash == lookup_hash("id", number)
    assert len(imported.card_no) == 12 and len(imported.card_nonce) == 8
    assert imported.status == "active" and imported.is_outdoor_worker is False and imported.user is None
    imported.full_clean()  # the bulk path produced a row the model accepts
    # And a member created by the service afterwards has the same shape.
    other = make_member(org=tree["SY-GAS"], actor=root_user, name="对照")
    assert {f.attname for f in Member._meta.concrete_fields if getattr(other, f.attname) in (None, "")} <= {
        f.attname for f in Member._meta.concrete_fields if getattr(imported, f.attname) in (None, "")} | {"employer", "trade", "new_form_type"}


def test_any_error_exit_one_nothing_written_first_errors_printed_and_workbook(tree, root_user, tmp_path, capsys):
    existing = make_member(org=tree["HD-PD"], actor=root_user, name="老会员")
    good, dup = make_id_number(), make_id_number()
    bad_checksum = good[:17] + ("0" if good[17] != "0" else "1")
    path = workbook(tmp_path / "bad.xlsx", [
        ["好人", good, "13900000001", "", "", "", "", ""],                      # row 2: fine
        ["坏号", bad_checksum, "13900000002", "", "", "", "", ""],              # row 3
        ["坏手机", make_id_number(), "1234", "", "", "", "", ""],               # row 4
        ["", make_id_number(), "13900000004", "", "", "", "", ""],              # row 5
        ["重复甲", dup, "13900000005", "", "", "", "", ""],                     # row 6
        ["重复乙", dup, "13900000006", "", "", "", "", ""],                     # row 7
        ["已是会员", existing.id_number, "13900000007", "", "", "", "", ""],    # row 8
        ["外人", make_id_number(), "13900000008", "", "", "", "", "HD-PD"],     # row 9
        ["无名", make_id_number(), "13900000009", "", "", "", "", "NOPE"],      # row 10
        ["坏日期", make_id_number(), "13900000010", "", "", "2025-13-01", "", ""],  # row 11
        ["短号", "11010519800101", "13900000011", "", "", "", "", ""],          # row 12
        ["坏生日", "110105198002300015", "13900000012", "", "", "", "", ""],    # row 13
    ])
    out = tmp_path / "errors.xlsx"
    with pytest.raises(CommandError) as info:
        call_command("import_members", str(path), "--org", "SY", "--errors", str(out), "--quiet")
    assert info.value.returncode == 1
    assert Member.objects.count() == 1 and not AuditEvent.objects.filter(action="member.import").exists()
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["行", "列", "值", "原因"]
    found = {(int(r[0]), r[1]): r[3] for r in rows[1:]}
    assert found[(3, "B（身份证号）")].startswith("身份证号码校验位错误：最后一位应为")
    assert found[(4, "C（手机号）")] == "手机号码格式不正确：应为1开头的11位手机号"
    assert found[(5, "A（姓名）")] == "姓名不能为空"
    assert found[(7, "B（身份证号）")] == "与第6行的身份证号重复"
    assert found[(8, "B（身份证号）")] == "该身份证号码已是海淀派出所工会的会员，请通过会员组织关系转接办理"
    assert found[(9, "H（组织代码）")] == "组织代码HD-PD不在顺义区总工会的下级组织中"
    assert found[(10, "H（组织代码）")] == "组织代码NOPE不存在"
    assert found[(11, "F（入会日期）")] == "2025-13-01不是有效日期"
    assert found[(12, "B（身份证号）")] == "身份证号码应为18位，实际为14位"
    assert found[(13, "B（身份证号）")] == "身份证号码中的出生日期19800230不是有效日期"
    # Rows without an org code go to --org SY, a district: refused on every such row, row 2 included.
    assert found[(2, "H（组织代码）")].startswith("顺义区总工会是区总工会，不能直接接收会员")
    err = capsys.readouterr().err
    assert "第3行 B（身份证号）" in err and str(info.value).startswith("共12行，发现")


def test_dry_run_validates_and_writes_nothing(tree, tmp_path, capsys):
    path = workbook(tmp_path / "ok.xlsx", [["刘一", make_id_number(), "13900000001", "", "", "", "", ""]])
    call_command("import_members", str(path), "--org", "SY-GAS", "--dry-run", "--quiet")
    assert "校验通过：1名会员可以导入" in capsys.readouterr().out
    assert Member.objects.count() == 0


def test_unknown_org_and_write_role(tree, sy_viewer, tmp_path):
    path = workbook(tmp_path / "ok.xlsx", [["刘一", make_id_number(), "13900000001", "", "", "", "", ""]])
    with pytest.raises(CommandError, match="组织代码NOPE不存在"):
        call_command("import_members", str(path), "--org", "NOPE")
    with pytest.raises(CommandError, match="您没有在该组织导入数据的权限"):
        call_command("import_members", str(path), "--org", "SY-GAS", "--user", "sy_viewer")
    assert Member.objects.count() == 0


def test_importer_out_of_scope_is_not_found(tree, sy_staff):
    from gonghui.core.errors import NotFound

    with pytest.raises(NotFound):
        MemberImporter(actor=sy_staff, org=tree["HD-PD"]).check_access()
    MemberImporter(actor=sy_staff, org=tree["SY-GAS"]).check_access()
