import uuid

import pytest

from gonghui.core.testing import Case, PermissionMatrix, make_org, make_user
from gonghui.welfare.models import Issuance, Stock


def body(world, member, *, key=None, point="P-XS", item="PACK"):
    return {"recipient": {"card": member.card_token}, "item": item, "point": point,
            "idempotency_key": str(key or uuid.uuid4())}


def post(client, url, data):
    return client.post(url, data=data, content_type="application/json")


@pytest.fixture
def api(world, client):
    client.force_login(world["dist"])
    return client


def url(world, action):
    return f"/api/v1/campaigns/{world['campaign'].pk}/{action}/"


def test_issue_contract(world, api):
    m = world["members"][0]
    key = uuid.uuid4()
    r = post(api, url(world, "issue"), body(world, m, key=key))
    assert r.status_code == 201, r.content
    assert r.json()["item"] == "PACK" and r.json()["point"] == "P-XS" and r.json()["recipient"] == "骑*0"
    same = post(api, url(world, "issue"), body(world, m, key=key))
    assert same.status_code == 200 and same.json()["id"] == r.json()["id"]
    again = post(api, url(world, "issue"), body(world, m))
    assert again.status_code == 409
    assert again.json()["code"] == "already_issued"
    assert again.json()["point"]["code"] == "P-XS" and again.json()["issued_at"]
    assert Issuance.objects.count() == 1 and Stock.objects.get(point=world["p_xs"]).issued == 1


def test_issue_by_id_number_and_phone_collide_with_card(world, api):
    m = world["members"][1]
    r = post(api, url(world, "issue"), {**body(world, m), "recipient": {"phone": m.phone}})
    assert r.status_code == 201
    r = post(api, url(world, "issue"), {**body(world, m), "recipient": {"id_number": m.id_number.lower()}})
    assert r.status_code == 409 and r.json()["code"] == "already_issued"


def test_out_of_stock_contract(tree, root_user, client):
    from tests.welfare.conftest import build_world

    w = build_world(tree, root_user, stock_xs=1)
    client.force_login(w["dist"])
    assert post(client, url(w, "issue"), body(w, w["members"][0])).status_code == 201
    r = post(client, url(w, "issue"), body(w, w["members"][1]))
    assert r.status_code == 409 and r.json()["code"] == "out_of_stock"


def test_issue_invalid_input(world, api):
    r = post(api, url(world, "issue"), {"recipient": {"card": "x"}, "item": "PACK", "point": "P-XS",
                                        "idempotency_key": "not-a-uuid"})
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = post(api, url(world, "issue"), body(world, world["members"][0], item="NOPE"))
    assert r.status_code == 400 and r.json()["code"] == "unknown_item"


def test_distributor_cannot_issue_at_point_outside_subtree(world, api):
    r = post(api, url(world, "issue"), body(world, world["members"][0], point="P-PD"))
    assert r.status_code == 404


def test_sync_contract(world, api):
    m = world["members"]
    k = str(uuid.uuid4())
    records = [{"idempotency_key": k, "recipient": {"card": m[0].card_token}, "item": "PACK",
                "issued_at": "2025-07-20T10:00:00+08:00"},
               {"idempotency_key": k, "recipient": {"card": m[0].card_token}, "item": "PACK",
                "issued_at": "2025-07-20T10:00:00+08:00"},
               {"idempotency_key": str(uuid.uuid4()), "recipient": {"card": m[0].card_token}, "item": "PACK",
                "issued_at": "2025-07-20T10:05:00+08:00"},
               {"idempotency_key": str(uuid.uuid4()), "recipient": {}, "item": "PACK",
                "issued_at": "2025-07-20T10:05:00+08:00"}]
    r = post(api, url(world, "sync"), {"point": "P-XS", "records": records})
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == ["issued", "duplicate_key", "already_issued", "invalid"]
    assert r.json()["summary"] == {"issued": 1, "duplicate_key": 1, "already_issued": 1, "invalid": 1}


def test_progress_contract(world, api, client, root_user):
    post(api, url(world, "issue"), body(world, world["members"][0]))
    client.force_login(root_user)
    r = client.get(url(world, "progress") + "?org=HD-XS")
    assert r.status_code == 200
    assert {k: r.json()[k] for k in ("allotted", "issued", "remaining")} == {"allotted": 80, "issued": 1,
                                                                               "remaining": 79}
    assert client.get(url(world, "progress") + "?org=SY").status_code == 404


def test_lookup_and_register(world, api):
    m = world["members"][2]
    post(api, url(world, "issue"), body(world, m))
    r = post(api, url(world, "lookup"), {"recipient": {"card": m.card_token}})
    assert r.status_code == 200 and r.json()["name"] == "骑*2" and r.json()["received"][0]["item"] == "PACK"
    from gonghui.core.testing import make_id_number

    r = post(api, url(world, "register"), {"point": "P-XS", "name": "钱师傅", "id_number": make_id_number(),
                                           "phone": "13700001234", "accept_membership": True})
    assert r.status_code == 201 and r.json()["membership"] == "requested"


class TestMatrix(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, world, root_user):
        other = make_org(code="CY", name="朝阳区总工会", type="district", parent=world["BJ"])
        from gonghui.welfare import services

        other_campaign = services.campaign_create(actor=root_user, owner=other, name="朝阳", type="festival",
                                                  starts_on="2025-01-01", ends_on="2025-02-01", budget=0)
        return {"in_user": make_user("hd_staff_m", org=world["HD"], role="staff"), "world": world,
                "other": other_campaign}

    def matrix(self, w):
        c, o = w["world"]["campaign"].pk, w["other"].pk
        return [
            Case("list", "/api/v1/campaigns/"),
            Case("detail", f"/api/v1/campaigns/{c}/", f"/api/v1/campaigns/{o}/"),
            Case("progress", f"/api/v1/campaigns/{c}/progress/", f"/api/v1/campaigns/{o}/progress/"),
            Case("lookup", f"/api/v1/campaigns/{c}/lookup/", f"/api/v1/campaigns/{o}/lookup/", method="post",
                 data={"recipient": {"phone": "13912345678"}}, in_status=404),
        ]
