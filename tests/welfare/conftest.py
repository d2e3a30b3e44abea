"""A small Haidian summer campaign: HD owns it, allots to HD-XS (street) and HD-PD (base), two points."""

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.core.testing import make_member, make_org, make_user
from gonghui.welfare import services


def build_world(tree, root_user, *, stock_xs=10, stock_pd=10, limit=1):
    hd = tree["HD"]
    xs = make_org(code="HD-XS", name="学院路街道总工会", type="street", parent=hd)
    kd = make_org(code="HD-XS-KD", name="学院路快递驿站联合工会", type="joint", parent=xs)
    for o in (xs, kd):
        o.refresh_from_db()
    hd.refresh_from_db()
    campaign = services.campaign_create(
        actor=root_user, owner=hd, name="2025年海淀区夏送清凉", type="summer_cooling",
        starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 8, 31), budget=Decimal("20000"),
        target_groups=["outdoor", "new_form"])
    pack = services.item_create(actor=root_user, campaign=campaign, code="PACK", name="清凉包",
                                contents="毛巾、风油精、藿香正气水", unit_cost=Decimal("60.00"),
                                per_recipient_limit=limit)
    services.allotment_set(actor=root_user, item=pack, org=hd, quantity=200)
    services.allotment_set(actor=root_user, item=pack, org=xs, quantity=80)
    services.allotment_set(actor=root_user, item=pack, org=tree["HD-PD"], quantity=50)
    p_xs = services.point_create(actor=root_user, org=xs, code="P-XS", name="学院路街道工会服务站")
    p_kd = services.point_create(actor=root_user, org=kd, code="P-KD", name="学院路快递驿站",
                                 station_name="学院路快递驿站")
    p_pd = services.point_create(actor=root_user, org=tree["HD-PD"], code="P-PD", name="海淀派出所工会")
    if stock_xs:
        services.stock_receive(actor=root_user, point=p_xs, item=pack, quantity=stock_xs)
    if stock_pd:
        services.stock_receive(actor=root_user, point=p_pd, item=pack, quantity=stock_pd)
    dist = make_user("dist_xs", org=xs, role="distributor")
    dist_pd = make_user("dist_pd", org=tree["HD-PD"], role="distributor")
    members = [make_member(org=kd, name=f"骑手{i}", actor=root_user, new_form_type="courier",
                           is_outdoor_worker=True) for i in range(4)]
    return {"campaign": campaign, "pack": pack, "HD-XS": xs, "HD-XS-KD": kd, "p_xs": p_xs, "p_kd": p_kd,
            "p_pd": p_pd, "dist": dist, "dist_pd": dist_pd, "members": members, **tree}


@pytest.fixture
def world(tree, root_user):
    return build_world(tree, root_user)
