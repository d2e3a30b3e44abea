"""Pages: plan checks, candidates, meeting ticks, teller entry, workbook import, result, report, PDFs."""

import io
import subprocess
from pathlib import Path

import pytest
import xlsxwriter

from gonghui.elections import services
from gonghui.elections.models import Ballot, Election
from gonghui.elections.selectors import election_result


@pytest.fixture
def staff_client(client, pharma_staff):
    client.force_login(pharma_staff)
    return client


@pytest.fixture
def election(jk, root_user, pharma_members):
    plan = services.plan_create(actor=root_user, org=jk["JK-PHARMA"])
    e = services.election_create(actor=root_user, org=jk["JK-PHARMA"], plan=plan, body="committee", seats=2,
                                 due=15, method="competitive")
    return e


def test_plan_page_shows_f_checks(staff_client, election):
    r = staff_client.get(f"/elections/plans/{election.plan_id}/")
    text = r.content.decode()
    assert r.status_code == 200
    assert "应同时建立女职工委员会（F7）" in text and "须改正" in text


def test_candidates_page_adds_in_stroke_order_and_refuses_teller(staff_client, election, pharma_members):
    url = f"/elections/{election.pk}/"
    for name in ("张敏", "丁一", "王芳"):
        staff_client.post(url, {"action": "add_candidate", "member": pharma_members[name].pk})
    text = staff_client.get(url).content.decode()
    assert text.index("丁一") < text.index("王芳") < text.index("张敏")
    r = staff_client.post(url, {"action": "add_teller", "role": "teller", "name": "丁一"}, follow=True)
    assert "不能担任监票人或计票人（V9）" in r.content.decode()


def test_meeting_tick_updates_quorum_via_htmx(staff_client, election, pharma_members):
    url = f"/elections/{election.pk}/meeting/"
    for name in list(pharma_members)[:10]:
        r = staff_client.post(url, {"action": "tick", "member": pharma_members[name].pk, "present": "1"},
                              HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "已达三分之二" in r.content.decode()  # 10 of 15
    staff_client.post(url, {"action": "tick", "member": pharma_members["王芳"].pk}, HTTP_HX_REQUEST="true")
    assert election.attendance.count() == 9
    r = staff_client.get(f"/elections/{election.pk}/quorum/")
    assert "不足三分之二" in r.content.decode()


def _open(election, root_user, names=("丁一", "王芳", "张敏")):
    for n in names:
        services.candidate_add(actor=root_user, election=election, name=n)
    services.attendance_count_set(actor=root_user, election=election, present=12)
    election.refresh_from_db()
    services.election_open(actor=root_user, election=election)
    election.refresh_from_db()


def test_teller_page_enters_ballots_by_number_and_closes(staff_client, election, root_user):
    _open(election, root_user)
    url = f"/elections/{election.pk}/count/"
    staff_client.post(url, {"action": "issued", "issued": "12"})
    for _i in range(8):
        r = staff_client.post(url, {"action": "ballot", "yes": "1 2", "no": "3"}, HTTP_HX_REQUEST="true")
    assert "已录入 8 张" in r.content.decode()
    r = staff_client.post(url, {"action": "ballot", "yes": "1,2,3"}, HTTP_HX_REQUEST="true")
    assert "已保存（废票）" in r.content.decode()
    r = staff_client.post(url, {"action": "ballot", "yes": "7"}, HTTP_HX_REQUEST="true")
    assert "没有编号为7的候选人" in r.content.decode()
    assert Ballot.objects.filter(round__election=election).count() == 9
    r = staff_client.post(url, {"action": "close"})
    assert r.status_code == 302 and r["Location"].endswith("/result/")
    election.refresh_from_db()
    assert election_result(election=election)["elected"] == ["丁一", "王芳"]


def test_workbook_import_counts_a_round(staff_client, election, root_user):
    _open(election, root_user)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["序号", "丁一", "王芳", "张敏", "另选1"])
    for i in range(1, 9):
        ws.write_row(i, 0, [i, "同意", "○", "×", ""])
    ws.write_row(9, 0, [9, "", "", "弃权", "吴秀英"])
    wb.close()
    buffer.seek(0)
    buffer.name = "ballots.xlsx"
    r = staff_client.post(f"/elections/{election.pk}/count/", {"action": "import", "issued": "12", "file": buffer})
    assert r.status_code == 302
    election.refresh_from_db()
    result = election_result(election=election)
    assert result["votes"] == {"丁一": 8, "王芳": 8, "张敏": 0, "吴秀英": 1}
    assert result["elected"] == ["丁一", "王芳"] and result["valid_ballots"] == 9


def test_workbook_bad_mark_names_row_and_column(staff_client, election, root_user):
    _open(election, root_user)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer)
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["丁一", "王芳", "张敏"])
    ws.write_row(1, 0, ["同意", "?", ""])
    wb.close()
    buffer.seek(0)
    buffer.name = "b.xlsx"
    r = staff_client.post(f"/elections/{election.pk}/count/", {"action": "import", "issued": "12", "file": buffer},
                          follow=True)
    assert "第2行“王芳”列：无法识别的标记“?”" in r.content.decode()


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_ballot_pdf_lists_candidates_in_stroke_order(staff_client, election, root_user, tmp_path):
    for n in ("张敏", "丁一", "王芳"):
        services.candidate_add(actor=root_user, election=election, name=n)
    r = staff_client.get(f"/elections/{election.pk}/ballot.pdf")
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    text = _pdf_text(r.content, tmp_path)
    if text:  # pdftotext is installed on the machines that build the product
        assert text.index("丁一") < text.index("王芳") < text.index("张敏")
        assert "同意" in text and "不同意" in text and "弃权" in text and "另选" in text


def test_report_page_approve_by_parent_and_pdf(client, election, root_user, jk_staff, pharma_staff, tmp_path):
    plan = election.plan
    women = services.election_create(actor=root_user, org=plan.org, plan=plan, body="women_committee", seats=1,
                                     due=15, method="equal")
    _open(election, root_user)
    services.ballots_record(actor=root_user, election=election, issued=12, ballots=[{"yes": ["丁一", "王芳"]}] * 9)
    services.candidate_add(actor=root_user, election=women, name="王芳")
    services.attendance_count_set(actor=root_user, election=women, present=12)
    women.refresh_from_db()
    services.ballots_record(actor=root_user, election=women, issued=12, ballots=[{"yes": ["王芳"]}] * 12)
    client.force_login(pharma_staff)
    client.post(f"/elections/plans/{plan.pk}/report/", {"action": "submit"})
    r = client.post(f"/elections/plans/{plan.pk}/report/", {"action": "approve"}, follow=True)
    assert "须由上级工会批复" in r.content.decode()
    client.force_login(jk_staff)
    r = client.post(f"/elections/plans/{plan.pk}/report/", {"action": "approve"}, follow=True)
    assert "已批准，工会成立" in r.content.decode()
    plan.org.refresh_from_db()
    assert plan.org.status == "active"
    r = client.get(f"/elections/plans/{plan.pk}/report.pdf")
    assert r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content, tmp_path)
    if text:
        assert "选举结果报告" in text and "当选：丁一、王芳" in text and "北京经济技术开发区总工会" in text
    assert Election.objects.filter(plan=plan, state="approved").count() == 2
    index = client.get("/elections/").content.decode()
    assert "已批准" in index and plan.title in index
    assert 'name="action" value="add_election"' not in client.get(f"/elections/plans/{plan.pk}/").content.decode()



def test_rule_set_page_for_federation_admin(client, jk, root_user, jk_staff):
    from gonghui.core.testing import make_user

    client.force_login(jk_staff)
    assert client.get("/elections/rules/?org=JK").status_code == 403
    client.force_login(make_user("jk_admin", org=jk["JK"], role="admin"))
    r = client.post("/elections/rules/?org=JK", {"org": "JK", "competitive_pct": "10", "term_years": "3,5",
                                                 "threshold_base": "due",
                                                 "committee_sizes": "[[200, 3, 7], [null, 7, 15]]"})
    assert r.status_code == 302
    rule_set = services.rule_set_for(jk["JK-PHARMA"])
    assert str(rule_set.competitive_pct) == "0.1000" and rule_set.committee_sizes[-1] == [None, 7, 15]
    r = client.post("/elections/rules/?org=JK", {"org": "JK", "competitive_pct": "10", "term_years": "3",
                                                 "committee_sizes": "[[200, 3, 7]]"}, follow=True)
    assert "最后一行上限为null" in r.content.decode()


def test_ballot_issue_by_card_scan_once(staff_client, election, root_user, pharma_members):
    _open(election, root_user)
    url = f"/elections/{election.pk}/count/"
    token = pharma_members["王芳"].card_token
    staff_client.post(url, {"action": "issue", "token": token})
    r = staff_client.post(url, {"action": "issue", "token": token}, follow=True)
    assert "王芳本轮已领取选票" in r.content.decode()
    assert election.rounds.get().issued == 1
