"""Demo of the newspaper page's organisations and a few hundred synthetic members.

Idempotent: organisations are found by code, members by ID number, users by username. Every
synthetic ID number is checksum-valid (RULES I1) and is not a real person's: the sequence numbers
are drawn from a seeded generator.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model

from gonghui.core.crypto import lookup_hash
from gonghui.core.validators import id_check_character

from . import services
from .models import Member, Organisation

# code, name, short name, type, parent code, status
ORGS: list[tuple[str, str, str, str, str | None, str]] = [
    ("BJ", "北京市总工会", "市总工会", "federation", None, "active"),
    ("SY", "顺义区总工会", "顺义区总", "district", "BJ", "active"),
    ("SY-SZKG", "北京顺义市政控股集团有限公司工会", "顺义市政控股工会", "base", "SY", "active"),
    ("SY-SZKG-GAS", "北京顺义市政控股集团燃气公司工会", "燃气公司工会", "base", "SY-SZKG", "active"),
    ("SY-C2", "北京顺义新城建设开发有限公司工会", "新城建设工会", "base", "SY", "active"),
    ("SY-C3", "北京空港物流基地有限公司工会", "空港物流工会", "base", "SY", "active"),
    ("SY-C4", "北京顺义供热有限公司工会", "顺义供热工会", "base", "SY", "active"),
    ("SY-C5", "北京顺义水务集团有限公司工会", "顺义水务工会", "base", "SY", "active"),
    ("SY-C6", "北京顺义路桥工程有限公司工会", "顺义路桥工会", "base", "SY", "active"),
    ("SY-C7", "北京顺义钢结构制造有限公司工会", "顺义钢结构工会", "base", "SY", "active"),
    ("HD", "海淀区总工会", "海淀区总", "district", "BJ", "active"),
    ("HD-PD", "北京市公安局海淀分局海淀派出所工会", "海淀派出所工会", "base", "HD", "active"),
    ("HD-XS", "海淀区学院路街道总工会", "学院路街道总工会", "street", "HD", "active"),
    ("HD-XS-KD", "学院路快递驿站联合工会", "学院路快递联合工会", "joint", "HD-XS", "active"),
    ("CY", "朝阳区总工会", "朝阳区总", "district", "BJ", "active"),
    ("CY-SLT", "朝阳区三里屯街道总工会", "三里屯街道总工会", "street", "CY", "active"),
    ("CY-SLT-RIDER", "三里屯骑手联合工会", "三里屯骑手联合工会", "joint", "CY-SLT", "active"),
    ("JK", "北京经济技术开发区总工会", "经开区总工会", "district", "BJ", "active"),
    ("JK-PHARMA", "经开区国际医药创新公园联合工会", "医药创新公园联合工会", "joint", "JK", "preparing"),
    ("BCEG", "北京建工集团工会", "北京建工工会", "industry", "BJ", "active"),
    ("BCEG-INV", "北京建工投资公司工会", "建工投资工会", "base", "BCEG", "active"),
    ("JH", "京恒（北京）保安服务有限公司工会", "京恒保安工会", "base", "BJ", "active"),
]

ADDRESSES = {
    "BJ": "北京市西城区复兴门外大街", "SY": "北京市顺义区府前中街", "HD": "北京市海淀区长春桥路",
    "CY": "北京市朝阳区日坛北路", "CY-SLT": "北京市朝阳区三里屯路", "JK": "北京经济技术开发区荣华中路",
    "JK-PHARMA": "北京经济技术开发区国际医药创新公园", "BCEG": "北京市西城区广莲路", "HD-PD": "北京市海淀区海淀大街",
}

# org code → (members, area code, welders, new-form type, women share)
MEMBERS: dict[str, tuple[int, str, int, str, float]] = {
    "SY-SZKG": (20, "110113", 5, "", 0.3),
    "SY-SZKG-GAS": (15, "110113", 5, "", 0.3),
    "SY-C2": (12, "110113", 5, "", 0.25), "SY-C3": (12, "110113", 5, "", 0.25),
    "SY-C4": (12, "110113", 5, "", 0.25), "SY-C5": (12, "110113", 5, "", 0.25),
    "SY-C6": (12, "110113", 5, "", 0.25), "SY-C7": (12, "110113", 5, "", 0.25),
    "HD-PD": (25, "110108", 0, "", 0.3),
    "HD-XS-KD": (30, "110108", 0, "courier", 0.15),
    "CY-SLT-RIDER": (60, "110105", 0, "mixed", 0.1),
    "JK-PHARMA": (60, "110115", 0, "", 0.45),
    "BCEG-INV": (40, "110102", 0, "", 0.3),
    "JH": (30, "110106", 0, "", 0.2),
}
TRADES = {
    "SY-SZKG": ["燃气管道工", "电工", "管理人员"], "SY-SZKG-GAS": ["燃气管道工", "燃气表装修工", "客服"],
    "HD-PD": ["民警", "辅警"], "JK-PHARMA": ["药物研发", "质量检验", "生产操作", "行政"],
    "BCEG-INV": ["造价员", "施工员", "安全员", "财务"], "JH": ["保安员", "安检员"],
}
EMPLOYERS = {
    "HD-XS-KD": ["顺丰速运", "京东物流", "中通快递", "韵达快递"],
    "CY-SLT-RIDER": ["美团", "饿了么", "顺丰同城", "闪送", "韵达快递"],
    "JK-PHARMA": ["北京康华生物医药有限公司", "北京和元制药有限公司", "北京诺源医疗科技有限公司"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文欧阳"
GIVEN_M = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林阳晨"
GIVEN_F = "芳娜敏静丽艳娟霞燕玲桂英秀兰红梅琳洁雪慧婷倩颖晶莹璐佳琪悦"

DEMO_STAFF = [("sy_staff", "SY"), ("hd_staff", "HD"), ("cy_staff", "CY"), ("jk_staff", "JK")]


def _demo_password() -> str:
    path = settings.DATA_DIR / "demo-password.txt"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def _id_number(rng: random.Random, area: str, female: bool) -> str:
    birth = dt.date(1968, 1, 1) + dt.timedelta(days=rng.randrange(0, 35 * 365))
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_character(first17)


def _name(rng: random.Random, female: bool) -> str:
    surname = rng.choice(SURNAMES[:-2]) if rng.random() > 0.02 else "欧阳"
    pool = GIVEN_F if female else GIVEN_M
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2))))


def load(*, out) -> None:
    User = get_user_model()
    actor = User.objects.filter(is_superuser=True).order_by("id").first()
    created_orgs = 0
    for code, name, short, type_, parent_code, status in ORGS:
        if Organisation.objects.filter(code=code).exists():
            continue
        parent = Organisation.objects.get(code=parent_code) if parent_code else None
        services.org_create(actor=actor, parent=parent, code=code, name=name, short_name=short, type=type_,
                            status=status, address=ADDRESSES.get(code, ""),
                            founded_on=None if status == "preparing" else dt.date(2010, 5, 1))
        created_orgs += 1
    out.write(f"组织：{Organisation.objects.count()} 个（新建 {created_orgs}）")

    rng = random.Random(20250701)
    created = 0
    for code, (count, area, welders, new_form, women_share) in MEMBERS.items():
        org = Organisation.objects.get(code=code)
        for i in range(count):
            female = rng.random() < women_share
            name = _name(rng, female)
            if code == "SY-SZKG-GAS" and i == 0:
                name, female = "刘永涛", False
            id_number = _id_number(rng, area, female)
            phone = f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}"
            if i < welders:
                trade = "焊工"
            else:
                trade = rng.choice(TRADES.get(code, ["职工"]))
            nf = ""
            if new_form == "courier":
                nf, trade = "courier", "快递员"
            elif new_form == "mixed":
                nf = rng.choice(["courier", "food_delivery", "food_delivery", "ride_hailing"])
                trade = {"courier": "快递员", "food_delivery": "外卖配送员", "ride_hailing": "网约车司机"}[nf]
            employer = rng.choice(EMPLOYERS.get(code, [org.name.removesuffix("工会")]))
            joined = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650))
            if Member.objects.filter(id_number_hash=lookup_hash("id", id_number)).exists():
                continue
            services.member_create(
                actor=actor, org=org, name=name, id_number=id_number, phone=phone, employer=employer,
                trade=trade, joined_on=joined, new_form_type=nf, is_outdoor_worker=bool(nf) or trade == "燃气管道工",
            )
            created += 1
    out.write(f"会员：{Member.objects.count()} 人（新建 {created}）")

    password = _demo_password()
    for username, code in DEMO_STAFF:
        if not User.objects.filter(username=username).exists():
            services.staff_create(actor=actor, username=username, org=Organisation.objects.get(code=code),
                                  role="staff", password=password)
    rider = User.objects.filter(username="rider").first()
    if rider is None:
        rider = User.objects.create_user(username="rider", password=password)
        member = Member.objects.filter(org__code="CY-SLT-RIDER", user__isnull=True).order_by("id").first()
        if member is not None:
            member.user = rider
            member.save(update_fields=["user", "updated_at"])
    out.write(f"演示账号 sy_staff / hd_staff / cy_staff / jk_staff（区总工作人员）、rider（骑手会员），密码：{password}")
