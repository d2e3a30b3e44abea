"""The API contract of issue 5, and the permission matrix of the API and pages."""

import pytest

from gonghui.contests import services
from gonghui.core.testing import Case, PermissionMatrix, make_user

BODY = {"name": "焊工技能竞赛", "org": "SY",
        "parts": [{"code": "theory", "weight": "0.3"}, {"code": "practical", "weight": "0.7"}],
        "pass_mark": "60", "require_pass_for_prize": False,
        "prizes": {"mode": "count", "first": 2, "second": 3, "third": 5},
        "tie_break": ["time", "practical", "theory"]}


@pytest.fixture
def api(client, sy_staff):
    client.force_login(sy_staff)
    return client


def post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def test_contract_end_to_end(api, tree):
    r = post(api, "/api/v1/contests/", BODY)
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    ids = []
    for name, employer in (("甲", "燃气公司"), ("乙", "水务公司"), ("丙", "燃气公司")):
        r = post(api, f"/api/v1/contests/{cid}/contestants/", {"name": name, "employer": employer})
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    scores = {ids[0]: ("73", "83", 100), ids[1]: ("83", "79", 90), ids[2]: ("73", "83", 100)}
    for c, (t, p, s) in scores.items():
        assert post(api, f"/api/v1/contests/{cid}/scores/", {"contestant": c, "part": "theory", "score": t}).status_code == 201
        assert post(api, f"/api/v1/contests/{cid}/scores/",
                    {"contestant": c, "part": "practical", "score": p, "time_seconds": s}).status_code == 201
    r = api.get(f"/api/v1/contests/{cid}/results/")
    assert r.status_code == 200
    # 乙: 0.3×83+0.7×79 = 80.2; 甲 and 丙: 80.0 with the whole chain equal → rank 2 both.
    assert [{k: row[k] for k in ("contestant", "name", "total", "rank", "prize", "passed")} for row in r.json()] == [
        {"contestant": ids[1], "name": "乙", "total": "80.2", "rank": 1, "prize": "first", "passed": True},
        {"contestant": ids[0], "name": "甲", "total": "80.0", "rank": 2, "prize": "second", "passed": True},
        {"contestant": ids[2], "name": "丙", "total": "80.0", "rank": 2, "prize": "second", "passed": True},
    ]
    assert post(api, f"/api/v1/contests/{cid}/lock/", {}).status_code == 200
    r = post(api, f"/api/v1/contests/{cid}/scores/", {"contestant": ids[0], "part": "theory", "score": "99"})
    assert r.status_code == 409 and r.json()["code"] == "locked"


def test_percent_prizes_and_errors(api, tree):
    body = dict(BODY, prizes={"mode": "percent", "first": 10, "second": 20, "third": 30})
    cid = post(api, "/api/v1/contests/", body).json()["id"]
    ids = [post(api, f"/api/v1/contests/{cid}/contestants/", {"name": f"选手{i}", "employer": "x"}).json()["id"]
           for i in range(5)]
    for i, c in enumerate(ids):
        post(api, f"/api/v1/contests/{cid}/scores/", {"contestant": c, "part": "theory", "score": str(90 - i)})
        post(api, f"/api/v1/contests/{cid}/scores/", {"contestant": c, "part": "practical", "score": str(90 - i)})
    prizes = [row["prize"] for row in api.get(f"/api/v1/contests/{cid}/results/").json()]
    # 5 entrants: ⌊0.5⌋, ⌊1⌋, ⌊1.5⌋ → at least one each → 1, 1, 1.
    assert prizes == ["first", "second", "third", None, None]
    r = post(api, f"/api/v1/contests/{cid}/scores/", {"contestant": ids[0], "part": "theory", "score": "101"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = post(api, "/api/v1/contests/", dict(BODY, org="HD"))
    assert r.status_code == 404
    r = post(api, "/api/v1/contests/", dict(BODY, parts=[{"code": "theory", "weight": "0.5"}]))
    assert r.status_code == 400


def test_judge_api_cannot_list_names_before_lock(client, tree, sy_staff):
    contest = services.contest_create(actor=sy_staff, org=tree["SY"], name="x")
    judge = make_user("jj", role=None)
    services.judge_assign(actor=sy_staff, contest=contest, user=judge, employer="区人社局")
    client.force_login(judge)
    assert client.get(f"/api/v1/contests/{contest.pk}/results/").status_code == 403
    assert client.get(f"/api/v1/contests/{contest.pk}/contestants/").status_code == 403
    assert client.get(f"/api/v1/contests/{contest.pk}/").status_code == 200


@pytest.fixture
def matrix_world(tree, sy_staff, root_user):
    c_in = services.contest_create(actor=root_user, org=tree["SY"], name="顺义赛")
    c_out = services.contest_create(actor=root_user, org=tree["HD"], name="海淀赛")
    return {"in_user": sy_staff, "in": c_in, "out": c_out}


class TestMatrix(PermissionMatrix):
    def matrix(self, world):
        i, o = world["in"].pk, world["out"].pk
        return [
            Case("api detail", f"/api/v1/contests/{i}/", f"/api/v1/contests/{o}/"),
            Case("api results", f"/api/v1/contests/{i}/results/", f"/api/v1/contests/{o}/results/"),
            Case("api contestants", f"/api/v1/contests/{i}/contestants/", f"/api/v1/contests/{o}/contestants/",
                 method="post", data={"name": "甲", "employer": "x"}, in_status=201),
            Case("page list", "/contests/", api=False),
            Case("page detail", f"/contests/{i}/", f"/contests/{o}/", api=False),
            Case("page results", f"/contests/{i}/results/", f"/contests/{o}/results/", api=False),
            Case("page results xlsx", f"/contests/{i}/results.xlsx", f"/contests/{o}/results.xlsx", api=False),
            Case("page check-in", f"/contests/{i}/check-in/", f"/contests/{o}/check-in/", api=False),
            Case("page register", f"/contests/{i}/register/", f"/contests/{o}/register/", api=False),
            Case("page appeal", f"/contests/{i}/appeal/", f"/contests/{o}/appeal/", api=False),
        ]
