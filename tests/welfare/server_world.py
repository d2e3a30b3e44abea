"""Run inside a `gonghui` subprocess (its own database): build the concurrency tests' world, or count.

`python -c "from tests.welfare.server_world import main; main()" setup|check`
"""

from __future__ import annotations

import json
import os
import sys


def _setup() -> dict:
    import datetime as dt

    from rest_framework.authtoken.models import Token

    from gonghui.core.testing import make_member, make_org, make_user
    from gonghui.welfare import services

    root = make_user("root", superuser=True)
    bj = make_org(code="BJ", name="北京市总工会", type="federation")
    hd = make_org(code="HD", name="海淀区总工会", type="district", parent=bj)
    pd = make_org(code="HD-PD", name="海淀派出所工会", type="base", parent=hd)
    xs = make_org(code="HD-XS", name="学院路街道总工会", type="street", parent=hd)
    kd = make_org(code="HD-XS-KD", name="学院路快递驿站联合工会", type="joint", parent=xs)
    for o in (bj, hd, pd, xs, kd):
        o.refresh_from_db()
    dist_xs = make_user("dist_xs", org=xs, role="distributor")
    dist_pd = make_user("dist_pd", org=pd, role="distributor")
    members = [make_member(org=kd, name=f"骑手{i}", actor=root, new_form_type="courier") for i in range(12)]
    scenarios = {}
    for name, stock_xs in (("same_recipient", 50), ("last_units", 3), ("same_key", 50), ("sync_race", 50)):
        c = services.campaign_create(actor=root, owner=hd, name=name, type="summer_cooling",
                                     starts_on=dt.date(2025, 7, 1), ends_on=dt.date(2025, 8, 31), budget=100000)
        item = services.item_create(actor=root, campaign=c, code="PACK", name="清凉包", unit_cost=50)
        services.allotment_set(actor=root, item=item, org=hd, quantity=1000)
        services.allotment_set(actor=root, item=item, org=xs, quantity=100)
        services.allotment_set(actor=root, item=item, org=pd, quantity=100)
        p_xs = services.point_create(actor=root, org=xs, code=f"{name}-XS".upper().replace("_", ""), name="学院路")
        p_pd = services.point_create(actor=root, org=pd, code=f"{name}-PD".upper().replace("_", ""), name="派出所")
        services.stock_receive(actor=root, point=p_xs, item=item, quantity=stock_xs)
        services.stock_receive(actor=root, point=p_pd, item=item, quantity=50)
        scenarios[name] = {"id": c.pk, "xs": p_xs.code, "pd": p_pd.code}
    return {
        "tokens": {"xs": Token.objects.create(user=dist_xs).key, "pd": Token.objects.create(user=dist_pd).key},
        "members": [{"card": m.card_token, "id_number": m.id_number, "phone": m.phone} for m in members],
        "campaigns": scenarios,
    }


def _check() -> dict:
    from django.db.models import Count

    from gonghui.welfare.models import Campaign, Issuance, Stock

    out = {}
    for c in Campaign.objects.all():
        doubles = (Issuance.objects.filter(campaign=c).values("item", "recipient_key")
                   .annotate(n=Count("id")).filter(n__gt=1).count())
        mismatches = sum(1 for s in Stock.objects.filter(item__campaign=c)
                         if s.issued != Issuance.objects.filter(point=s.point, item=s.item).count()
                         or s.available < 0)
        out[c.name] = {"issuances": Issuance.objects.filter(campaign=c).count(), "doubles": doubles,
                       "stock_mismatches": mismatches,
                       "stock": {s.point.code: [s.issued, s.available] for s in Stock.objects.filter(item__campaign=c)}}
    return out


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    from django.db import transaction

    with transaction.atomic():
        result = _setup() if sys.argv[-1] == "setup" else _check()
    print("RESULT " + json.dumps(result))
