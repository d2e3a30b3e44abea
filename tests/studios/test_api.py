import datetime as dt

import pytest

from gonghui.core.testing import Case, PermissionMatrix, make_member
from gonghui.studios import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix_world(world, make_topic, root_user):
    topic = make_topic(status="submitted")
    topic_c = make_topic(status="submitted", studio=world["studio_c"], actor=root_user, title="海淀课题")
    hd_alliance = services.alliance_create(actor=root_user, host_org=world["tree"]["HD"], name="海淀联盟",
                                           type="related")
    return {**world, "in_user": world["sy_staff"], "topic": topic, "topic_c": topic_c, "hd_alliance": hd_alliance}


class TestStudiosApiMatrix(PermissionMatrix):
    def matrix(self, w):
        a, c, t, tc = w["studio_a"].pk, w["studio_c"].pk, w["topic"].pk, w["topic_c"].pk
        return [
            Case("studio list", "/api/v1/studios/"),
            Case("studio detail", f"/api/v1/studios/{a}/", f"/api/v1/studios/{c}/"),
            Case("alliance list", "/api/v1/alliances/"),
            Case("alliance detail", f"/api/v1/alliances/{w['alliance'].pk}/",
                 f"/api/v1/alliances/{w['hd_alliance'].pk}/"),
            Case("topic list", "/api/v1/topics/?status=submitted"),
            Case("topic detail", f"/api/v1/topics/{t}/", f"/api/v1/topics/{tc}/"),
            Case("achievements", "/api/v1/achievements/"),
            Case("review", f"/api/v1/topics/{t}/review/", f"/api/v1/topics/{tc}/review/", method="post",
                 data={"score": "85", "comment": "同意"}, in_status=201),
            Case("approve (not enough reviews yet)", f"/api/v1/topics/{t}/approve/", f"/api/v1/topics/{tc}/approve/",
                 method="post", in_status=409),
        ]


def _ids(response):
    return sorted(row["id"] for row in response.json()["results"])


def test_topic_list_filters_by_status_and_scope(client, world, make_topic, root_user):
    draft = make_topic(title="草稿课题")
    submitted = make_topic(status="submitted", title="已申报课题")
    review = make_topic(status="submitted", reviews=["80"], title="评审中课题")
    make_topic(status="submitted", studio=world["studio_c"], actor=root_user, title="海淀课题")
    client.force_login(world["sy_staff"])
    assert _ids(client.get("/api/v1/topics/?status=submitted")) == [submitted.pk]
    assert _ids(client.get("/api/v1/topics/?status=under_review")) == [review.pk]
    assert _ids(client.get("/api/v1/topics/?status=draft")) == [draft.pk]
    assert client.get("/api/v1/topics/").json()["count"] == 3
    # judges see what was submitted to alliances under their org, never drafts
    client.force_login(world["judges"][0])
    assert _ids(client.get("/api/v1/topics/")) == sorted([submitted.pk, review.pk,
                                                          *world["studio_c"].topics.values_list("pk", flat=True)])
    # the leader (no role, a linked member) sees their studio's topics
    client.force_login(world["leader_user"])
    assert _ids(client.get("/api/v1/topics/")) == sorted([draft.pk, submitted.pk, review.pk])
    client.force_login(world["hd_staff"])
    assert [r["title"] for r in client.get("/api/v1/topics/").json()["results"]] == ["海淀课题"]


def test_invalid_transition_is_409(client, world, make_topic):
    topic = make_topic()
    client.force_login(world["sy_staff"])
    for action in ("approve", "midterm", "accept", "fail", "reject"):
        response = client.post(f"/api/v1/topics/{topic.pk}/{action}/", data={"note": "x"},
                               content_type="application/json")
        assert response.status_code == 409, action
        assert response.json()["code"] == "invalid_transition"
    client.force_login(world["judges"][0])
    response = client.post(f"/api/v1/topics/{topic.pk}/review/", data={"score": "85"},
                           content_type="application/json")
    assert response.status_code == 404  # drafts are invisible to judges


def test_full_lifecycle_through_the_api(client, world, make_topic):
    topic = make_topic()
    client.force_login(world["leader_user"])
    r = client.post(f"/api/v1/topics/{topic.pk}/submit/", content_type="application/json")
    assert (r.status_code, r.json()["status"]) == (200, "submitted")
    for judge, score in zip(world["judges"], ["85", "90", "77.5"], strict=False):
        client.force_login(judge)
        r = client.post(f"/api/v1/topics/{topic.pk}/review/", data={"score": score, "comment": "…"},
                        content_type="application/json")
        assert r.status_code == 201, r.content
    assert r.json()["topic"]["status"] == "under_review"
    assert r.json()["topic"]["average_score"] == "84.17"
    client.force_login(world["judges"][3])
    r = client.post(f"/api/v1/topics/{topic.pk}/approve/", content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "permission_denied")
    client.force_login(world["sy_staff"])
    r = client.post(f"/api/v1/topics/{topic.pk}/accept/", data={"note": "x"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    r = client.post(f"/api/v1/topics/{topic.pk}/approve/", data={"approved_budget": "100000"},
                    content_type="application/json")
    assert (r.status_code, r.json()["status"], r.json()["approved_budget"]) == (200, "approved", "100000.00")
    r = client.post(f"/api/v1/topics/{topic.pk}/accept/", data={"note": "x"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")  # no acceptance before mid-term
    r = client.post(f"/api/v1/topics/{topic.pk}/midterm/", data={"note": ""}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid")
    r = client.post(f"/api/v1/topics/{topic.pk}/midterm/", data={"note": "进度正常"}, content_type="application/json")
    assert r.json()["status"] == "midterm_passed"
    r = client.post(f"/api/v1/topics/{topic.pk}/accept/", data={"note": "通过验收"}, content_type="application/json")
    assert r.json()["status"] == "accepted"


def test_review_refusals_codes(client, world, make_topic, root_user):
    topic = make_topic(status="submitted", reviews=["80", "80"])
    client.force_login(world["judges"][0])
    r = client.post(f"/api/v1/topics/{topic.pk}/review/", data={"score": "85"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "already_reviewed")
    client.force_login(world["judges"][2])
    r = client.post(f"/api/v1/topics/{topic.pk}/review/", data={"score": "101"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid")
    client.force_login(world["sy_staff"])
    r = client.post(f"/api/v1/topics/{topic.pk}/approve/", content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "not_enough_reviews")
    # a judge linked to a member of studio_b (a team studio of this topic)
    judge = world["judges"][3]
    m = make_member(org=world["tree"]["SY-WATER"], name="周专家", actor=root_user)
    m.user = judge
    m.save()
    services.studio_member_add(actor=root_user, studio=world["studio_b"], member=m)
    client.force_login(judge)
    r = client.post(f"/api/v1/topics/{topic.pk}/review/", data={"score": "99"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "own_studio")


def test_create_topic_through_api(client, world):
    client.force_login(world["leader_user"])
    r = client.post("/api/v1/topics/", data={
        "studio": world["studio_a"].pk, "alliance": world["alliance"].pk, "title": "管网焊接课题",
        "work_area": "cooperation", "plan": "计划", "budget": "50000",
        "team": [{"member": world["leader_b"].pk, "studio": world["studio_b"].pk, "role": "成员"}],
    }, content_type="application/json")
    assert r.status_code == 201, r.content
    assert (r.json()["status"], r.json()["team"][0]["studio_name"]) == ("draft", "王师傅管网工作室")
    client.force_login(world["hd_staff"])
    r = client.post("/api/v1/topics/", data={"studio": world["studio_a"].pk, "title": "x", "work_area": "talent",
                                             "plan": "p", "budget": "1"}, content_type="application/json")
    assert r.status_code == 404


def test_studio_and_alliance_lists(client, world):
    client.force_login(world["sy_viewer"])
    studios = client.get("/api/v1/studios/?q=lyt").json()
    assert [s["name"] for s in studios["results"]] == ["刘永涛焊接创新工作室"]
    alliances = client.get("/api/v1/alliances/").json()["results"]
    assert [(a["name"], a["member_count"], a["required_reviews"], a["approval_line"]) for a in alliances] == [
        ("顺义市政创新工作室联盟", 2, 3, "75.00")]
    assert client.get("/api/v1/studios/").json()["count"] == 2  # not the HD studio


def test_achievement_catalogue_shared_across_alliance(client, world):
    services.achievement_create(actor=world["root"], studio=world["studio_b"], kind="method", title="管网快速抢修工法",
                                achieved_on=dt.date(2025, 1, 1), alliance=world["alliance"])
    services.achievement_create(actor=world["root"], studio=world["studio_b"], kind="paper", title="内部论文",
                                achieved_on=dt.date(2025, 1, 1))
    client.force_login(world["leader_user"])  # studio A's leader sees B's shared result, not B's private one
    titles = [a["title"] for a in client.get("/api/v1/achievements/").json()["results"]]
    assert titles == ["管网快速抢修工法"]
    assert client.get("/api/v1/achievements/?q=gwks").json()["count"] == 1
