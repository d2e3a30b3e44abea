"""Demo: the Sanlitun rider station of the newspaper's story and a few dozen stations across the demo
districts (Chaoyang, Haidian, Shunyi, 经开区) with realistic hours, amenities and keepers.

Idempotent: stations are found by code, keepers by username; hours exceptions by (station, date).
Coordinates are WGS-84 of real streets in those districts (approximate, public places).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.orgs.models import Organisation

from . import rules, services
from .models import HoursException, Inspection, Rating, Station, Visit

ALL_DAY = "24小时"
DAY = "每天 08:00-20:00"
LONG = "每天 07:00-22:00"
OFFICE = "周一至周五 08:30-18:00; 周六 09:00-17:00"
MEALS = "每天 10:00-14:00,17:00-21:30"
NIGHT = "每天 18:00-06:00"
BANK = "周一至周五 09:00-17:00; 周六、周日 09:00-16:00"

BASIC = ["water", "rest", "toilet"]
FULL = ["water", "rest", "toilet", "air_conditioning", "heating", "microwave", "charging", "first_aid", "wifi"]

# code, name, org, host kind, host name, address, lat, lng, hours, amenities, capacity
STATIONS = [
    ("CY-SLT-001", "三里屯太古里西区骑手驿站", "CY-SLT-RIDER", "union", "三里屯骑手联合工会",
     "北京市朝阳区三里屯路19号院太古里西区地下一层", 39.93330, 116.45210, ALL_DAY,
     [*FULL, "ebike_parking", "ebike_charging", "hot_meal", "umbrella", "reading", "locker"], 20),
    ("CY-SLT-002", "三里屯SOHO骑手加油站", "CY-SLT-RIDER", "company", "三里屯SOHO物业",
     "北京市朝阳区工人体育场北路8号三里屯SOHO", 39.93450, 116.44990, LONG, [*BASIC, "charging", "microwave"], 10),
    ("CY-SLT-003", "工体北路银行爱心驿站", "CY-SLT", "bank", "北京银行三里屯支行",
     "北京市朝阳区工人体育场北路甲2号", 39.93320, 116.44400, BANK, [*BASIC, "air_conditioning", "first_aid"], 6),
    ("CY-SLT-004", "幸福三村社区户外劳动者服务站", "CY-SLT", "union", "三里屯街道总工会",
     "北京市朝阳区幸福三村", 39.93780, 116.44780, DAY, [*BASIC, "heating", "reading"], 8),
    ("CY-001", "国贸CBD户外劳动者服务站", "CY", "company", "国贸物业", "北京市朝阳区建国门外大街1号",
     39.90870, 116.46010, LONG, [*FULL, "umbrella"], 15),
    ("CY-002", "朝阳公园南门暖心驿站", "CY", "union", "朝阳区总工会", "北京市朝阳区朝阳公园南路1号",
     39.93660, 116.47400, DAY, [*BASIC, "heating", "air_conditioning"], 12),
    ("CY-003", "望京SOHO骑手之家", "CY", "company", "望京SOHO物业", "北京市朝阳区望京街10号",
     39.99640, 116.48080, ALL_DAY, [*FULL, "ebike_parking", "ebike_charging"], 20),
    ("CY-004", "双井便利店爱心驿站", "CY", "shop", "双井便利店", "北京市朝阳区东三环中路双井桥东南",
     39.89340, 116.46170, NIGHT, [*BASIC[:2], "microwave", "charging"], 4),
    ("CY-005", "亮马桥银行网点驿站", "CY", "bank", "工商银行亮马桥支行", "北京市朝阳区亮马桥路",
     39.94970, 116.46360, BANK, [*BASIC, "air_conditioning", "wifi"], 6),
    ("CY-006", "大望路环卫工人休息站", "CY", "union", "朝阳区环卫中心工会", "北京市朝阳区大望路",
     39.90920, 116.47600, "每天 05:00-21:00", [*BASIC, "microwave", "heating"], 10),
    ("HD-XS-001", "学院路快递驿站联合工会服务站", "HD-XS-KD", "union", "学院路快递驿站联合工会",
     "北京市海淀区学院路20号", 39.99270, 116.35250, ALL_DAY, [*FULL, "ebike_parking", "ebike_charging"], 15),
    ("HD-XS-002", "五道口骑手驿站", "HD-XS-KD", "company", "五道口购物中心", "北京市海淀区成府路28号",
     39.99280, 116.33820, LONG, [*BASIC, "charging", "microwave", "air_conditioning"], 10),
    ("HD-XS-003", "学院路银行暖心驿站", "HD-XS", "bank", "建设银行学院路支行", "北京市海淀区学院路甲5号",
     39.98100, 116.35370, BANK, [*BASIC, "first_aid"], 6),
    ("HD-001", "中关村大街户外劳动者服务站", "HD", "union", "海淀区总工会", "北京市海淀区中关村大街27号",
     39.98340, 116.31600, DAY, [*FULL], 15),
    ("HD-002", "海淀派出所警务暖心驿站", "HD-PD", "union", "海淀派出所工会", "北京市海淀区海淀大街",
     39.98180, 116.30750, ALL_DAY, [*BASIC, "first_aid", "charging", "umbrella"], 6),
    ("HD-003", "公主坟环卫驿站", "HD", "union", "海淀区环卫工会", "北京市海淀区复兴路公主坟",
     39.90720, 116.31080, "每天 05:30-20:30", [*BASIC, "heating", "microwave"], 8),
    ("HD-004", "西二旗地铁站骑手驿站", "HD", "company", "软件园物业", "北京市海淀区西二旗大街",
     40.05290, 116.30590, MEALS, [*BASIC, "microwave", "charging", "ebike_parking"], 12),
    ("HD-005", "颐和园北宫门便民驿站", "HD", "shop", "北宫门便利店", "北京市海淀区颐和园路北宫门",
     40.00250, 116.27000, DAY, ["water", "rest", "umbrella"], 4),
    ("SY-001", "顺义燃气公司户外劳动者服务站", "SY-SZKG-GAS", "union", "燃气公司工会",
     "北京市顺义区府前东街", 40.13080, 116.65850, ALL_DAY, [*FULL], 12),
    ("SY-002", "顺义区总工会职工驿站", "SY", "union", "顺义区总工会", "北京市顺义区府前中街",
     40.12960, 116.65420, OFFICE, [*BASIC, "reading", "air_conditioning", "heating"], 10),
    ("SY-003", "空港物流园骑手驿站", "SY-C3", "company", "空港物流基地", "北京市顺义区空港物流园",
     40.08410, 116.58830, LONG, [*BASIC, "microwave", "charging", "ebike_parking"], 15),
    ("SY-004", "石园街道银行驿站", "SY", "bank", "农商银行石园支行", "北京市顺义区石园街道",
     40.12100, 116.66800, BANK, [*BASIC, "first_aid"], 5),
    ("SY-005", "顺义路桥养护工人驿站", "SY-C6", "union", "顺义路桥工会", "北京市顺义区顺平路",
     40.14300, 116.67900, "每天 06:00-19:00", [*BASIC, "microwave", "heating", "first_aid"], 10),
    ("SY-006", "后沙峪便利店爱心驿站", "SY", "shop", "后沙峪便利店", "北京市顺义区后沙峪镇",
     40.11000, 116.55200, NIGHT, ["water", "rest", "charging"], 3),
    ("JK-001", "亦庄荣华中路户外劳动者服务站", "JK", "union", "经开区总工会", "北京经济技术开发区荣华中路",
     39.79460, 116.50640, ALL_DAY, [*FULL, "ebike_parking"], 15),
    ("JK-002", "国际医药创新公园职工驿站", "JK-PHARMA", "company", "国际医药创新公园",
     "北京经济技术开发区科创十三街", 39.77900, 116.54900, OFFICE, [*BASIC, "microwave", "air_conditioning"], 12),
    ("JK-003", "亦庄地铁站骑手驿站", "JK", "company", "亦庄商业中心", "北京经济技术开发区文化园西路",
     39.80580, 116.49240, LONG, [*BASIC, "charging", "ebike_charging"], 10),
    ("JK-004", "经开区银行暖心驿站", "JK", "bank", "北京农商银行经开区支行", "北京经济技术开发区宏达北路",
     39.79960, 116.51740, BANK, [*BASIC, "first_aid", "wifi"], 6),
    ("BCEG-001", "北京建工工地户外劳动者服务站", "BCEG-INV", "company", "北京建工投资公司",
     "北京市朝阳区东坝中路工地", 39.96500, 116.54600, "每天 06:00-22:00", [*BASIC, "microwave", "heating"], 20),
    ("JH-001", "京恒保安服务驿站", "JH", "company", "京恒（北京）保安服务有限公司", "北京市西城区广安门外大街",
     39.89360, 116.34350, ALL_DAY, [*BASIC, "first_aid", "charging"], 6),
]

KEEPERS = {  # username → (org code, station codes)
    "slt_keeper": ("CY-SLT-RIDER", ["CY-SLT-001", "CY-SLT-002"]),
    "xs_keeper": ("HD-XS-KD", ["HD-XS-001", "HD-XS-002"]),
    "sy_keeper": ("SY-SZKG-GAS", ["SY-001"]),
    "jk_keeper": ("JK", ["JK-001", "JK-003"]),
}


def _holidays(year: int) -> list[tuple[dt.date, str, str]]:
    """Spring Festival and National Day closures of the office-hours and bank stations (by date)."""
    return [(dt.date(year, 10, 1), "", "国庆节"), (dt.date(year, 10, 2), "10:00-15:00", "国庆节")]


def load(*, out) -> None:
    from gonghui.orgs import services as org_services

    from .choices import CHECKLIST

    orgs = {o.code: o for o in Organisation.objects.filter(code__in={s[2] for s in STATIONS})}
    User = get_user_model()
    created = 0
    for code, name, org_code, host_kind, host_name, address, lat, lng, hours, amenities, capacity in STATIONS:
        org = orgs.get(org_code)
        if org is None or Station.objects.filter(code=code).exists():
            continue
        station = services.station_create(
            actor=None, org=org, code=code, name=name, host_kind=host_kind, host_name=host_name, address=address,
            lat=lat, lng=lng, hours_text=hours, amenities=amenities, capacity=capacity,
            **dict.fromkeys(CHECKLIST, True))
        created += 1
        if hours in (OFFICE, BANK):
            year = timezone.localdate().year
            for date, text, reason in _holidays(year):
                if not HoursException.objects.filter(station=station, date=date).exists():
                    HoursException.objects.create(station=station, date=date, reason=reason,
                                                  intervals=[list(i) for i in rules.parse_intervals(text)])
    password_user = User.objects.filter(username="cy_staff").first()
    keepers = 0
    for username, (org_code, codes) in KEEPERS.items():
        org = Organisation.objects.filter(code=org_code).first()
        if org is None:
            continue
        user, _pw = org_services.staff_create(actor=None, username=username, org=org, role="station_keeper",
                                              password=None if User.objects.filter(username=username).exists()
                                              else _demo_password())
        keepers += 1
        Station.objects.filter(code__in=codes, keeper__isnull=True).update(keeper=user, contact_name=username)
    # one inspection of the Sanlitun station by the Chaoyang staff, once
    slt = Station.objects.filter(code="CY-SLT-001").first()
    if slt is not None and password_user is not None and not slt.inspections.exists():
        Inspection.objects.create(station=slt, inspector=password_user, inspected_on=timezone.localdate(), stars=5,
                                  notes="标识清晰，饮水、微波炉、充电齐全，骑手反映良好",
                                  **dict.fromkeys(CHECKLIST, True))
    # door-QR visits and ratings of the last two weeks at the Sanlitun stations (deterministic, so idempotent)
    today = timezone.localdate()
    visits, ratings = [], []
    for n, station in enumerate(Station.objects.filter(code__startswith="CY-SLT").order_by("code")):
        for back in range(14):
            day = today - dt.timedelta(days=back)
            for i in range(12 + (7 * back + 11 * n) % 25):
                hour = dt.datetime.combine(day, dt.time(11 + i % 3, 0), tzinfo=rules.SHANGHAI)
                visits.append(Visit(station=station, device=f"demo-{n}-{i}", hour=hour))
            ratings.append(Rating(station=station, device=f"demo-{n}-{back}", day=day, stars=5 - (back + n) % 3 // 2,
                                  comment="喝上了热水，还能充电" if back % 4 == 0 else ""))
    Visit.objects.bulk_create(visits, ignore_conflicts=True)
    Rating.objects.bulk_create(ratings, ignore_conflicts=True)
    # a station failing the checklist, to show flagging
    Station.objects.filter(code="SY-006").update(has_rules=False, on_map=False)
    slt_count = Station.objects.filter(code__startswith="CY-SLT").count()
    out.write(f"驿站：{Station.objects.count()} 个（新建 {created}），其中三里屯 {slt_count} 个；"
              f"驿站管理员 {keepers} 人（slt_keeper 等，密码同演示账号）；骑手找驿站：/stations/near/")


def _demo_password() -> str:
    from django.conf import settings

    path = settings.DATA_DIR / "demo-password.txt"
    return path.read_text().strip() if path.exists() else "demo-pass-2025"
