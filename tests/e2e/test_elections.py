"""Browser: tellers count ballots on the keyboard-first page, see the result, print the report PDF."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from gonghui.core.testing import make_org, make_user
from tests.e2e.conftest import SCREENSHOTS, login, screenshot

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="chromium not installed")]


@pytest.fixture
def world(transactional_db):
    from gonghui.elections import services

    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    jk = make_org(code="JK", name="北京经济技术开发区总工会", type="district", parent=bj)
    pharma = make_org(code="JK-PHARMA", name="国际医药创新公园联合工会", type="joint", parent=jk, status="preparing")
    pharma.refresh_from_db()
    staff = make_user("jk_staff", org=jk, role="staff")
    election = services.election_create(actor=staff, org=pharma, body="committee", seats=2, due=6,
                                        method="competitive")
    for name in ("张敏", "丁一", "王芳"):
        services.candidate_add(actor=staff, election=election, name=name)
    services.attendance_count_set(actor=staff, election=election, present=5)
    election.refresh_from_db()
    services.election_open(actor=staff, election=election)
    return {"election": election, "org": pharma}


def test_teller_counts_sees_result_and_prints_report(page, live_server, world):
    election = world["election"]
    login(page, live_server, "jk_staff")
    page.goto(f"{live_server.url}/elections/plans/{election.plan_id}/")
    assert page.locator("#checks").inner_text()  # the F-rule findings are shown
    screenshot(page, "elections-plan")
    page.goto(f"{live_server.url}/elections/{election.pk}/meeting/")
    screenshot(page, "elections-meeting")
    page.goto(f"{live_server.url}/elections/{election.pk}/count/")
    page.fill("input[name=issued]", "5")
    page.click("text=保存 >> nth=0")
    page.wait_for_load_state("networkidle")
    yes = page.locator("[data-testid=yes]")
    entries = ("1 2", "1 2", "1 2", "1 2", "1 3")  # 丁一=1, 王芳=2, 张敏=3 in stroke order
    for n, entry in enumerate(entries, start=1):
        yes.fill(entry)
        yes.press("Enter")
        page.locator("[data-testid=running]", has_text=f"已录入 {n} 张").wait_for()
        page.wait_for_function("document.querySelector('[data-testid=yes]').value === ''")
    page.locator("[data-testid=running]", has_text="已录入 5 张").wait_for()
    assert page.evaluate("document.activeElement.name") == "yes"  # ready for the next ballot
    screenshot(page, "elections-count")
    page.once("dialog", lambda d: d.accept())
    page.click("text=本轮计票完成")
    page.wait_for_url("**/result/")
    assert page.locator("#elected").inner_text().split() == ["丁一", "王芳"]
    screenshot(page, "elections-result")
    page.click("text=结果报告")
    page.click("text=报送北京经济技术开发区总工会审批")
    page.click("button:has-text('批准')")
    page.locator("#report-state", has_text="已批准").wait_for()
    screenshot(page, "elections-report")
    href = page.get_attribute("#report-pdf", "href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf_path = SCREENSHOTS / "elections-report.pdf"
    pdf_path.write_bytes(body)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path),
                        str(SCREENSHOTS / "elections-report-pdf")], check=True)
        assert (SCREENSHOTS / "elections-report-pdf-1.png").exists()
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
        assert "选举结果报告" in text and "丁一" in text
    world["org"].refresh_from_db()
    assert world["org"].status == "active"
