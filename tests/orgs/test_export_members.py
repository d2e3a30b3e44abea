"""`gonghui export-members --org CODE -o FILE.xlsx [--full-pii]`: masked by default, full PII audited."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gonghui.core.errors import PermissionDeniedError
from gonghui.core.models import AuditEvent
from gonghui.orgs.importers import MEMBER_EXPORT_HEADERS, MemberExporter


def read(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_masked_by_default_subtree_only(tree, member, hd_member, tmp_path, capsys):
    out = tmp_path / "m.xlsx"
    call_command("export_members", "--org", "SY", "-o", str(out), "--quiet")
    assert capsys.readouterr().out.strip() == f"已导出1名会员到 {out}"
    rows = read(out)
    assert rows[0] == MEMBER_EXPORT_HEADERS
    assert rows[1][:3] == ["刘永涛", member.id_number_masked, member.phone_masked]
    assert rows[1][6] == "SY-GAS" and rows[1][12] == member.card_no
    assert not AuditEvent.objects.filter(action="member.export_pii").exists()


def test_full_pii_is_audited(tree, member, tmp_path):
    out = tmp_path / "m.xlsx"
    call_command("export_members", "--org", "SY", "-o", str(out), "--full-pii", "--quiet")
    assert read(out)[1][:3] == ["刘永涛", member.id_number, member.phone]
    event = AuditEvent.objects.get(action="member.export_pii")
    assert (event.org_id, event.after) == (tree["SY"].pk, {"count": 1, "file": "m.xlsx"})


def test_errors_exit_one_and_nothing_written(tree, sy_staff, tmp_path):
    out = tmp_path / "m.xlsx"
    with pytest.raises(CommandError, match="组织代码NOPE不存在"):
        call_command("export_members", "--org", "NOPE", "-o", str(out))
    with pytest.raises(CommandError, match=r"\.xlsx"):
        call_command("export_members", "--org", "SY", "-o", str(tmp_path / "m.csv"))
    with pytest.raises(CommandError, match="只有管理员可以导出完整"):
        call_command("export_members", "--org", "SY", "-o", str(out), "--full-pii", "--user", "sy_staff")
    assert not out.exists() and not list(tmp_path.iterdir())


def test_exporter_scope(tree, sy_staff, hd_member):
    from gonghui.core.errors import NotFound

    with pytest.raises(NotFound):
        MemberExporter(actor=sy_staff, org=tree["HD"]).check_access()
    with pytest.raises(PermissionDeniedError):
        MemberExporter(actor=sy_staff, org=tree["SY"], full_pii=True).check_access()
