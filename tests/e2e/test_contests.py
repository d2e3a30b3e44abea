"""Browser: a judge scores by blind number and never sees a name; certificates rendered and looked at."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

if not Path("/usr/bin/chromium").exists():  # pragma: no cover
    pytest.skip("chromium is not installed", allow_module_level=True)

from gonghui.contests import services
from gonghui.core.testing import make_member, make_org, make_user
from tests.e2e.conftest import SCREENSHOTS, login, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def world(transactional_db):
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    sy = make_org(code="SY", name="顺义区总工会", type="district", parent=bj)
    gas = make_org(code="SY-GAS", name="燃气公司工会", parent=sy)
    water = make_org(code="SY-WATER", name="水务公司工会", parent=sy)
    root = make_user("root", superuser=True)
    staff = make_user("sy_staff", org=sy)
    names = ["刘永涛", "张海峰", "王建国", "李春生"]
    members = [make_member(org=gas if i % 2 == 0 else water, name=n, actor=root, trade="焊工")
               for i, n in enumerate(names)]
    series = services.series_create(actor=staff, org=sy, name="2025年顺义区“工匠杯”职业技能竞赛", year=2025,
                                    co_organisers="顺义区人力资源和社会保障局")
    contest = services.contest_create(actor=staff, org=sy, series=series, name="焊工技能竞赛决赛", trade="焊工",
                                      prizes={"mode": "count", "first": 1, "second": 1, "third": 1,
                                              "titles": {"first": "顺义工匠"}})
    entries = [services.contestant_register(actor=staff, contest=contest, member=m) for m in members]
    services.blind_numbers_assign(actor=staff, contest=contest)
    judge = make_user("judge", role=None)
    chief = make_user("chief", role=None)
    services.judge_assign(actor=staff, contest=contest, user=judge, employer="顺义区职业技能鉴定指导中心")
    services.judge_assign(actor=staff, contest=contest, user=chief, role="chief", employer="区人社局")
    for i, c in enumerate(entries):
        services.score_submit(actor=staff, contest=contest, contestant=c, part="theory", score=str(90 - i))
    return {"contest": contest, "entries": entries, "names": names, "staff": staff}


def test_judge_scores_by_blind_number_and_sees_no_names(world, live_server, page):
    contest, names = world["contest"], world["names"]
    login(page, live_server, "judge")
    page.goto(f"{live_server.url}/contests/{contest.pk}/judge/")
    html = page.content()
    for name in names:
        assert name not in html
    entries = sorted(world["entries"], key=lambda c: c.blind_number)
    for c in entries:
        c.refresh_from_db()
        assert c.blind_number in html
    screenshot(page, "contests-judge-sheet")
    for i, c in enumerate(sorted(world["entries"], key=lambda c: c.pk)):
        c.refresh_from_db()
        page.click(f"text={c.blind_number}")
        assert all(n not in page.content() for n in names)
        page.fill("#ppractical", str(95 - i * 3))
        page.fill("#time_seconds", str(3000 + i))
        if i == 0:
            screenshot(page, "contests-judge-mark")
        page.click("button:has-text('保存')")
        assert "评分已保存" in page.content()
    assert all(n not in page.content() for n in names)
    # Names of the staff's results page are out of the judge's reach.
    response = page.goto(f"{live_server.url}/contests/{contest.pk}/results/")
    assert response.status == 404
    # The chief judge locks; then the staff publishes and issues certificates.
    page.context.clear_cookies()
    login(page, live_server, "chief")
    page.goto(f"{live_server.url}/contests/{contest.pk}/judge/")
    page.click("button:has-text('裁判长锁定成绩')")
    assert "成绩已锁定" in page.content()
    page.context.clear_cookies()
    login(page, live_server, "sy_staff")
    page.goto(f"{live_server.url}/contests/{contest.pk}/results/")
    page.click("button:has-text('公布结果')")
    page.click("button:has-text('颁发证书')")
    assert "已颁发3张证书" in page.content()
    screenshot(page, "contests-results")
    page.goto(f"{live_server.url}/contests/{contest.pk}/notice/")
    screenshot(page, "contests-notice")
    assert "刘永涛" in page.content()


def test_certificate_pdf_renders_chinese(world, live_server, page, client):
    contest, staff = world["contest"], world["staff"]
    for i, c in enumerate(world["entries"]):
        services.score_submit(actor=staff, contest=contest, contestant=c, part="practical", score=str(95 - i))
    contest = services.scores_lock(actor=staff, contest=contest)
    services.results_publish(actor=staff, contest=contest)
    services.certificates_issue(actor=staff, contest=contest)
    client.force_login(staff)
    response = client.get(f"/contests/{contest.pk}/certificates.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = SCREENSHOTS / "contests-certificates.pdf"
    SCREENSHOTS.mkdir(exist_ok=True)
    pdf.write_bytes(response.content)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                        str(SCREENSHOTS / "contests-certificate")], check=True)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "荣誉证书" in text.replace(" ", "") and "刘永涛同志" in text and "顺义工匠" in text
