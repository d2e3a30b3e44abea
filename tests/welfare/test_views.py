import pytest

from gonghui.core.testing import Case, PermissionMatrix, make_org, make_user
from gonghui.welfare import services


def test_detail_page_shows_progress_and_heat_rule(world, client, root_user):
    client.force_login(root_user)
    r = client.get(f"/welfare/{world['campaign'].pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "40℃以上" in html and "学院路街道总工会" in html


def test_forms_allot_receive_and_issue_pages(world, client, root_user):
    client.force_login(root_user)
    c = world["campaign"].pk
    r = client.post(f"/welfare/{c}/allotments/new/", {"item": "PACK", "org": "HD-XS-KD", "quantity": "20"}, follow=True)
    assert "学院路快递驿站联合工会的清凉包配额为20份" in r.content.decode()
    r = client.post(f"/welfare/{c}/stock/receive/", {"point": "P-KD", "item": "PACK", "quantity": "30"}, follow=True)
    assert "超出配额" in r.content.decode()


def test_distribute_page_and_service_worker(world, client):
    client.force_login(world["dist"])
    r = client.get(f"/welfare/{world['campaign'].pk}/distribute/")
    assert r.status_code == 200 and 'value="P-XS"' in r.content.decode() and "P-PD" not in r.content.decode()
    sw = client.get("/welfare/sw.js")
    assert sw.status_code == 200 and sw["Service-Worker-Allowed"] == "/welfare/"
    assert sw["Content-Type"].startswith("application/javascript")


def test_exports(world, client, root_user):
    client.force_login(root_user)
    c = world["campaign"].pk
    for path in (f"/welfare/{c}/progress.xlsx?org=HD", f"/welfare/{c}/issuances.xlsx", "/welfare/export.xlsx"):
        r = client.get(path)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml"), path


def test_my_received_tag(world):
    import uuid

    from django.template import Context, Template
    m = world["members"][0]
    services.issuance_create(actor=world["dist"], campaign=world["campaign"], point=world["p_xs"],
                             item=world["pack"], recipient={"card": m.card_token}, idempotency_key=uuid.uuid4())
    html = Template("{% load welfare_tags %}{% my_received member %}").render(Context({"member": m}))
    assert "清凉包" in html and "学院路街道工会服务站" in html


class TestPages(PermissionMatrix):
    @pytest.fixture
    def matrix_world(self, world, root_user):
        other = make_org(code="CY", name="朝阳区总工会", type="district", parent=world["BJ"])
        oc = services.campaign_create(actor=root_user, owner=other, name="朝阳", type="festival",
                                      starts_on="2025-01-01", ends_on="2025-02-01", budget=0)
        return {"in_user": make_user("hd_staff_p", org=world["HD"], role="staff"), "c": world["campaign"].pk,
                "o": oc.pk}

    def matrix(self, w):
        c, o = w["c"], w["o"]
        return [
            Case("list", "/welfare/", api=False),
            Case("detail", f"/welfare/{c}/", f"/welfare/{o}/", api=False),
            Case("issuances", f"/welfare/{c}/issuances/", f"/welfare/{o}/issuances/", api=False),
            Case("conflicts", f"/welfare/{c}/conflicts/", f"/welfare/{o}/conflicts/", api=False),
            Case("visits", f"/welfare/{c}/visits/", f"/welfare/{o}/visits/", api=False),
            Case("distribute", f"/welfare/{c}/distribute/", f"/welfare/{o}/distribute/", api=False),
        ]
