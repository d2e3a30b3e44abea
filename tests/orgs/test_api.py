import pytest
from rest_framework.authtoken.models import Token

from gonghui.core.models import AuditEvent
from gonghui.core.testing import Case, PermissionMatrix, make_id_number, make_member
from gonghui.orgs.models import Member


@pytest.fixture
def matrix_world(tree, sy_staff, member, hd_member):
    return {"in_user": sy_staff, "tree": tree, "member": member, "hd_member": hd_member}


class TestOrgsApiMatrix(PermissionMatrix):
    def matrix(self, w):
        t, m, hm = w["tree"], w["member"], w["hd_member"]
        return [
            Case("org detail", f"/api/v1/orgs/{t['SY-GAS'].pk}/", f"/api/v1/orgs/{t['HD-PD'].pk}/"),
            Case("org update", f"/api/v1/orgs/{t['SY-GAS'].pk}/", f"/api/v1/orgs/{t['HD-PD'].pk}/",
                 method="patch", data={"address": "顺义区"}),
            Case("org move", f"/api/v1/orgs/{t['SY-GAS'].pk}/move/", f"/api/v1/orgs/{t['HD-PD'].pk}/move/",
                 method="post", data={"parent": "SY"}),
            Case("org list", "/api/v1/orgs/"),
            Case("org tree", "/api/v1/orgs/tree/?within=SY", "/api/v1/orgs/tree/?within=HD"),
            Case("member detail", f"/api/v1/members/{m.pk}/", f"/api/v1/members/{hm.pk}/"),
            Case("member update", f"/api/v1/members/{m.pk}/", f"/api/v1/members/{hm.pk}/", method="patch",
                 data={"trade": "焊工"}),
            Case("member transfer", f"/api/v1/members/{m.pk}/transfer/", f"/api/v1/members/{hm.pk}/transfer/",
                 method="post", data={"to": "SY-WATER"}),
            Case("member reveal", f"/api/v1/members/{m.pk}/reveal/", f"/api/v1/members/{hm.pk}/reveal/",
                 method="post", in_status=403),
            Case("member list", "/api/v1/members/"),
            Case("audit list", "/api/v1/audit/"),
        ]


def test_lists_are_scoped_and_paginated(client, sy_staff, member, hd_member):
    client.force_login(sy_staff)
    data = client.get("/api/v1/members/").json()
    assert data["count"] == 1 and data["results"][0]["id"] == member.pk
    assert data["results"][0]["id_number"] == member.id_number_masked
    codes = {o["code"] for o in client.get("/api/v1/orgs/").json()["results"]}
    assert codes == {"SY", "SY-GAS", "SY-WATER"}


def test_member_search_and_filters(client, tree, root_user):
    a = make_member(org=tree["SY-GAS"], name="刘永涛", actor=root_user, phone="13911112222", trade="焊工",
                    new_form_type="courier")
    b = make_member(org=tree["HD-PD"], name="李娜", actor=root_user, trade="民警")
    client.force_login(root_user)

    def ids(query):
        return [r["id"] for r in client.get(f"/api/v1/members/?{query}").json()["results"]]

    assert ids("q=lyt") == [a.pk]
    assert ids("q=liyongtao") == []
    assert ids("q=liuyongtao") == [a.pk]
    assert ids("q=2222") == [a.pk]
    assert ids("trade=民警") == [b.pk]
    assert ids("new_form=courier") == [a.pk]
    assert ids("new_form=any") == [a.pk]
    assert ids("within=HD") == [b.pk]
    assert ids("within=NOPE") == []


def test_create_member_via_api(client, tree, sy_staff):
    client.force_login(sy_staff)
    number = make_id_number()
    r = client.post("/api/v1/members/", {"org": "SY-GAS", "name": "张伟", "id_number": number,
                                         "phone": "13812345678"}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["id_number"].startswith(number[:6] + "********")
    r = client.post("/api/v1/members/", {"org": "SY-GAS", "name": "张伟", "id_number": number,
                                         "phone": "13812345678"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_member"
    r = client.post("/api/v1/members/", {"org": "SY-GAS", "name": "张伟", "id_number": "110105199002300021",
                                         "phone": "13812345678"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    assert "出生日期" in r.json()["message"]
    r = client.post("/api/v1/members/", {"org": "HD-PD", "name": "张伟", "id_number": make_id_number(),
                                         "phone": "13812345678"}, content_type="application/json")
    assert r.status_code == 404


def test_create_org_via_api_and_tree(client, tree, sy_staff):
    client.force_login(sy_staff)
    r = client.post("/api/v1/orgs/", {"code": "SY-NEW", "name": "新企业工会", "type": "base", "parent": "SY"},
                    content_type="application/json")
    assert r.status_code == 201 and r.json()["parent_code"] == "SY"
    r = client.post("/api/v1/orgs/", {"code": "HD-NEW", "name": "x", "type": "base", "parent": "HD"},
                    content_type="application/json")
    assert r.status_code == 404
    tree_data = client.get("/api/v1/orgs/tree/?within=SY&depth=1").json()
    assert tree_data[0]["code"] == "SY"
    assert sorted(c["code"] for c in tree_data[0]["children"]) == ["SY-GAS", "SY-NEW", "SY-WATER"]


def test_token_auth_and_reveal_by_admin(client, sy_admin, member):
    token = Token.objects.create(user=sy_admin)
    r = client.post(f"/api/v1/members/{member.pk}/reveal/", {}, content_type="application/json",
                    HTTP_AUTHORIZATION=f"Token {token.key}")
    assert r.status_code == 200 and r.json()["id_number"] == member.id_number
    assert AuditEvent.objects.filter(action="member.reveal_pii").count() == 1
    r = client.get("/api/v1/members/", HTTP_AUTHORIZATION="Token wrong")
    assert r.status_code == 401


def test_transfer_via_api(client, sy_staff, member):
    client.force_login(sy_staff)
    r = client.post(f"/api/v1/members/{member.pk}/transfer/", {"to": "SY-WATER", "reason": "调动"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["org_code"] == "SY-WATER"
    assert Member.objects.get(pk=member.pk).transfers.count() == 1


def test_audit_is_scoped(client, sy_staff, member, hd_member):
    client.force_login(sy_staff)
    targets = {r["target_id"] for r in client.get("/api/v1/audit/").json()["results"]}
    assert str(member.pk) in targets and str(hd_member.pk) not in targets


def test_schema_docs_and_healthz(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"/api/v1/members/" in r.content
    r = client.get("/api/docs/")
    assert r.status_code == 200 and b"cdn" not in r.content.lower()
