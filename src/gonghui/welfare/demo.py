"""The newspaper's 夏送清凉 stories as living data (idempotent: a second run writes nothing).

- Haidian's district federation: 15,000 cool packs allotted down to its streets and points, issuance under way;
- Sanlitun street union's day at the 三里屯太古里西区骑手驿站 for couriers and riders;
- BCEG investment company's union brings 凉茶饮料 and 藿香正气水 to its site workers (visit + issuance);
- the Haidian chair's visit to the 海淀派出所 (care visit).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.core.crypto import lookup_hash
from gonghui.orgs.models import Member, Organisation

from . import services
from .models import Allotment, Campaign, CareVisit, DistributionPoint, Item, Recipient, Stock

NS = uuid.UUID("6f1c2a4e-2b7d-4c55-9a55-3f0c1e0d7a11")
TZ = timezone.get_fixed_timezone(8 * 60)
# Outdoor workers without membership served at the 中关村 station (recorded by resident ID).
HD_NON_MEMBERS = 240


def _actor():
    User = get_user_model()
    user = User.objects.filter(is_superuser=True).order_by("id").first()
    if user is None:
        user = User(username="demo-system", is_superuser=True, is_staff=False)
        user.set_unusable_password()
        user.save()
    return user


def _campaign(actor, owner, name, **kw) -> Campaign:
    found = Campaign.objects.filter(owner=owner, name=name).first()
    return found or services.campaign_create(actor=actor, owner=owner, name=name, **kw)


def _item(actor, campaign, code, name, unit_cost, contents="") -> Item:
    found = Item.objects.filter(campaign=campaign, code=code).first()
    return found or services.item_create(actor=actor, campaign=campaign, code=code, name=name,
                                         unit_cost=Decimal(unit_cost), contents=contents)


def _allot(actor, item, org, quantity) -> None:
    if not Allotment.objects.filter(item=item, org=org).exists():
        services.allotment_set(actor=actor, item=item, org=org, quantity=quantity)


def _point(actor, org, code, name, station_name="", address="") -> DistributionPoint:
    found = DistributionPoint.objects.filter(code=code).first()
    return found or services.point_create(actor=actor, org=org, code=code, name=name, station_name=station_name,
                                          address=address)


def _stock(actor, point, item, quantity) -> None:
    if not Stock.objects.filter(point=point, item=item).exists():
        services.stock_receive(actor=actor, point=point, item=item, quantity=quantity)


def _sync(actor, campaign, point, item, specs, *, day: dt.date, tag: str) -> dict:
    """Issue through the batch path with deterministic keys, so a rerun is all duplicate_key."""
    records = []
    for n, (key, spec) in enumerate(specs):
        at = dt.datetime.combine(day + dt.timedelta(days=n % 5), dt.time(9 + n % 8, (n * 7) % 60), tzinfo=TZ)
        records.append({"idempotency_key": str(uuid.uuid5(NS, f"{tag}:{item.code}:{key}")), "recipient": spec,
                        "item": item.code, "issued_at": at.isoformat()})
    results = services.sync_records(actor=actor, campaign=campaign, point=point, records=records)
    summary: dict[str, int] = {}
    for r in results:
        summary[r["status"]] = summary.get(r["status"], 0) + 1
    return summary


def _specs(path: str, limit: int | None = None):
    members = Member.objects.filter(org__path__startswith=path).order_by("id")
    if limit:
        members = members[:limit]
    return [(m.id_number_hash, {"card": m.card_token}) for m in members]


def _synthetic_recipients(actor, point, count: int) -> list:
    """Outdoor workers without membership, recorded by resident ID at the point (deterministic IDs)."""
    from gonghui.core.validators import id_check_character

    specs = []
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for n in range(count):
        first17 = f"110108{1975 + n % 25}{1 + n % 12:02d}{1 + n % 28:02d}{(n * 2 + 1) % 1000:03d}"
        number = first17 + id_check_character(first17)
        name = surnames[n % len(surnames)] + "师傅"
        if not Recipient.objects.filter(key=lookup_hash("id", number)).exists():
            try:
                services.recipient_register(actor=actor, point=point, name=name, id_number=number,
                                            target_group="outdoor")
            except Exception:
                continue
        specs.append((number, {"id_number": number}))
    return specs


def load(*, out) -> None:
    codes = {o.code: o for o in Organisation.objects.filter(
        code__in=["HD", "HD-XS", "HD-XS-KD", "HD-PD", "CY", "CY-SLT", "CY-SLT-RIDER", "BCEG", "BCEG-INV"])}
    if "HD" not in codes:
        out.write("送温暖送清凉：组织演示数据未加载，跳过夏送清凉演示\n")
        return
    actor = _actor()

    # ---- Haidian: 15,000 cool packs down the tree
    hd = codes["HD"]
    camp = _campaign(actor, hd, "2025年海淀区“夏送清凉”活动", type="summer_cooling", starts_on=dt.date(2025, 7, 1),
                     ends_on=dt.date(2025, 8, 31), budget=Decimal("700000"),
                     target_groups=["outdoor", "high_temperature", "new_form"],
                     description="重点向“苦、脏、累、险、危、害”等艰苦岗位以及户外高温作业人员集中的基层一线倾斜，预计发放1.5万余份清凉包。")
    pack = _item(actor, camp, "PACK", "清凉包", "45.00", "毛巾、风油精、藿香正气水、清凉油、防暑茶")
    _allot(actor, pack, hd, 15000)
    hd_points = [("HD-CENTER", "海淀区职工服务中心", "", 3000), ("HD-ZGC", "中关村户外劳动者服务站", "中关村户外劳动者服务站", 2000),
                 ("HD-SJQ", "四季青工会驿站", "四季青工会驿站", 1500)]
    for code, name, station, qty in hd_points:
        _stock(actor, _point(actor, hd, code, name, station), pack, qty)
    if "HD-XS" in codes:
        _allot(actor, pack, codes["HD-XS"], 4000)
        _stock(actor, _point(actor, codes["HD-XS"], "HD-XS-OFFICE", "学院路街道总工会服务站"), pack, 1500)
        if "HD-XS-KD" in codes:
            _allot(actor, pack, codes["HD-XS-KD"], 1200)
            _stock(actor, _point(actor, codes["HD-XS-KD"], "HD-XS-KD-STATION", "学院路快递驿站", "学院路快递驿站"),
                   pack, 1000)
    if "HD-PD" in codes:
        _allot(actor, pack, codes["HD-PD"], 600)
        _stock(actor, _point(actor, codes["HD-PD"], "HD-PD-OFFICE", "海淀派出所工会"), pack, 600)
    issued: dict[str, int] = {}
    for code, point_code in (("HD-XS-KD", "HD-XS-KD-STATION"), ("HD-PD", "HD-PD-OFFICE")):
        if code in codes:
            point = DistributionPoint.objects.get(code=point_code)
            s = _sync(actor, camp, point, pack, _specs(codes[code].path), day=dt.date(2025, 7, 8), tag="hd")
            issued[code] = s.get("issued", 0)
    zgc = DistributionPoint.objects.get(code="HD-ZGC")
    s = _sync(actor, camp, zgc, pack, _synthetic_recipients(actor, zgc, HD_NON_MEMBERS), day=dt.date(2025, 7, 10), tag="hd-zgc")
    issued["HD-ZGC"] = s.get("issued", 0)
    out.write(f"送温暖送清凉：海淀区夏送清凉 15000份清凉包已逐级配额到街道和发放点，本次新发放 {sum(issued.values())} 份\n")

    # ---- Haidian chair visits the police station
    if "HD-PD" in codes and not CareVisit.objects.filter(campaign=camp, visited_org=codes["HD-PD"]).exists():
        services.care_visit_create(
            actor=actor, campaign=camp, org=hd, visited_org=codes["HD-PD"],
            visited_unit="北京市公安局海淀分局海淀派出所", visitors="海淀区人大常委会党组成员、副主任，区总工会主席齐明军一行",
            visited_at=dt.datetime(2025, 7, 15, 10, 0, tzinfo=TZ), people_count=40, gifts="清凉包",
            gift_value=Decimal("1800.00"),
            notes="看望慰问高温下辛勤工作的一线警务人员，详细了解工作和生活情况，座谈交流，叮嘱注意防暑降温。")
    out.write("送温暖送清凉：海淀区总工会主席走访慰问海淀派出所一线警务人员\n")

    # ---- Sanlitun: the rider-station day
    if "CY-SLT" in codes:
        slt = codes["CY-SLT"]
        c2 = _campaign(actor, slt, "三里屯街道“夏送清凉”骑手驿站专场", type="summer_cooling", starts_on=dt.date(2025, 7, 1),
                       ends_on=dt.date(2025, 8, 31), budget=Decimal("24000"), target_groups=["new_form", "outdoor"],
                       description="为外卖配送员、快递员等户外劳动者送上夏季必备品。")
        p2 = _item(actor, c2, "PACK", "清凉包", "80.00", "洗发水、沐浴露、防晒霜、驱蚊液、紫草膏")
        _allot(actor, p2, slt, 300)
        point = _point(actor, codes.get("CY-SLT-RIDER", slt), "CY-SLT-TKL", "三里屯太古里西区骑手驿站",
                       "三里屯太古里西区骑手驿站", "朝阳区三里屯路太古里西区")
        if "CY-SLT-RIDER" in codes:
            _allot(actor, p2, codes["CY-SLT-RIDER"], 200)
        _stock(actor, point, p2, 200)
        s = _sync(actor, c2, point, p2, _specs(codes.get("CY-SLT-RIDER", slt).path), day=dt.date(2025, 7, 18),
                  tag="slt")
        out.write(f"送温暖送清凉：三里屯太古里西区骑手驿站为快递员、外卖骑手发放清凉包，本次新发放 {s.get('issued', 0)} 份\n")

    # ---- BCEG investment company: drinks to the site
    if "BCEG-INV" in codes:
        inv = codes["BCEG-INV"]
        c3 = _campaign(actor, inv, "北京建工投资公司工会“送清凉”慰问", type="summer_cooling", starts_on=dt.date(2025, 6, 20),
                       ends_on=dt.date(2025, 8, 31), budget=Decimal("8000"), target_groups=["high_temperature", "outdoor"])
        drink = _item(actor, c3, "DRINK", "凉茶饮料", "30.00", "凉茶饮料一箱")
        hx = _item(actor, c3, "HXZQ", "藿香正气水", "12.00", "藿香正气水一盒")
        site = _point(actor, inv, "BCEG-INV-SITE", "建工投资项目一线工地")
        for it in (drink, hx):
            _allot(actor, it, inv, 150)
            _stock(actor, site, it, 150)
        specs = _specs(inv.path, 120)
        s = _sync(actor, c3, site, drink, specs, day=dt.date(2025, 6, 24), tag="bceg")
        _sync(actor, c3, site, hx, specs, day=dt.date(2025, 6, 24), tag="bceg")
        if not CareVisit.objects.filter(campaign=c3).exists():
            services.care_visit_create(
                actor=actor, campaign=c3, org=inv, visited_unit="建工投资公司一线项目工地", visitors="公司工会慰问组",
                visited_at=dt.datetime(2025, 6, 24, 9, 30, tzinfo=TZ), people_count=len(specs),
                gifts="凉茶饮料、藿香正气水", gift_value=Decimal(42) * len(specs),
                notes="“大家辛苦了，一定要注意防暑降温，劳逸结合。”")
        out.write(f"送温暖送清凉：北京建工投资公司工会送凉茶饮料、藿香正气水到一线工地，本次新发放 {s.get('issued', 0)} 份\n")
