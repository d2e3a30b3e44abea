"""Demo of the newspaper page's activities: the 京恒 museum visit (with credited photos), a 劳模工匠大讲堂
lecture of BCEG and the safety training before Shunyi's welding contest.

Idempotent: an activity is found by organiser and theme and, once there, left as it is. Everything is
written through the services, so the audit trail reads like real use. The photos are simple
illustrations drawn here with Pillow and captioned 示意图 — nothing is fetched from the network.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.orgs.models import Member, Organisation

from . import services
from .models import Activity

MUSEUM_THEME = "“重温抗战历史，增强实干精神”主题教育活动"
LECTURE_THEME = "劳模工匠大讲堂：附着式升降脚手架在第四代错层住宅中的应用"
TRAINING_THEME = "安全生产专题培训（“工匠杯”焊工技能竞赛赛前培训）"
CREDIT = "本报记者 孙妍 / 通讯员 田文江 摄影报道"
FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
WELDER_UNITS = ["SY-SZKG-GAS", "SY-C2", "SY-C3", "SY-C4", "SY-C5", "SY-C6", "SY-C7"]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _illustration(title: str, subtitle: str, palette: tuple[tuple[int, int, int], tuple[int, int, int]]) -> bytes:
    """A plain drawing of a memorial hall with a label: clearly an illustration, not a photograph."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 1200, 800
    sky, stone = palette
    img = Image.new("RGB", (w, h), sky)
    d = ImageDraw.Draw(img)
    d.rectangle([0, 560, w, h], fill=(120, 120, 112))                       # square
    d.rectangle([260, 300, 940, 560], fill=stone)                           # hall
    d.polygon([(230, 300), (600, 190), (970, 300)], fill=tuple(c - 25 for c in stone))
    for x in range(300, 920, 78):                                           # columns
        d.rectangle([x, 330, x + 30, 560], fill=tuple(min(255, c + 25) for c in stone))
    d.rectangle([560, 440, 640, 560], fill=(60, 50, 45))                    # gate
    for i in range(14):                                                     # visitors
        x = 120 + i * 70
        d.ellipse([x, 600, x + 26, 626], fill=(40, 40, 40))
        d.rectangle([x - 4, 626, x + 30, 700], fill=(30, 60, 120) if i % 3 else (150, 30, 30))
    try:
        big = ImageFont.truetype(str(FONT), 46)
        small = ImageFont.truetype(str(FONT), 30)
    except OSError:
        big = small = ImageFont.load_default()
    d.rectangle([0, 0, w, 120], fill=(158, 16, 22))
    d.text((40, 28), title, fill=(255, 255, 255), font=big)
    d.rectangle([w - 190, h - 80, w - 20, h - 20], fill=(255, 255, 255))
    d.text((w - 170, h - 75), "示意图", fill=(158, 16, 22), font=big)
    d.text((40, h - 70), subtitle, fill=(255, 255, 255), font=small)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _members(codes: list[str], *, trade: str | None = None, limit: int | None = None) -> list[Member]:
    qs = Member.objects.select_related("org").filter(org__code__in=codes, status="active").order_by("id")
    if trade:
        qs = qs.filter(trade=trade)
    return list(qs[:limit] if limit else qs)


def _museum(actor, jh: Organisation, out) -> None:
    if Activity.objects.filter(org=jh, theme=MUSEUM_THEME).exists():
        out.write(f"活动：{MUSEUM_THEME}（已存在）\n")
        return
    day = dt.date(2025, 7, 4)
    starts = _at(day, 9)
    activity = services.activity_create(
        actor=actor, org=jh, theme=MUSEUM_THEME, kind="education",
        co_organisers="京恒（北京）保安服务有限公司党支部",
        description="组织公司党员干部和职工赴中国人民抗日战争纪念馆参观，重温抗战历史，"
                    "激励大家在工作中发扬抗战精神，勇于担当作为，为企业经营发展做出贡献。",
        place="中国人民抗日战争纪念馆（丰台区卢沟桥宛平城内街101号）",
        starts_at=starts, ends_at=_at(day, 12), capacity=24,
        signup_opens_at=_at(day - dt.timedelta(days=7), 9), signup_closes_at=_at(day - dt.timedelta(days=1), 18),
        cost=Decimal("1800.00"), budget_line="工会经费—职工活动支出（大巴租车）", status="published",
    )
    members = _members(["JH"])
    signed = []
    for i, member in enumerate(members[:27]):
        signed.append(services.signup_create(actor=actor, activity=activity, member=member,
                                             now=_at(day - dt.timedelta(days=6), 10, i)))
    # One confirmed member cannot go; the first on the waitlist gets the seat.
    services.signup_cancel(actor=actor, signup=signed[5], now=_at(day - dt.timedelta(days=3), 16))
    activity.refresh_from_db()
    attended = [s for s in activity.signups.filter(status="confirmed").order_by("seq")][:22]
    for i, signup in enumerate(attended):
        services.signup_checkin(actor=actor, signup=signup, method="card", now=_at(day, 8, 30 + i))
    services.activity_report_update(actor=actor, activity=activity, report_text=(
        "近日，京恒（北京）保安服务有限公司党支部、工会联合开展“重温抗战历史，增强实干精神”主题教育活动，"
        "组织该公司党员干部和职工赴中国人民抗日战争纪念馆参观。\n"
        "大家认真观看展陈，重温中国人民抗日战争的光辉历史，进一步激励广大党员干部和职工在工作中发扬抗战精神，"
        "勇于担当作为，为企业经营发展做出贡献。"
    ))
    for caption, palette in [
        ("京恒公司党员干部和职工在中国人民抗日战争纪念馆前集合（示意图）", ((196, 214, 230), (178, 160, 140))),
        ("职工参观展陈，重温抗战历史（示意图）", ((220, 206, 190), (150, 140, 130))),
    ]:
        data = _illustration("重温抗战历史  增强实干精神", "京恒（北京）保安服务有限公司", palette)
        services.photo_add(actor=actor, activity=activity, image=SimpleUploadedFile("demo.jpg", data, "image/jpeg"),
                           caption=caption, credit=CREDIT)
    services.activity_set_status(actor=actor, activity=activity, status="finished")
    out.write(f"活动：{MUSEUM_THEME}，报名{len(signed)}人（候补递补1人），签到{len(attended)}人，照片2张\n")


def _lecture(actor, bceg: Organisation, out) -> None:
    if Activity.objects.filter(org=bceg, theme=LECTURE_THEME).exists():
        out.write(f"活动：{LECTURE_THEME}（已存在）\n")
        return
    day = timezone.localdate() + dt.timedelta(days=14)
    activity = services.activity_create(
        actor=actor, org=bceg, theme=LECTURE_THEME, kind="lecture",
        co_organisers="建设“好房子”职工创新工作室联盟",
        description="由全国劳动模范、联盟发起人主讲，结合首批重点攻关课题，介绍附着式升降脚手架在第四代错层住宅中的应用。",
        place="北京建工集团职工创新工作室报告厅", starts_at=_at(day, 14), ends_at=_at(day, 16, 30), capacity=60,
        cost=Decimal("2000.00"), budget_line="工会经费—职工教育支出", status="published",
    )
    members = _members(["BCEG-INV"], limit=18)
    for member in members:
        services.signup_create(actor=actor, activity=activity, member=member)
    out.write(f"活动：{LECTURE_THEME}，已报名{len(members)}人\n")


def _training(actor, sy: Organisation, out) -> None:
    if Activity.objects.filter(org=sy, theme=TRAINING_THEME).exists():
        out.write(f"活动：{TRAINING_THEME}（已存在）\n")
        return
    units = list(Organisation.objects.filter(code__in=WELDER_UNITS))
    day = timezone.localdate() + dt.timedelta(days=7)
    activity = services.activity_create(
        actor=actor, org=sy, theme=TRAINING_THEME, kind="training",
        co_orgs=[o for o in Organisation.objects.filter(code="SY-SZKG")],
        co_organisers="顺义区人力资源和社会保障局",
        description="竞赛前的安全生产专题培训：焊接作业安全规程、动火作业审批、个人防护与应急处置。",
        place="顺义区职工服务中心培训教室", starts_at=_at(day, 9), ends_at=_at(day, 17), capacity=40,
        audience_type="units", audience_units=units,
        signup_closes_at=_at(day - dt.timedelta(days=1), 17),
        cost=Decimal("6400.00"), budget_line="职工教育经费—技能培训", status="published",
    )
    welders = _members(WELDER_UNITS, trade="焊工")
    for member in welders[:38]:
        services.signup_create(actor=actor, activity=activity, member=member)
    out.write(f"活动：{TRAINING_THEME}，面向7家企业焊工，已报名{min(38, len(welders))}人\n")


def load(*, out) -> None:
    actor = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=["JH", "BCEG", "SY"])}
    if actor is None or len(orgs) < 3:
        out.write("活动演示数据：缺少组织演示数据，跳过\n")
        return
    _museum(actor, orgs["JH"], out)
    _lecture(actor, orgs["BCEG"], out)
    _training(actor, orgs["SY"], out)
