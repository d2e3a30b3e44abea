"""API contract of activities and its permission matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gonghui.activities import services
from gonghui.activities.models import Signup
from gonghui.core.testing import Case, PermissionMatrix, make_member

from .conftest import make_activity


def soon(**kw):
    return timezone.now() + dt.timedelta(**kw)


@pytest.fixture
def live(tree, sy_staff):
    """A published SY activity starting in one hour (sign-up open, check-in open), 2 places."""
    return make_activity(actor=sy_staff, org=tree["SY"], capacity=2, starts_at=soon(hours=1))


@pytest.fixture
def matrix_world(tree, sy_staff, hd_staff, root_user, live):
    other = make_activity(actor=hd_staff, org=tree["HD"], capacity=2, starts_at=soon(hours=1))
    a = make_member(org=tree["SY-GAS"], name="甲", actor=root_user)
    b = make_member(org=tree["SY-GAS"], name="乙", actor=root_user)
    c = make_member(org=tree["SY-GAS"], name="丙", actor=root_user)
    h = make_member(org=tree["HD-PD"], name="丁", actor=root_user)
    sb = services.signup_create(actor=sy_staff, activity=live, member=b)
    sc = services.signup_create(actor=sy_staff, activity=live, member=c)
    so = services.signup_create(actor=hd_staff, activity=other, member=h)
    return {"in_user": sy_staff, "live": live, "other": other, "a": a, "b": b, "c": c, "sb": sb, "sc": sc, "so": so}


class TestActivityApiMatrix(PermissionMatrix):
    def matrix(self, w):
        live, other = w["live"], w["other"]
        base, out = f"/api/v1/activities/{live.pk}/", f"/api/v1/activities/{other.pk}/"
        return [
            Case("list", "/api/v1/activities/"),
            Case("detail", base, out),
            Case("signups", base + "signups/", out + "signups/"),
            Case("create", "/api/v1/activities/", method="post", in_status=201, data={
                "org": "SY-GAS", "theme": "安全生产专题培训", "kind": "training", "place": "顺义区职工之家",
                "starts_at": soon(days=3).isoformat(), "ends_at": soon(days=3, hours=2).isoformat()}),
            Case("update", base, out, method="patch", data={"place": "中国人民抗日战争纪念馆东门"}),
            Case("sign up", base + "signups/", out + "signups/", method="post", in_status=201,
                 data={"member": w["a"].pk}),
            Case("check in", base + "checkin/", out + "checkin/", method="post", data={"card": w["b"].card_token}),
            Case("cancel", f"{base}signups/{w['sc'].pk}/", f"{out}signups/{w['so'].pk}/", method="delete"),
        ]


def test_signup_contract_full_is_waitlisted_not_an_error(client, matrix_world, root_user, tree):
    client.force_login(matrix_world["in_user"])
    live = matrix_world["live"]
    url = f"/api/v1/activities/{live.pk}/signups/"
    r = client.post(url, {"member": matrix_world["a"].pk}, content_type="application/json")
    assert r.status_code == 201
    body = r.json()
    assert (body["status"], body["waitlist_position"], body["member_name"]) == ("waitlisted", 1, "甲")
    r = client.post(url, {"member": matrix_world["a"].pk}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "already_signed_up")
    d = make_member(org=tree["SY-GAS"], name="戊", actor=root_user)
    r = client.post(url, {"card": d.card_token}, content_type="application/json")
    assert (r.status_code, r.json()["status"], r.json()["waitlist_position"]) == (201, "waitlisted", 2)
    r = client.post(url, {"card": "nonsense"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "unknown_card")
    r = client.post(url, {}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid")
    # A member of another district by id: outside the caller's scope → 404; by card: not eligible → 400.
    hd = make_member(org=tree["HD-PD"], name="己", actor=root_user)
    r = client.post(url, {"member": hd.pk}, content_type="application/json")
    assert r.status_code == 404
    r = client.post(url, {"card": hd.card_token}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "not_eligible")
    # Cancelling a confirmed place promotes 甲 (first in line).
    r = client.delete(f"{url}{matrix_world['sb'].pk}/")
    assert (r.status_code, r.json()["status"]) == (200, "cancelled")
    r = client.get(url)
    rows = {x["member_name"]: (x["status"], x["waitlist_position"]) for x in r.json()["results"]}
    assert rows == {"乙": ("cancelled", None), "丙": ("confirmed", None), "甲": ("confirmed", None),
                    "戊": ("waitlisted", 1)}
    assert r.json()["count"] == 4
    r = client.post(f"{url}{matrix_world['sb'].pk}/cancel/")
    assert (r.status_code, r.json()["code"]) == (409, "already_cancelled")


def test_closed_and_checkin_contract(client, matrix_world):
    client.force_login(matrix_world["in_user"])
    live = matrix_world["live"]
    r = client.patch(f"/api/v1/activities/{live.pk}/", {"status": "closed"}, content_type="application/json")
    assert (r.status_code, r.json()["status"]) == (200, "closed")
    r = client.post(f"/api/v1/activities/{live.pk}/signups/", {"member": matrix_world["a"].pk},
                    content_type="application/json")
    assert r.json() == {"code": "closed", "message": "报名已截止"} and r.status_code == 409
    url = f"/api/v1/activities/{live.pk}/checkin/"
    r = client.post(url, {"card": matrix_world["b"].card_no}, content_type="application/json")
    assert r.status_code == 200 and r.json()["checkin_method"] == "card_no" and r.json()["checked_in_at"]
    r = client.post(url, {"card": matrix_world["b"].card_token}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "already_checked_in")
    r = client.post(url, {"card": matrix_world["a"].card_token}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (409, "not_signed_up")
    r = client.get(f"/api/v1/activities/{live.pk}/")
    assert (r.json()["confirmed_count"], r.json()["attended_count"]) == (2, 1)


def test_create_validation_and_filters(client, matrix_world):
    client.force_login(matrix_world["in_user"])
    r = client.post("/api/v1/activities/", {
        "org": "SY", "theme": "劳模工匠大讲堂", "kind": "lecture", "place": "报告厅",
        "starts_at": soon(days=2).isoformat(), "ends_at": soon(days=1).isoformat(), "cost": "-5"},
        content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid"
    r = client.post("/api/v1/activities/", {
        "org": "SY", "theme": "劳模工匠大讲堂", "kind": "lecture", "place": "报告厅", "capacity": 80,
        "co_organisers": ["北京建工集团职工创新工作室联盟"], "audience_type": "units", "audience_units": ["SY-GAS"],
        "starts_at": soon(days=2).isoformat(), "ends_at": soon(days=1).isoformat()},
        content_type="application/json")
    assert r.status_code == 400
    assert r.json()["message"] == "结束时间必须晚于开始时间"
    r = client.post("/api/v1/activities/", {
        "org": "HD", "theme": "x", "kind": "lecture", "place": "y",
        "starts_at": soon(days=2).isoformat(), "ends_at": soon(days=3).isoformat()}, content_type="application/json")
    assert r.status_code == 404
    r = client.get("/api/v1/activities/?q=cwkz")
    assert [x["theme"] for x in r.json()["results"]] == ["重温抗战历史，增强实干精神"]
    r = client.get("/api/v1/activities/?kind=lecture")
    assert r.json()["count"] == 0


def test_viewer_reads_but_cannot_write(client, matrix_world, sy_viewer):
    client.force_login(sy_viewer)
    live = matrix_world["live"]
    assert client.get(f"/api/v1/activities/{live.pk}/signups/").status_code == 200
    r = client.post(f"/api/v1/activities/{live.pk}/signups/", {"member": matrix_world["a"].pk},
                    content_type="application/json")
    assert r.status_code == 403
    assert Signup.objects.filter(member=matrix_world["a"]).count() == 0
