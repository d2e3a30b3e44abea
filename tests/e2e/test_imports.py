"""Browser: upload a members file, see the preview and errors, confirm, watch the job finish."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from pathlib import Path

import pytest

from gonghui.core.testing import make_id_number, make_org, make_user
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.e2e
if not Path("/usr/bin/chromium").exists():  # pragma: no cover
    pytest.skip("chromium is not installed", allow_module_level=True)


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_import_members_through_the_page(page, live_server, transactional_db, immediate_tasks, tmp_path):
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    sy = make_org(code="SY", name="顺义区总工会", type="district", parent=bj)
    gas = make_org(code="SY-GAS", name="燃气公司工会", type="base", parent=sy)
    make_user("sy_staff", org=sy, role="staff")
    bad = tmp_path / "会员-有错.csv"
    rows = [["姓名", "身份证号", "手机号", "工种", "入会日期"],
            ["刘永涛", make_id_number(), "13900000001", "焊工", "2025/7/1"],
            ["王建国", "110105198001010011", "13900000002", "焊工", "2025年7月1日"],
            ["", make_id_number(), "1390000", "", "2025-02-30"]]
    bad.write_bytes("\r\n".join(",".join(r) for r in rows).encode("gbk"))
    good = tmp_path / "会员.csv"
    good.write_bytes("\r\n".join(",".join(r) for r in [rows[0], rows[1], ["陈晓东", make_id_number(), "13900000003",
                                                                      "电工", "2025-07-02"]]).encode("utf-8-sig"))
    login(page, live_server, "sy_staff")

    page.goto(f"{live_server.url}/data/import/orgs.members/{gas.pk}/")
    page.set_input_files("#id_file", str(bad))
    page.click("text=上传并预检")
    page.wait_for_selector("[data-testid=errors]")
    errors = page.inner_text("[data-testid=errors]")
    assert "身份证号码校验位错误" in errors and "姓名不能为空" in errors and "2025-02-30不是有效日期" in errors
    assert page.locator("[data-testid=confirm]").count() == 0
    screenshot(page, "imports-errors")

    page.goto(f"{live_server.url}/data/import/orgs.members/{gas.pk}/")
    page.set_input_files("#id_file", str(good))
    page.click("text=上传并预检")
    page.wait_for_selector("[data-testid=preview]")
    assert "陈晓东" in page.inner_text("[data-testid=preview]")
    screenshot(page, "imports-preview")
    page.click("[data-testid=confirm]")
    page.wait_for_selector("text=已导入2条")
    assert page.inner_text("[data-testid=job-status]") == "已完成"
    screenshot(page, "imports-done")

    from gonghui.orgs.models import Member

    assert sorted(Member.objects.values_list("name", flat=True)) == ["刘永涛", "陈晓东"]
