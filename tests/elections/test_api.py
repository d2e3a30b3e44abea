"""The issue's API contract, exactly; errors {"code","message"}; the permission matrix."""

import pytest

from gonghui.core.testing import Case, PermissionMatrix, make_user
from gonghui.elections import services

RESULT_KEYS = {"quorum_met", "round_valid", "threshold", "valid_ballots", "void_ballots", "votes", "elected",
               "revote", "shortfall"}


@pytest.fixture
def api(client, jk):
    user = make_user("jk_api", org=jk["JK"], role="staff")
    client.force_login(user)
    return client


def _post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


def test_contract_flow(api, jk):
    r = _post(api, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "committee", "seats": 9, "due": 120,
                                          "method": "competitive"})
    assert r.status_code == 201, r.content
    eid = r.json()["id"]
    assert r.json()["competitive_pct"] == "0.0500" and r.json()["quorum_strict"] is False
    names = ["丁一", "马超", "王芳", "刘洋", "张伟", "李娜", "陈丽", "杨洋", "赵艳", "黄娟"]
    for name in names:
        assert _post(api, f"/api/v1/elections/{eid}/candidates/", {"name": name}).status_code == 201
    r = _post(api, f"/api/v1/elections/{eid}/attendance/", {"present": 85})
    assert r.status_code == 200 and r.json()["quorum_met"] is True
    ballots = ([{"yes": names[:9]}] * 61 + [{"yes": names[1:9], "no": ["丁一"], "write_in": ["周霞"]}] * 20
               + [{"yes": names}] * 3 + [{"abstain": ["丁一"]}])
    r = _post(api, f"/api/v1/elections/{eid}/ballots/", {"issued": 85, "ballots": ballots})
    assert r.status_code == 201, r.content
    result = api.get(f"/api/v1/elections/{eid}/result/").json()
    assert RESULT_KEYS <= set(result)
    assert result["quorum_met"] is True and result["round_valid"] is True
    assert result["threshold"] == 61
    assert (result["valid_ballots"], result["void_ballots"]) == (82, 3)
    assert result["votes"]["丁一"] == 61 and result["votes"]["马超"] == 81 and result["votes"]["黄娟"] == 0
    assert result["votes"]["周霞"] == 20
    # 丁一 has exactly 61 = threshold; stroke order among the 81s
    assert result["elected"] == ["马超", "王芳", "刘洋", "张伟", "李娜", "杨洋", "陈丽", "赵艳", "丁一"]
    assert result["revote"] == [] and result["shortfall"] == 0


def test_rule_fields_may_be_given(api, jk):
    r = _post(api, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "chair", "seats": 1, "due": 30,
                                          "method": "equal", "threshold_base": "present", "quorum_strict": True})
    assert r.status_code == 201
    assert r.json()["threshold_base"] == "present" and r.json()["quorum_strict"] is True


def test_competitive_with_too_few_candidates_cannot_open(api, jk):
    eid = _post(api, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "committee", "seats": 2, "due": 10,
                                            "method": "competitive"}).json()["id"]
    for name in ("甲", "乙"):
        _post(api, f"/api/v1/elections/{eid}/candidates/", {"name": name})
    _post(api, f"/api/v1/elections/{eid}/attendance/", {"present": 10})
    r = _post(api, f"/api/v1/elections/{eid}/ballots/", {"issued": 10, "ballots": []})
    assert r.status_code == 400
    assert r.json()["code"] == "not_competitive" and "至少3名" in r.json()["message"]


def test_quorum_not_met_and_result_before_voting(api, jk):
    eid = _post(api, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "chair", "seats": 1, "due": 120,
                                            "method": "equal"}).json()["id"]
    _post(api, f"/api/v1/elections/{eid}/candidates/", {"name": "王芳"})
    _post(api, f"/api/v1/elections/{eid}/attendance/", {"present": 79})
    result = api.get(f"/api/v1/elections/{eid}/result/").json()
    assert result["quorum_met"] is False and result["elected"] == [] and result["votes"] == {"王芳": 0}
    r = _post(api, f"/api/v1/elections/{eid}/ballots/", {"issued": 79, "ballots": []})
    assert r.status_code == 400 and r.json()["code"] == "quorum_not_met"


def test_void_round_in_result(api, jk):
    eid = _post(api, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "chair", "seats": 1, "due": 3,
                                            "method": "equal"}).json()["id"]
    _post(api, f"/api/v1/elections/{eid}/candidates/", {"name": "王芳"})
    _post(api, f"/api/v1/elections/{eid}/attendance/", {"present": 3})
    r = _post(api, f"/api/v1/elections/{eid}/ballots/", {"issued": 2, "ballots": [{"yes": ["王芳"]}] * 3})
    result = r.json()
    assert result["round_valid"] is False and result["elected"] == [] and result["shortfall"] == 1


def test_out_of_scope_is_404_and_unknown_org_404(client, jk, tree, hd_staff):
    eid = services.election_create(actor=make_user("r2", superuser=True), org=jk["JK-PHARMA"], body="chair",
                                   seats=1, due=3, method="equal").pk
    client.force_login(hd_staff)
    assert client.get(f"/api/v1/elections/{eid}/result/").status_code == 404
    r = _post(client, "/api/v1/elections/", {"org": "JK-PHARMA", "body": "chair", "seats": 1, "due": 3})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_viewer_cannot_write(client, jk):
    eid = services.election_create(actor=make_user("r3", superuser=True), org=jk["JK-PHARMA"], body="chair",
                                   seats=1, due=3, method="equal").pk
    client.force_login(make_user("viewer", org=jk["JK"], role="viewer"))
    r = _post(client, f"/api/v1/elections/{eid}/candidates/", {"name": "王芳"})
    assert r.status_code == 403


class TestElectionsPermissions(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, jk, tree):
        root = make_user("r4", superuser=True)
        inside = services.election_create(actor=root, org=jk["JK-PHARMA"], body="chair", seats=1, due=3,
                                          method="equal")
        outside = services.election_create(actor=root, org=tree["HD-PD"], body="chair", seats=1, due=3,
                                           method="equal")
        return {"in_user": make_user("jk_in", org=jk["JK"], role="staff"), "in": inside.pk, "out": outside.pk}

    def matrix(self, world):
        i, o = world["in"], world["out"]
        return [
            Case("list", "/api/v1/elections/"),
            Case("detail", f"/api/v1/elections/{i}/", f"/api/v1/elections/{o}/"),
            Case("result", f"/api/v1/elections/{i}/result/", f"/api/v1/elections/{o}/result/"),
            Case("candidates", f"/api/v1/elections/{i}/candidates/", f"/api/v1/elections/{o}/candidates/",
                 method="post", data={"name": "王芳"}, in_status=201),
            Case("attendance", f"/api/v1/elections/{i}/attendance/", f"/api/v1/elections/{o}/attendance/",
                 method="post", data={"present": 3}),
            Case("page-detail", f"/elections/{i}/", f"/elections/{o}/", api=False),
            Case("page-count", f"/elections/{i}/count/", f"/elections/{o}/count/", api=False),
            Case("page-result", f"/elections/{i}/result/", f"/elections/{o}/result/", api=False),
            Case("ballot-pdf", f"/elections/{i}/ballot.pdf", f"/elections/{o}/ballot.pdf", api=False),
            Case("index", "/elections/", api=False),
            Case("terms", "/elections/terms/", api=False),
        ]
