import datetime as dt
import io

import openpyxl
import pytest

from gonghui.core.testing import Case, PermissionMatrix
from gonghui.studios import services
from gonghui.studios.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix_world(world, make_topic, root_user):
    topic = make_topic(status="submitted")
    topic_c = make_topic(status="submitted", studio=world["studio_c"], actor=root_user, title="海淀课题")
    hd_alliance = services.alliance_create(actor=root_user, host_org=world["tree"]["HD"], name="海淀联盟",
                                           type="related")
    lecture = services.lecture_create(actor=root_user, org=world["tree"]["SY"], title="讲堂", speaker="刘永涛",
                                      starts_at=dt.datetime(2025, 9, 1, 6, tzinfo=dt.UTC), venue="礼堂", capacity=3)
    lecture_c = services.lecture_create(actor=root_user, org=world["tree"]["HD"], title="海淀讲堂", speaker="x",
                                        starts_at=dt.datetime(2025, 9, 1, 6, tzinfo=dt.UTC), venue="y", capacity=3)
    return {**world, "in_user": world["sy_staff"], "topic": topic, "topic_c": topic_c, "hd_alliance": hd_alliance,
            "lecture": lecture, "lecture_c": lecture_c}


class TestStudioPagesMatrix(PermissionMatrix):
    def matrix(self, w):
        p = "/studios"
        a, c = w["studio_a"].pk, w["studio_c"].pk
        t, tc = w["topic"].pk, w["topic_c"].pk
        al, alc = w["alliance"].pk, w["hd_alliance"].pk
        return [Case(name, url_in, url_out, api=False) for name, url_in, url_out in [
            ("studios", f"{p}/", None),
            ("studios export", f"{p}/export.xlsx", None),
            ("studio", f"{p}/{a}/", f"{p}/{c}/"),
            ("studio report", f"{p}/{a}/report/?year=2025", f"{p}/{c}/report/?year=2025"),
            ("alliances", f"{p}/alliances/", None),
            ("alliances export", f"{p}/alliances/export.xlsx", None),
            ("alliance", f"{p}/alliances/{al}/", f"{p}/alliances/{alc}/"),
            ("alliance report", f"{p}/alliances/{al}/report/?year=2025", f"{p}/alliances/{alc}/report/"),
            ("topics", f"{p}/topics/?status=submitted", None),
            ("topics export", f"{p}/topics/export.xlsx", None),
            ("topic", f"{p}/topics/{t}/", f"{p}/topics/{tc}/"),
            ("review page", f"{p}/topics/{t}/review/", f"{p}/topics/{tc}/review/"),
            ("achievements", f"{p}/achievements/?q=x", None),
            ("achievements export", f"{p}/achievements/export.xlsx", None),
            ("lectures", f"{p}/lectures/", None),
            ("lecture", f"{p}/lectures/{w['lecture'].pk}/", f"{p}/lectures/{w['lecture_c'].pk}/"),
            ("mentorships", f"{p}/mentorships/", None),
            ("mentorships export", f"{p}/mentorships/export.xlsx", None),
            ("checks", f"{p}/checks/?year=2024", None),
        ]]


def _sheet(response):
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_leader_applies_through_the_form(client, world):
    client.force_login(world["leader_user"])
    page = client.get("/studios/topics/new/")
    assert page.status_code == 200
    assert "王师傅（王师傅管网工作室·领衔人）" in page.content.decode()
    r = client.post("/studios/topics/new/", {
        "studio": world["studio_a"].pk, "alliance": world["alliance"].pk, "title": "管网焊接机器人",
        "work_area": "innovation", "plan": "研究计划", "budget": "80000",
        "team": [f"{world['leader_b'].pk}:{world['studio_b'].pk}"], "submit": "1"})
    topic = Topic.objects.get(title="管网焊接机器人")
    assert r.status_code == 302 and r["Location"] == f"/studios/topics/{topic.pk}/"
    assert topic.status == "submitted"
    assert list(topic.team.values_list("studio__name", flat=True)) == ["王师傅管网工作室"]


def test_form_errors_are_shown_in_chinese(client, world):
    client.force_login(world["leader_user"])
    r = client.post("/studios/topics/new/", {"studio": world["studio_a"].pk, "alliance": world["alliance"].pk,
                                             "title": "", "work_area": "innovation", "plan": "p", "budget": "-5",
                                             "starts_on": "2025-05-01", "ends_on": "2025-01-01"})
    text = r.content.decode()
    assert r.status_code == 200
    assert "该字段是必填项" in text and "确保该值大于或等于0" in text and "计划结束日期不能早于开始日期" in text
    assert not Topic.objects.exists()


def test_worker_without_studio_may_not_apply(client, world):
    client.force_login(world["worker_user"])
    assert client.get("/studios/topics/new/").status_code == 403


def test_expert_reviews_through_the_page(client, world, make_topic):
    topic = make_topic(status="submitted")
    client.force_login(world["judges"][0])
    detail = client.get(f"/studios/topics/{topic.pk}/").content.decode()
    assert f"/studios/topics/{topic.pk}/review/" in detail
    r = client.post(f"/studios/topics/{topic.pk}/review/", {"score": "86.5", "comment": "同意"})
    assert r.status_code == 302
    topic.refresh_from_db()
    assert topic.status == "under_review" and topic.reviews.get().score == 86.5
    r = client.post(f"/studios/topics/{topic.pk}/review/", {"score": "90"})
    assert "您已评审过该课题" in r.content.decode()


def test_decisions_through_the_page_and_refusal_message(client, world, make_topic):
    topic = make_topic(status="submitted", reviews=["80", "80"])
    client.force_login(world["sy_staff"])
    r = client.post(f"/studios/topics/{topic.pk}/approve/", follow=True)
    assert "立项需要3份评审，目前只有2份" in r.content.decode()
    r = client.post(f"/studios/topics/{topic.pk}/reject/", {"note": "创新性不足"}, follow=True)
    topic.refresh_from_db()
    assert topic.status == "rejected"
    assert "创新性不足" in r.content.decode()
    assert client.post(f"/studios/topics/{topic.pk}/delete/").status_code == 404


def test_exports_carry_rows(client, world, make_topic):
    make_topic(status="submitted")
    client.force_login(world["sy_staff"])
    rows = _sheet(client.get("/studios/topics/export.xlsx?status=submitted"))
    assert rows[0][0] == "课题名称" and rows[1][0] == "焊接机器人在管网抢修中的应用" and len(rows) == 2
    rows = _sheet(client.get("/studios/export.xlsx?q=wsf"))
    assert [r[0] for r in rows[1:]] == ["王师傅管网工作室"]


def test_reports_and_joint_project_warning(client, world, make_topic):
    client.force_login(world["sy_staff"])
    r = client.get(f"/studios/alliances/{world['alliance'].pk}/report/?year=2025")
    assert "少于联盟年度目标" in r.content.decode()
    topic = make_topic(status="approved", reviews=["80"] * 3)
    year = topic.decided_at.year
    r = client.get(f"/studios/alliances/{world['alliance'].pk}/report/?year={year}")
    assert "少于联盟年度目标" not in r.content.decode()
    rows = _sheet(client.get(f"/studios/{world['studio_a'].pk}/report/?year={year}&format=xlsx"))
    assert ["课题·已立项", 1] in [list(r) for r in rows]


def test_check_list_shows_planned_outcomes(client, world):
    services.achievement_create(actor=world["root"], studio=world["studio_a"], kind="award", title="奖",
                                achieved_on=dt.date(2024, 6, 1))
    client.force_login(world["sy_staff"])
    rows = _sheet(client.get("/studios/checks/?year=2024&format=xlsx"))
    assert sorted((r[0], r[4], r[5]) for r in rows[1:]) == [("刘永涛焊接创新工作室", 1, "合格"),
                                                           ("王师傅管网工作室", 0, "警示")]


def test_lecture_signup_and_checkin_pages(client, world):
    lecture = services.lecture_create(actor=world["sy_staff"], org=world["tree"]["SY"], title="劳模工匠大讲堂",
                                      speaker="刘永涛", starts_at=dt.datetime(2025, 9, 1, 6, tzinfo=dt.UTC),
                                      venue="礼堂", capacity=10)
    client.force_login(world["worker_user"])
    assert "我要报名" in client.get(f"/studios/lectures/{lecture.pk}/").content.decode()
    client.post(f"/studios/lectures/{lecture.pk}/", {"op": "signup"})
    assert lecture.signups.filter(member=world["worker_a"]).exists()
    client.force_login(world["sy_staff"])
    r = client.post(f"/studios/lectures/{lecture.pk}/", {"op": "checkin", "token": world["worker_a"].card_token},
                    follow=True)
    assert "张小明签到成功" in r.content.decode()
    r = client.post(f"/studios/lectures/{lecture.pk}/", {"op": "checkin", "token": "bad"}, follow=True)
    assert "无法识别的会员码" in r.content.decode()


def test_alliance_management_by_host_staff(client, world, root_user):
    from gonghui.core.testing import make_member
    from gonghui.studios.models import AllianceMembership, CharterVersion

    alliance = world["alliance"]
    new = services.studio_create(actor=root_user, org=world["tree"]["SY-WATER"], name="增补工作室",
                                 leader=make_member(org=world["tree"]["SY-WATER"], name="钱工", actor=root_user),
                                 leader_honour="craftsman", level="district")
    url = f"/studios/alliances/{alliance.pk}/manage/"
    client.force_login(world["sy_staff"])
    page = client.get(f"/studios/alliances/{alliance.pk}/").content.decode()
    assert "吸收新成员" in page and "增补工作室" in page
    old = alliance.memberships.get(studio=world["studio_b"])
    r = client.post(url, {"op": "replace", "membership": old.pk, "studio": new.pk, "on": "2025-03-01",
                          "decision": "2025年第1次成员大会决议"}, follow=True)
    assert "已增补增补工作室，替代王师傅管网工作室" in r.content.decode()
    row = AllianceMembership.objects.get(alliance=alliance, studio=new)
    assert (row.replaces_id, row.join_decision) == (old.pk, "2025年第1次成员大会决议")
    r = client.post(url, {"op": "join", "studio": world["studio_b"].pk, "on": "2025-04-01", "decision": ""},
                    follow=True)
    assert "请填写决定依据" in r.content.decode()
    client.post(url, {"op": "charter", "title": "章程（试行）", "text": "第一条", "approved_by": "成立大会",
                      "approved_on": "2024-01-01"})
    assert CharterVersion.objects.get(alliance=alliance).version == 1
    client.post(url, {"op": "lead", "studio": world["studio_a"].pk})
    alliance.refresh_from_db()
    assert alliance.lead_studio_id == world["studio_a"].pk
    # a viewer is refused with a message; HD staff do not see the alliance at all
    client.force_login(world["sy_viewer"])
    r = client.post(url, {"op": "lead", "studio": new.pk}, follow=True)
    assert "您没有执行此操作的权限" in r.content.decode()
    client.force_login(world["hd_staff"])
    assert client.post(url, {"op": "lead", "studio": new.pk}).status_code == 404


def test_run_yearly_check_from_the_page(client, world):
    client.force_login(world["sy_staff"])
    page = client.get("/studios/checks/?year=2024").content.decode()
    assert "执行2024年度考核" in page and "全部" not in page.split("<h1>")[0]
    r = client.post("/studios/checks/", {"year": "2024", "within": "SY"}, follow=True)
    assert "已完成2024年度考核：2家工作室" in r.content.decode()
    world["studio_b"].refresh_from_db()
    assert world["studio_b"].status == "warned"
    r = client.post("/studios/checks/", {"year": "2024", "within": "HD"})
    assert r.status_code == 404
    client.force_login(world["sy_viewer"])
    r = client.post("/studios/checks/", {"year": "2024", "within": "SY"}, follow=True)
    assert "您没有执行此操作的权限" in r.content.decode()


def test_list_filters_have_labelled_choices(client, world):
    client.force_login(world["sy_staff"])
    page = client.get("/studios/").content.decode()
    assert "全部级别" in page and "---------" not in page


def test_topic_form_lists_no_team_of_an_alliance_outside_the_users_studios(client, world, root_user):
    from gonghui.studios import services as studio_services

    hd_alliance = studio_services.alliance_create(actor=root_user, host_org=world["tree"]["HD"], name="海淀联盟",
                                                  type="related")
    studio_services.alliance_join(actor=root_user, alliance=hd_alliance, studio=world["studio_c"],
                                  joined_on=dt.date(2025, 1, 1), decision="加入")
    client.force_login(world["leader_user"])
    html = client.get(f"/studios/topics/new/?alliance={hd_alliance.pk}").content.decode()
    assert world["studio_c"].leader.name not in html
    assert client.get("/studios/topics/new/?alliance=not-a-number").status_code == 200  # no 500
