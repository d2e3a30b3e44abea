"""Demo: 2025年顺义区"工匠杯"焊工技能竞赛 final (40 welders, 7 companies), and a second trade to come.

Idempotent: each step looks at what already exists; running it twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from gonghui.orgs.models import Member, Organisation

from . import services
from .models import Contest, ContestSeries

SERIES_NAME = "2025年顺义区“工匠杯”职业技能竞赛"
WELD_NAME = "2025年顺义区“工匠杯”焊工技能竞赛决赛"
CNC_NAME = "2025年顺义区“工匠杯”数控机床操作工技能竞赛"
UNITS = ["SY-SZKG", "SY-SZKG-GAS", "SY-C2", "SY-C3", "SY-C4", "SY-C5", "SY-C6", "SY-C7"]
JUDGE_EMPLOYER = "顺义区职业技能鉴定指导中心"


def _user(username: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None)
        user.set_unusable_password()
        user.save()
    return user


def _entrants(orgs: list[Organisation]) -> list[Member]:
    members = list(Member.objects.filter(org__in=orgs, status="active").select_related("org")
                   .order_by("org__code", "name_pinyin", "id"))
    welders = [m for m in members if m.trade == "焊工"]
    others = [m for m in members if m.trade != "焊工"]
    chosen = welders[:40]
    # Fewer welders than 40: other members of the same unions, spread over the units.
    by_org: dict[int, list[Member]] = {}
    for m in others:
        by_org.setdefault(m.org_id, []).append(m)
    while len(chosen) < 40 and any(by_org.values()):
        for org_id in list(by_org):
            if by_org[org_id] and len(chosen) < 40:
                chosen.append(by_org[org_id].pop(0))
    liu = next((m for m in members if m.name == "刘永涛" and m.org.code == "SY-SZKG-GAS"), None)
    if liu is not None and liu not in chosen:
        chosen[-1] = liu
    return chosen


def load(*, out) -> None:
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).order_by("id").first()
    sy = Organisation.objects.filter(code="SY").first()
    orgs = list(Organisation.objects.filter(code__in=UNITS))
    if admin is None or sy is None or not orgs:
        out.write("技能竞赛：缺少顺义区组织或管理员账号，跳过\n")
        return
    series = ContestSeries.objects.filter(org=sy, name=SERIES_NAME, year=2025).first()
    if series is None:
        series = services.series_create(actor=admin, org=sy, name=SERIES_NAME, year=2025,
                                        co_organisers="顺义区人力资源和社会保障局",
                                        assisting="北京顺义市政控股集团有限公司工会")
    weld = Contest.objects.filter(series=series, trade="焊工").first()
    if weld is None:
        weld = services.contest_create(
            actor=admin, org=sy, series=series, name=WELD_NAME, trade="焊工",
            parts=[{"code": "theory", "name": "理论", "weight": "0.3"},
                   {"code": "practical", "name": "实操", "weight": "0.7"}],
            pass_mark="60", prizes={"mode": "count", "first": 2, "second": 3, "third": 5,
                                    "titles": {"first": "顺义工匠"}},
            tie_break=["time", "practical", "theory"], held_on=dt.date(2025, 7, 18),
            venue="北京顺义市政控股集团实训基地", registration_deadline=timezone.make_aware(dt.datetime(2025, 7, 10)),
        )
    if weld.contestants.count() == 0:
        for org in orgs:
            services.quota_set(actor=admin, contest=weld, org=org, limit=8 if org.code.startswith("SY-SZKG") else 6)
        for member in _entrants(orgs):
            services.contestant_register(actor=admin, contest=weld, member=member)
    if not weld.judges.exists():
        services.judge_assign(actor=admin, contest=weld, user=_user("hg_chief"), role="chief",
                              employer=JUDGE_EMPLOYER)
        for i in range(1, 5):
            services.judge_assign(actor=admin, contest=weld, user=_user(f"hg_judge{i}"), employer=JUDGE_EMPLOYER)
    weld.refresh_from_db()
    if not weld.contestants.exclude(blind_number="").exists():
        services.blind_numbers_assign(actor=admin, contest=weld)
    weld.refresh_from_db()
    if weld.locked_at is None:
        rng = random.Random(20250718)
        chief = _user("hg_chief")
        for c in weld.contestants.order_by("id"):
            theory = Decimal(rng.randint(6200, 9600)) / 100
            practical = Decimal(rng.randint(5800, 9500)) / 100
            seconds = rng.randint(2400, 3600)
            if c.name == "刘永涛":
                theory, practical, seconds = Decimal("93.5"), Decimal("96.25"), 2460
            services.score_submit(actor=admin, contest=weld, contestant=c, part="theory", score=theory)
            services.score_submit(actor=chief, contest=weld, contestant=c, part="practical", score=practical,
                                  time_seconds=seconds)
        services.scores_lock(actor=chief, contest=weld)
        weld.refresh_from_db()
    if weld.published_at is None:
        services.results_publish(actor=admin, contest=weld, notice_days=5)
        weld.refresh_from_db()
    services.certificates_issue(actor=admin, contest=weld)
    winners = weld.results.exclude(prize="").order_by("rank")
    firsts = "、".join(r.contestant.name for r in winners if r.prize == "first")
    out.write(f"技能竞赛：{WELD_NAME}，{weld.contestants.count()}名选手来自{len(orgs) - 1}家企业，"
              f"一等奖{sum(r.prize == 'first' for r in winners)}名（{firsts}，授予“顺义工匠”称号）、"
              f"二等奖{sum(r.prize == 'second' for r in winners)}名、三等奖{sum(r.prize == 'third' for r in winners)}名，"
              f"证书{weld.certificates.count()}张\n")

    cnc = Contest.objects.filter(series=series, trade="数控机床操作工").first()
    if cnc is None:
        cnc = services.contest_create(
            actor=admin, org=sy, series=series, name=CNC_NAME, trade="数控机床操作工",
            prizes={"mode": "percent", "first": 10, "second": 20, "third": 30},
            held_on=dt.date(2025, 10, 16), venue="顺义区职业技能公共实训基地",
            registration_deadline=timezone.make_aware(dt.datetime(2025, 9, 30)),
        )
        for member in Member.objects.filter(org__code__in=["SY-C6", "SY-C7"], status="active").exclude(
                contest_entries__contest=weld).order_by("org__code", "id")[:6]:
            services.contestant_register(actor=admin, contest=cnc, member=member)
    out.write(f"技能竞赛：{CNC_NAME}报名中，已报名{cnc.contestants.count()}人\n")
