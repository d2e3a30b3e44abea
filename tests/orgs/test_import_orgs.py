"""`gonghui import-orgs FILE [--dry-run] [--errors OUT.xlsx]`: trees in any order, refused on any error."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from gonghui.core.imports import run_import
from gonghui.core.models import AuditEvent
from gonghui.core.testing import make_org
from gonghui.orgs.importers import OrgImporter
from gonghui.orgs.models import Organisation


def csv(path, rows):
    path.write_text("\r\n".join(",".join(r) for r in rows) + "\r\n", encoding="utf-8")
    return path


def assert_tree_ok():
    """treebeard's invariants (find_problems is too slow for thousands of nodes): paths, depths, numchild."""
    rows = list(Organisation.objects.values_list("path", "depth", "numchild"))
    paths = {p for p, _d, _n in rows}
    children = Counter(p[:-Organisation.steplen] for p, d, _n in rows if d > 1)
    for path, depth, numchild in rows:
        assert len(path) == depth * Organisation.steplen, path
        assert depth == 1 or path[:-Organisation.steplen] in paths, path
        assert numchild == children.get(path, 0), path


HEADER = ["组织代码", "组织名称", "组织类型", "上级组织代码", "统一社会信用代码", "地址"]


def test_parent_after_child_builds_a_valid_tree(tree, tmp_path, capsys):
    path = csv(tmp_path / "orgs.csv", [
        HEADER,
        ["SY-NEW-A", "新甲工会", "基层工会", "SY-NEW", "", "顺义"],      # child before its parent
        ["SY-NEW", "新区街道总工会", "街道总工会", "SY", "", ""],
        ["SY-NEW-B", "新乙联合工会", "联合工会", "SY-NEW", "", ""],
        ["SY-NEW-A-1", "甲下属工会", "base", "SY-NEW-A", "", ""],
        ["TOP", "新的总工会", "federation", "", "", ""],
    ])
    call_command("import_orgs", str(path), "--quiet")
    assert capsys.readouterr().out.strip() == "已导入5个组织"
    assert_tree_ok()
    new = Organisation.objects.get(code="SY-NEW")
    assert Organisation.objects.get_parent(new).code == "SY" and new.type == "street"
    assert [c.code for c in Organisation.objects.get_children(new)] == ["SY-NEW-A", "SY-NEW-B"]
    assert Organisation.objects.get_parent(Organisation.objects.get(code="SY-NEW-A-1")).code == "SY-NEW-A"
    assert Organisation.objects.get(code="SY-NEW-A").address == "顺义"
    assert Organisation.objects.get(code="TOP").is_root()
    sy = Organisation.objects.get(code="SY")
    assert sy.numchild == 3 and Organisation.objects.get_children_count(sy) == 3
    assert Organisation.objects.get(code="SY-NEW").name_pinyin == "xinqujiedaozonggonghui"
    # treebeard still works on the imported nodes
    make_org(code="SY-NEW-C", parent=Organisation.objects.get(code="SY-NEW"))
    assert_tree_ok()
    assert AuditEvent.objects.filter(action="org.import").get().after == {"count": 5, "file": "orgs.csv"}


def test_cycle_unknown_parent_duplicate_code_exit_one(tree, tmp_path, capsys):
    path = csv(tmp_path / "bad.csv", [
        HEADER,
        ["X-A", "甲", "基层工会", "X-B", "", ""],       # 2: cycle
        ["X-B", "乙", "基层工会", "X-A", "", ""],       # 3: cycle
        ["X-C", "丙", "基层工会", "NOPE", "", ""],      # 4: unknown parent
        ["X-D", "丁", "基层工会", "SY", "", ""],        # 5
        ["X-D", "戊", "基层工会", "SY", "", ""],        # 6: duplicate code
        ["HD-PD", "己", "基层工会", "HD", "", ""],      # 7: exists
        ["X-E", "庚", "居委会", "SY", "", ""],          # 8: type
        ["X-F", "辛", "基层工会", "X-F", "", ""],       # 9: itself
    ])
    out = tmp_path / "e.xlsx"
    before = Organisation.objects.count()
    with pytest.raises(CommandError) as info:
        call_command("import_orgs", str(path), "--errors", str(out), "--quiet")
    assert info.value.returncode == 1
    assert Organisation.objects.count() == before
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    found = {(int(r[0]), r[1]): r[3] for r in rows[1:]}
    assert found == {
        (2, "D（上级组织代码）"): "上级关系形成循环：X-A → X-B → X-A",
        (3, "D（上级组织代码）"): "上级关系形成循环：X-A → X-B → X-A",
        (4, "D（上级组织代码）"): "上级组织代码NOPE不存在",
        (6, "A（组织代码）"): "组织代码与第5行重复",
        (7, "A（组织代码）"): "组织代码HD-PD已存在",
        (8, "C（组织类型）"): "未知的组织类型：应为 总工会、区总工会、产业工会、街道总工会、基层工会 或 联合工会",
        (9, "D（上级组织代码）"): "上级组织不能是它自己",
    }


def test_staff_may_only_import_under_their_subtree(tree, sy_staff, tmp_path):
    path = csv(tmp_path / "o.csv", [HEADER, ["X-1", "甲", "基层工会", "HD", "", ""], ["X-2", "乙", "基层工会", "", "", ""],
                                     ["X-3", "丙", "基层工会", "SY-GAS", "", ""]])
    outcome = run_import(OrgImporter(actor=sy_staff, file_name="o.csv"), path)
    assert [(e.row, e.reason) for e in outcome.errors] == [
        (2, "上级组织代码HD不存在"), (3, "上级组织代码不能为空（只有系统管理员可以导入顶级组织）")]


def test_dry_run_writes_nothing(tree, tmp_path, capsys):
    path = csv(tmp_path / "o.csv", [HEADER, ["X-1", "甲", "基层工会", "SY", "", ""]])
    call_command("import_orgs", str(path), "--dry-run", "--quiet")
    assert "校验通过：1个组织可以导入" in capsys.readouterr().out
    assert not Organisation.objects.filter(code="X-1").exists()


def test_two_thousand_orgs_in_bulk(tree, tmp_path):
    rows = [HEADER]
    for d in range(20):
        rows.append([f"D{d}", f"街道{d}", "街道总工会", "BJ", "", ""])
        rows += [[f"D{d}-B{b}", f"基层{d}-{b}", "基层工会", f"D{d}", "", ""] for b in range(99)]
    path = csv(tmp_path / "many.csv", [HEADER, *rows[:0:-1]])  # children before their parents
    started = time.perf_counter()
    outcome = run_import(OrgImporter(actor=None, file_name="many.csv"), path)
    assert outcome.ok and outcome.written == 2000
    assert time.perf_counter() - started < 30
    assert_tree_ok()
    assert Organisation.objects.get_children_count(Organisation.objects.get(code="D7")) == 99
