"""Writes of skills competitions: one function per domain action, atomic and audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import audit, snapshot
from gonghui.core.choices import WRITE_ROLES, Role
from gonghui.core.errors import ConflictError, DomainError, NotFound, PermissionDeniedError
from gonghui.core.models import RoleAssignment
from gonghui.core.pinyin import name_pinyin
from gonghui.core.scope import forget_scope, has_role_on
from gonghui.core.validators import normalize_text
from gonghui.orgs.choices import MemberStatus
from gonghui.orgs.models import Member, Organisation

from . import rules
from .choices import (
    Aggregation,
    ContestantStatus,
    ContestStatus,
    CriterionKind,
    JudgeRole,
    PrizeMode,
    RecusalScope,
)
from .models import (
    Appeal,
    Certificate,
    Contest,
    Contestant,
    ContestSeries,
    Criterion,
    JudgeAssignment,
    Quota,
    Result,
    Score,
)

__all__ = [
    "blind_numbers_assign",
    "certificates_issue",
    "contest_create",
    "contestant_check_in",
    "contestant_decide",
    "contestant_register",
    "contestants_import",
    "read_workbook",
    "theory_import",
    "ImportFailed",
    "criterion_create",
    "judge_assign",
    "mark_submit",
    "names_reveal",
    "parse_mark",
    "quota_set",
    "results_publish",
    "score_appeal",
    "score_submit",
    "scores_lock",
    "series_create",
    "time_record",
]

CONTEST_FIELDS = ["name", "trade", "status", "parts", "pass_mark", "require_pass_for_prize", "prize_scheme",
                  "tie_break", "aggregation", "promotion_rules", "recusal_scope", "blind_layers",
                  "registration_deadline", "held_on", "venue", "locked_at", "published_at"]


# ---------------------------------------------------------------- helpers


def _require_host(actor: AbstractBaseUser, contest: Contest) -> None:
    """Staff or admin of the host (or above)."""
    if has_role_on(actor, contest.org, WRITE_ROLES):
        return
    from .selectors import contest_list

    if contest_list(actor=actor, roles=tuple(Role)).filter(pk=contest.pk).exists():
        raise PermissionDeniedError("permission_denied", _("只有主办单位工作人员可以执行此操作"))
    raise NotFound("not_found", _("未找到该赛项"))


def _assignment(actor: AbstractBaseUser, contest: Contest) -> JudgeAssignment | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return JudgeAssignment.objects.filter(contest=contest, user=actor).first()


def _require_not_locked(contest: Contest) -> None:
    if contest.locked_at is not None:
        raise ConflictError("locked", _("裁判长已锁定成绩，只能通过申诉修改"))


def parse_mark(value: Any, *, maximum: Decimal, field: str = "score") -> Decimal:
    """A mark from a string: a number with at most two decimals, 0 ≤ mark ≤ maximum."""
    try:
        mark = Decimal(normalize_text(str(value)))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("请输入数字分数")]})
    if not mark.is_finite():
        raise ValidationError({field: [_("请输入数字分数")]})
    if mark != mark.quantize(rules.CENT):
        raise ValidationError({field: [_("分数最多保留两位小数")]})
    if mark < 0 or mark > maximum:
        raise ValidationError({field: [_("分数应在0到{m}之间").format(m=rules.format_total(maximum))]})
    return mark


def _district_key(org: Organisation | None) -> str:
    """The district-level ancestor's path (tree depth 2), or the org itself above it."""
    if org is None:
        return ""
    return org.path[: Organisation.steplen * 2]


def _unit_keys(*, org: Organisation | None, employer: str) -> tuple[str, str]:
    """(employer key, district key) for recusal: the base union if known, else the employer's name."""
    if org is not None:
        return f"org:{org.code}", f"district:{_district_key(org)}"
    employer = normalize_text(employer)
    return (f"name:{employer}" if employer else ""), ""


def _recusal_key(contest: Contest, unit_key: str, district_key: str) -> str:
    if contest.recusal_scope == RecusalScope.DISTRICT and district_key:
        return district_key
    return unit_key


def _recused(contest: Contest, assignment: JudgeAssignment, contestant: Contestant) -> bool:
    if contest.recusal_scope == RecusalScope.DISTRICT:
        if assignment.district_key and assignment.district_key == contestant.district_key:
            return True
    if assignment.unit_key and assignment.unit_key == contestant.unit_key:
        return True
    # The same employer written by name on either side counts too.
    return bool(assignment.employer) and normalize_text(assignment.employer) == normalize_text(contestant.employer)


# ---------------------------------------------------------------- series and events


@transaction.atomic
def series_create(*, actor: AbstractBaseUser, org: Organisation, name: str, year: int,
                  co_organisers: str = "", assisting: str = "") -> ContestSeries:
    if not has_role_on(actor, org, WRITE_ROLES):
        raise PermissionDeniedError("permission_denied", _("您没有在该组织创建竞赛的权限"))
    series = ContestSeries(org=org, name=normalize_text(name), year=year,
                           co_organisers=normalize_text(co_organisers), assisting=normalize_text(assisting))
    series.full_clean()
    series.save()
    audit(actor=actor, action="contests.series.create", org=org, target=series, after=snapshot(series))
    return series


def _clean_parts(parts: Sequence[dict]) -> list[dict]:
    if not parts:
        raise ValidationError({"parts": [_("至少需要一个比赛部分")]})
    out, seen, total = [], set(), Decimal(0)
    for p in parts:
        code = normalize_text(str(p.get("code", ""))).lower()
        if not code or code == "time" or not code.replace("_", "").isalnum():
            raise ValidationError({"parts": [_("比赛部分代码无效：{c}").format(c=code)]})
        if code in seen:
            raise ValidationError({"parts": [_("比赛部分重复：{c}").format(c=code)]})
        seen.add(code)
        try:
            weight = Decimal(str(p.get("weight")))
        except (InvalidOperation, ValueError):
            raise ValidationError({"parts": [_("权重无效：{c}").format(c=code)]})
        if not weight.is_finite() or weight <= 0 or weight > 1:
            raise ValidationError({"parts": [_("权重应大于0且不超过1：{c}").format(c=code)]})
        total += weight
        item = {"code": code, "name": normalize_text(str(p.get("name") or "")) or
                {"theory": "理论", "practical": "实操", "defence": "答辩"}.get(code, code),
                "weight": str(weight)}
        if p.get("pass_mark") not in (None, ""):
            item["pass_mark"] = str(parse_mark(p["pass_mark"], maximum=Decimal(100), field="parts"))
        out.append(item)
    if total != 1:
        raise ValidationError({"parts": [_("各部分权重之和必须等于1（当前为{t}）").format(t=total)]})
    return out


def _clean_prizes(prizes: dict) -> dict:
    mode = prizes.get("mode", PrizeMode.COUNT)
    if mode not in PrizeMode.values:
        raise ValidationError({"prizes": [_("奖项设置方式只能是 count 或 percent")]})
    out: dict[str, Any] = {"mode": mode}
    for level in rules.PRIZE_LEVELS:
        if level not in prizes:
            continue
        try:
            value = Decimal(str(prizes[level]))
        except (InvalidOperation, ValueError):
            raise ValidationError({"prizes": [_("奖项名额无效")]})
        if value < 0 or (mode == PrizeMode.COUNT and value != value.to_integral_value()):
            raise ValidationError({"prizes": [_("获奖名额必须是非负整数")]})
        out[level] = int(value) if mode == PrizeMode.COUNT else str(value)
    if mode == PrizeMode.PERCENT and sum(Decimal(str(out.get(lv, 0))) for lv in rules.PRIZE_LEVELS) > 100:
        raise ValidationError({"prizes": [_("获奖比例之和不能超过100%")]})
    titles = prizes.get("titles") or {}
    if titles:
        out["titles"] = {k: normalize_text(str(v)) for k, v in titles.items() if k in rules.PRIZE_LEVELS and v}
    return out


@transaction.atomic
def contest_create(
    *,
    actor: AbstractBaseUser,
    org: Organisation,
    name: str,
    parts: Sequence[dict] | None = None,
    pass_mark: Decimal | str = Decimal(60),
    require_pass_for_prize: bool = False,
    prizes: dict | None = None,
    tie_break: Sequence[str] | None = None,
    trade: str = "",
    series: ContestSeries | None = None,
    aggregation: str = Aggregation.MEAN,
    promotion_rules: Sequence[dict] = (),
    recusal_scope: str = RecusalScope.EMPLOYER,
    blind_layers: int = 1,
    registration_deadline: dt.datetime | None = None,
    held_on: dt.date | None = None,
    venue: str = "",
    notice_days: int = 5,
) -> Contest:
    """Create one event with its rules recorded on it (C1–C5, C7, C9 snapshot)."""
    if not has_role_on(actor, org, WRITE_ROLES):
        if not has_role_on(actor, org, tuple(Role)):
            raise NotFound("not_found", _("未找到该组织"))
        raise PermissionDeniedError("permission_denied", _("您没有在该组织创建赛项的权限"))
    if series is not None and series.org_id != org.pk:
        raise ValidationError({"series": [_("赛项的主办工会必须与竞赛一致")]})
    clean_parts = _clean_parts(parts or [{"code": "theory", "weight": "0.3"}, {"code": "practical", "weight": "0.7"}])
    codes = [p["code"] for p in clean_parts]
    chain = [normalize_text(str(c)).lower() for c in (rules.DEFAULT_TIE_BREAK if tie_break is None else tie_break)]
    for item in chain:
        if item != "time" and item not in codes:
            raise ValidationError({"tie_break": [_("同分排序规则只能包含 time 或比赛部分代码：{c}").format(c=item)]})
    if len(set(chain)) != len(chain):
        raise ValidationError({"tie_break": [_("同分排序规则有重复项")]})
    promos = []
    for rule in promotion_rules or ():
        try:
            lo, hi = int(rule.get("from", 1)), int(rule.get("to", rule.get("from", 1)))
        except (TypeError, ValueError):
            raise ValidationError({"promotion_rules": [_("晋级规则的名次范围无效")]})
        if lo < 1 or hi < lo:
            raise ValidationError({"promotion_rules": [_("晋级规则的名次范围无效")]})
        promos.append({"from": lo, "to": hi, "title": normalize_text(str(rule.get("title", "") or "")),
                       "promotion": normalize_text(str(rule.get("promotion", "") or ""))})
    contest = Contest(
        org=org, series=series, name=normalize_text(name), trade=normalize_text(trade), parts=clean_parts,
        pass_mark=parse_mark(pass_mark, maximum=Decimal(100), field="pass_mark"),
        require_pass_for_prize=bool(require_pass_for_prize),
        prize_scheme=_clean_prizes(prizes or {"mode": "count", "first": 1, "second": 2, "third": 3}),
        tie_break=chain, aggregation=aggregation, promotion_rules=promos, recusal_scope=recusal_scope,
        blind_layers=blind_layers, registration_deadline=registration_deadline, held_on=held_on,
        venue=normalize_text(venue), notice_days=notice_days,
    )
    if not contest.name:
        raise ValidationError({"name": [_("请填写赛项名称")]})
    contest.full_clean()
    contest.save()
    audit(actor=actor, action="contests.contest.create", org=org, target=contest,
          after=snapshot(contest, CONTEST_FIELDS))
    return contest


@transaction.atomic
def quota_set(*, actor: AbstractBaseUser, contest: Contest, org: Organisation, limit: int) -> Quota:
    _require_host(actor, contest)
    if not org.path.startswith(contest.org.path):
        raise DomainError("not_eligible", _("报名单位必须是主办工会下属工会"))
    quota, _created = Quota.objects.update_or_create(contest=contest, org=org, defaults={"limit": limit})
    audit(actor=actor, action="contests.quota.set", org=contest.org, target=contest,
          after={"org": org.code, "limit": limit})
    return quota


# ---------------------------------------------------------------- registration


@transaction.atomic
def contestant_register(
    *,
    actor: AbstractBaseUser,
    contest: Contest,
    member: Member | None = None,
    name: str = "",
    employer: str = "",
) -> Contestant:
    """Register a contestant: a member of a union in the host's subtree (base unions register their
    own members within their quota before the deadline; the host's staff may register anyone and
    those registrations are approved at once), or, by the host, a name and employer."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    is_host = has_role_on(actor, contest.org, WRITE_ROLES)
    if contest.status != ContestStatus.REGISTRATION:
        raise ConflictError("registration_closed", _("该赛项已停止报名"))
    if contest.registration_deadline and timezone.now() > contest.registration_deadline and not is_host:
        raise ConflictError("deadline_passed", _("报名已截止"))
    org = None
    if member is not None:
        org = member.org
        if not org.path.startswith(contest.org.path):
            raise DomainError("not_eligible", _("{n}不是主办工会所辖工会的会员，不能报名").format(n=member.name))
        if member.status != MemberStatus.ACTIVE:
            raise DomainError("not_eligible", _("{n}的会员状态不是正常，不能报名").format(n=member.name))
        if not (is_host or has_role_on(actor, org, WRITE_ROLES)):
            raise NotFound("not_found", _("未找到该会员"))
        name = member.name
        employer = normalize_text(employer) or member.employer or org.name
        quota = Quota.objects.filter(contest=contest, org=org).first()
        if quota is not None:
            used = Contestant.objects.filter(contest=contest, org=org).exclude(
                status=ContestantStatus.REJECTED).count()
            if used >= quota.limit:
                raise ConflictError("quota_full", _("{o}的报名名额（{n}人）已用完").format(o=org.name, n=quota.limit))
        elif not is_host and contest.quotas.exists():
            raise DomainError("no_quota", _("{o}没有本赛项的报名名额").format(o=org.name))
        if Contestant.objects.filter(contest=contest, member=member).exists():
            raise ConflictError("already_registered", _("{n}已报名此赛项").format(n=member.name))
    else:
        if not is_host:
            raise PermissionDeniedError("permission_denied", _("只有主办单位可以登记非会员选手"))
        name, employer = normalize_text(name), normalize_text(employer)
        if not name:
            raise ValidationError({"name": [_("请填写选手姓名")]})
    unit_key, district_key = _unit_keys(org=org, employer=employer)
    contestant = Contestant(
        contest=contest, member=member, org=org, name=name, name_pinyin=name_pinyin(name)[0],
        employer=employer, unit_key=unit_key, district_key=district_key, registered_by=actor,
        status=ContestantStatus.APPROVED if is_host else ContestantStatus.PENDING,
    )
    contestant.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            contestant.save()
    except IntegrityError:
        raise ConflictError("already_registered", _("{n}已报名此赛项").format(n=name))
    audit(actor=actor, action="contests.contestant.register", org=org or contest.org, target=contestant,
          after=snapshot(contestant, ["contest", "member", "name", "employer", "status"]))
    return contestant


@transaction.atomic
def contestant_decide(*, actor: AbstractBaseUser, contestant: Contestant, approve: bool) -> Contestant:
    """The host approves or rejects a registration."""
    contestant = Contestant.objects.select_for_update().select_related("contest__org").get(pk=contestant.pk)
    _require_host(actor, contestant.contest)
    if contestant.contest.status != ContestStatus.REGISTRATION:
        raise ConflictError("registration_closed", _("该赛项已停止报名"))
    before = contestant.status
    contestant.status = ContestantStatus.APPROVED if approve else ContestantStatus.REJECTED
    contestant.save(update_fields=["status"])
    audit(actor=actor, action="contests.contestant.approve" if approve else "contests.contestant.reject",
          org=contestant.contest.org, target=contestant, before={"status": before},
          after={"status": contestant.status})
    return contestant


def _random_codes(count: int, digits: int, taken: set[str]) -> list[str]:
    rng = secrets.SystemRandom()
    out: list[str] = []
    while len(out) < count:
        code = f"{rng.randrange(10 ** (digits - 1), 10 ** digits)}"
        if code not in taken:
            taken.add(code)
            out.append(code)
    return out


@transaction.atomic
def blind_numbers_assign(*, actor: AbstractBaseUser, contest: Contest) -> int:
    """C6: give every approved contestant without one an unpredictable blind number (6 digits from
    `secrets`), and with two layers a station number drawn at random. Closes registration."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_host(actor, contest)
    _require_not_locked(contest)
    approved = list(Contestant.objects.select_for_update().filter(
        contest=contest, status=ContestantStatus.APPROVED).order_by("id"))
    need = [c for c in approved if not c.blind_number]
    taken = {c.blind_number for c in approved if c.blind_number}
    digits = max(6, len(str(len(approved) * 100)))
    for contestant, code in zip(need, _random_codes(len(need), digits, taken), strict=True):
        contestant.blind_number = code
    if contest.blind_layers == 2:
        used = {c.station_number for c in approved if c.station_number}
        free = [f"{i:03d}" for i in range(1, len(approved) + len(used) + 1) if f"{i:03d}" not in used]
        secrets.SystemRandom().shuffle(free)
        for contestant in approved:
            if not contestant.station_number:
                contestant.station_number = free.pop()
    Contestant.objects.bulk_update(approved, ["blind_number", "station_number"])
    if contest.status == ContestStatus.REGISTRATION:
        contest.status = ContestStatus.HELD
        contest.save(update_fields=["status"])
    audit(actor=actor, action="contests.blind.assign", org=contest.org, target=contest,
          after={"assigned": len(need), "layers": contest.blind_layers})
    return len(need)


@transaction.atomic
def contestant_check_in(*, actor: AbstractBaseUser, contestant: Contestant) -> Contestant:
    """Check-in (检录): record the time; the page then shows the station/blind number."""
    contestant = Contestant.objects.select_for_update().select_related("contest__org").get(pk=contestant.pk)
    _require_host(actor, contestant.contest)
    if contestant.status != ContestantStatus.APPROVED:
        raise DomainError("not_approved", _("{n}的报名未通过审核").format(n=contestant.name))
    if not contestant.blind_number:
        raise DomainError("no_blind_number", _("尚未生成加密号，请先抽签"))
    if contestant.checked_in_at is None:
        contestant.checked_in_at = timezone.now()
        contestant.save(update_fields=["checked_in_at"])
        audit(actor=actor, action="contests.contestant.check_in", org=contestant.contest.org, target=contestant)
    return contestant


# ---------------------------------------------------------------- judges and criteria


@transaction.atomic
def judge_assign(
    *,
    actor: AbstractBaseUser,
    contest: Contest,
    user: AbstractBaseUser,
    role: str = JudgeRole.JUDGE,
    employer: str = "",
    employer_org: Organisation | None = None,
) -> JudgeAssignment:
    """Assign a judge (C7). The judge's unit is the explicit one, else the linked member's union.
    Refused when the judge is a contestant of the event, or when every approved contestant would
    have to be recused (the judge could score no one)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_host(actor, contest)
    if role not in JudgeRole.values:
        raise ValidationError({"role": [_("未知的裁判角色")]})
    member = Member.objects.select_related("org").filter(user=user).first()
    if employer_org is None and not normalize_text(employer) and member is not None:
        employer_org = member.org
        employer = member.employer
    if member is not None and Contestant.objects.filter(contest=contest, member=member).exists():
        raise ConflictError("recusal", _("{u}是本赛项的参赛选手，不能担任裁判").format(u=user))
    unit_key, district_key = _unit_keys(org=employer_org, employer=employer)
    assignment = JudgeAssignment(contest=contest, user=user, role=role, employer=normalize_text(employer),
                                 employer_org=employer_org, unit_key=unit_key, district_key=district_key)
    approved = Contestant.objects.filter(contest=contest, status=ContestantStatus.APPROVED)
    if approved.exists() and all(_recused(contest, assignment, c) for c in approved):
        raise ConflictError("recusal", _("该裁判与全部选手同单位，须回避，不能指派"))
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        if role == JudgeRole.CHIEF and JudgeAssignment.objects.filter(contest=contest, role=JudgeRole.CHIEF).exists():
            raise ConflictError("chief_exists", _("每个赛项只能有一名裁判长"))
        raise ConflictError("already_assigned", _("该裁判已指派到此赛项"))
    # The judge role lets the account reach the API and pages; it reads nothing but its assignments.
    RoleAssignment.objects.get_or_create(user=user, org=contest.org, role=Role.JUDGE)
    forget_scope(user)
    audit(actor=actor, action="contests.judge.assign", org=contest.org, target=assignment,
          after=snapshot(assignment, ["user", "role", "employer", "employer_org", "unit_key"]))
    return assignment


@transaction.atomic
def criterion_create(*, actor: AbstractBaseUser, contest: Contest, code: str, name: str, max_mark: Decimal | str,
                     kind: str = CriterionKind.JUDGEMENT, part: str = "practical",
                     tolerance: Decimal | str | None = None, zero_at: Decimal | str | None = None,
                     order: int = 0) -> Criterion:
    _require_host(actor, contest)
    _require_not_locked(contest)
    if part not in contest.part_codes:
        raise ValidationError({"part": [_("未知的比赛部分：{p}").format(p=part)]})
    if Score.objects.filter(contestant__contest=contest, part=part, criterion__isnull=True).exists():
        raise ConflictError("part_scored", _("该部分已录入总成绩，不能再增加评分项"))
    criterion = Criterion(contest=contest, part=part, code=normalize_text(code), name=normalize_text(name),
                          kind=kind, max_mark=Decimal(str(max_mark)),
                          tolerance=None if tolerance in (None, "") else Decimal(str(tolerance)),
                          zero_at=None if zero_at in (None, "") else Decimal(str(zero_at)), order=order)
    if kind == CriterionKind.MEASUREMENT and criterion.tolerance is None:
        raise ValidationError({"tolerance": [_("测量类评分项必须填写允差")]})
    existing = sum((c.max_mark for c in contest.criteria.filter(part=part)), Decimal(0))
    if existing + criterion.max_mark > 100:
        raise ValidationError({"max_mark": [_("该部分评分项满分合计不能超过100分")]})
    criterion.full_clean()
    criterion.save()
    audit(actor=actor, action="contests.criterion.create", org=contest.org, target=criterion,
          after=snapshot(criterion))
    return criterion


# ---------------------------------------------------------------- scores


def _scorer(actor: AbstractBaseUser, contest: Contest) -> JudgeAssignment | None:
    """The actor's judge assignment, or None for host staff; anyone else is refused."""
    assignment = _assignment(actor, contest)
    if assignment is not None:
        return assignment
    _require_host(actor, contest)
    return None


def _check_contestant(contest: Contest, contestant: Contestant) -> None:
    if contestant.contest_id != contest.pk:
        raise NotFound("not_found", _("未找到该选手"))
    if contestant.status != ContestantStatus.APPROVED:
        raise DomainError("not_approved", _("该选手的报名未通过审核"))


@transaction.atomic
def score_submit(
    *,
    actor: AbstractBaseUser,
    contest: Contest,
    contestant: Contestant,
    part: str,
    score: Decimal | str,
    time_seconds: int | None = None,
) -> Score:
    """The direct score of a part (e.g. theory from the exam system). After the lock → 409."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_not_locked(contest)
    assignment = _scorer(actor, contest)
    _check_contestant(contest, contestant)
    if part not in contest.part_codes:
        raise ValidationError({"part": [_("未知的比赛部分：{p}").format(p=part)]})
    if contest.criteria.filter(part=part).exists():
        raise DomainError("part_has_criteria", _("该部分按评分项打分，请在评分页录入"))
    if assignment is not None and _recused(contest, assignment, contestant):
        raise ConflictError("recusal", _("裁判须回避本单位选手"))
    value = parse_mark(score, maximum=Decimal(100))
    existing = Score.objects.select_for_update().filter(contestant=contestant, part=part,
                                                         criterion__isnull=True).first()
    before = existing.hundredths if existing else None
    row = existing or Score(contest=contest, contestant=contestant, part=part)
    row.hundredths = int(value * 100)
    row.entered_by = actor
    row.judge_unit = _recusal_key(contest, assignment.unit_key, assignment.district_key) if assignment else ""
    row.contestant_unit = _recusal_key(contest, contestant.unit_key, contestant.district_key)
    row.save()
    if time_seconds is not None:
        _set_time(contestant, time_seconds)
    audit(actor=actor, action="contests.score.submit", org=contest.org, target=contestant,
          before={"part": part, "hundredths": before}, after={"part": part, "hundredths": row.hundredths})
    return row


def _set_time(contestant: Contestant, time_seconds: int) -> None:
    try:
        seconds = int(time_seconds)
    except (TypeError, ValueError):
        raise ValidationError({"time_seconds": [_("完成用时必须是整数秒")]})
    if seconds < 0:
        raise ValidationError({"time_seconds": [_("完成用时不能为负数")]})
    Contestant.objects.filter(pk=contestant.pk).update(time_seconds=seconds)
    contestant.time_seconds = seconds


@transaction.atomic
def time_record(*, actor: AbstractBaseUser, contest: Contest, contestant: Contestant, time_seconds: int) -> Contestant:
    """Completion time, the first tie-break after the total (C3)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_not_locked(contest)
    _scorer(actor, contest)
    _check_contestant(contest, contestant)
    before = contestant.time_seconds
    _set_time(contestant, time_seconds)
    audit(actor=actor, action="contests.time.record", org=contest.org, target=contestant,
          before={"time_seconds": before}, after={"time_seconds": contestant.time_seconds})
    return contestant


@transaction.atomic
def mark_submit(
    *,
    actor: AbstractBaseUser,
    contest: Contest,
    contestant: Contestant,
    criterion: Criterion,
    mark: Decimal | str | None = None,
    deviation: Decimal | str | None = None,
) -> Score:
    """One judge's mark on one criterion: a judgement mark (0–max, or 0–3 WorldSkills) or a measured
    deviation turned into a mark (C5). Only assigned judges; never for a recused contestant (C7)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_not_locked(contest)
    assignment = _assignment(actor, contest)
    if assignment is None:
        if has_role_on(actor, contest.org, tuple(Role)):
            raise PermissionDeniedError("not_judge", _("只有本赛项的裁判可以打分"))
        raise NotFound("not_found", _("未找到该赛项"))
    _check_contestant(contest, contestant)
    if criterion.contest_id != contest.pk:
        raise NotFound("not_found", _("未找到该评分项"))
    if _recused(contest, assignment, contestant):
        raise ConflictError("recusal", _("裁判须回避本单位选手"))
    dev = None
    if criterion.kind == CriterionKind.MEASUREMENT:
        if deviation in (None, ""):
            raise ValidationError({"deviation": [_("请填写测量偏差")]})
        try:
            dev = Decimal(normalize_text(str(deviation)))
        except (InvalidOperation, ValueError):
            raise ValidationError({"deviation": [_("测量偏差必须是数字")]})
        value = rules.measurement_mark(max_mark=criterion.max_mark, deviation=dev,
                                       tolerance=criterion.tolerance or Decimal(0), zero_at=criterion.zero_at)
    elif contest.aggregation == Aggregation.WORLDSKILLS:
        value = parse_mark(mark, maximum=Decimal(3), field="mark")
        if value != value.to_integral_value():
            raise ValidationError({"mark": [_("世赛评价分只能是0、1、2、3")]})
    else:
        value = parse_mark(mark, maximum=criterion.max_mark, field="mark")
    existing = Score.objects.select_for_update().filter(contestant=contestant, criterion=criterion,
                                                         judge=actor).first()
    before = existing.hundredths if existing else None
    row = existing or Score(contest=contest, contestant=contestant, part=criterion.part, criterion=criterion,
                            judge=actor)
    row.hundredths = int(value * 100)
    row.deviation = dev
    row.entered_by = actor
    row.judge_unit = _recusal_key(contest, assignment.unit_key, assignment.district_key)
    row.contestant_unit = _recusal_key(contest, contestant.unit_key, contestant.district_key)
    row.save()
    audit(actor=actor, action="contests.mark.submit", org=contest.org, target=row,
          before={"hundredths": before}, after={"criterion": criterion.code, "hundredths": row.hundredths})
    return row


@transaction.atomic
def scores_lock(*, actor: AbstractBaseUser, contest: Contest) -> Contest:
    """C8: the chief judge (or the host's staff) locks the scores; judged marks that disagree by more
    than one point (WorldSkills) must be re-scored first."""
    from .selectors import contest_results

    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    assignment = _assignment(actor, contest)
    if assignment is None or assignment.role != JudgeRole.CHIEF:
        _require_host(actor, contest)
    if contest.locked_at is not None:
        raise ConflictError("already_locked", _("成绩已锁定"))
    flagged = sum(len(r["flags"]) for r in contest_results(contest=contest))
    if flagged:
        raise ConflictError("rescore_needed", _("有{n}项评价分裁判间相差超过1分，须重新评分后再锁定").format(n=flagged))
    contest.locked_at = timezone.now()
    contest.locked_by = actor
    contest.status = ContestStatus.LOCKED
    contest.save(update_fields=["locked_at", "locked_by", "status"])
    audit(actor=actor, action="contests.scores.lock", org=contest.org, target=contest,
          after={"locked_at": contest.locked_at})
    return contest


@transaction.atomic
def score_appeal(
    *,
    actor: AbstractBaseUser,
    contest: Contest,
    contestant: Contestant,
    part: str,
    score: Decimal | str,
    reason: str,
    criterion: Criterion | None = None,
    judge: AbstractBaseUser | None = None,
) -> Appeal:
    """C8: after the lock a score changes only through an appeal with a reason (chief judge or host)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    assignment = _assignment(actor, contest)
    if assignment is None or assignment.role != JudgeRole.CHIEF:
        _require_host(actor, contest)
    if contest.locked_at is None:
        raise ConflictError("not_locked", _("成绩尚未锁定，请直接修改"))
    reason = normalize_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("申诉必须填写理由")]})
    _check_contestant(contest, contestant)
    if criterion is None:
        row = Score.objects.select_for_update().filter(contestant=contestant, part=part, criterion__isnull=True).first()
        value = parse_mark(score, maximum=Decimal(100))
        if row is None:
            row = Score(contest=contest, contestant=contestant, part=part,
                        contestant_unit=_recusal_key(contest, contestant.unit_key, contestant.district_key))
    else:
        row = Score.objects.select_for_update().filter(contestant=contestant, criterion=criterion, judge=judge).first()
        if row is None:
            raise NotFound("not_found", _("未找到该裁判的评分"))
        maximum = Decimal(3) if contest.aggregation == Aggregation.WORLDSKILLS and \
            criterion.kind == CriterionKind.JUDGEMENT else criterion.max_mark
        value = parse_mark(score, maximum=maximum)
        part = criterion.part
    before = row.hundredths if row.pk else None
    row.hundredths = int(value * 100)
    row.entered_by = actor
    row.save()
    appeal = Appeal(contest=contest, contestant=contestant, score=row, part=part, reason=reason,
                    before_hundredths=before, after_hundredths=row.hundredths, actor=actor)
    appeal.full_clean()
    appeal.save()
    audit(actor=actor, action="contests.score.appeal", org=contest.org, target=contestant,
          before={"part": part, "hundredths": before},
          after={"part": part, "hundredths": row.hundredths, "reason": reason})
    if contest.published_at is not None:
        _snapshot_results(contest)
    return appeal


# ---------------------------------------------------------------- results


def _snapshot_results(contest: Contest) -> int:
    from .selectors import contest_results

    rows = contest_results(contest=contest)
    Result.objects.filter(contest=contest).delete()
    Result.objects.bulk_create([
        Result(contest=contest, contestant_id=r["contestant"], total=r["total"], rank=r["rank"],
               prize=r["prize"] or "", title=r["title"], promotion=r["promotion"], passed=r["passed"],
               parts={k: (str(v) if v is not None else None) for k, v in r["parts"].items()})
        for r in rows
    ])
    return len(rows)


@transaction.atomic
def results_publish(*, actor: AbstractBaseUser, contest: Contest, notice_days: int | None = None) -> Contest:
    """Publish the results (公示) after the lock; the results are recorded as they stand."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_host(actor, contest)
    if contest.locked_at is None:
        raise ConflictError("not_locked", _("成绩锁定后才能公布"))
    if notice_days is not None:
        if int(notice_days) < 1:
            raise ValidationError({"notice_days": [_("公示期至少1天")]})
        contest.notice_days = int(notice_days)
    n = _snapshot_results(contest)
    first = contest.published_at is None
    contest.published_at = contest.published_at or timezone.now()
    contest.status = ContestStatus.PUBLISHED
    contest.save(update_fields=["published_at", "status", "notice_days"])
    audit(actor=actor, action="contests.results.publish" if first else "contests.results.republish",
          org=contest.org, target=contest, after={"results": n, "notice_days": contest.notice_days})
    return contest


@transaction.atomic
def certificates_issue(*, actor: AbstractBaseUser, contest: Contest) -> int:
    """Number and issue a certificate for every prize winner who has none (idempotent)."""
    contest = Contest.objects.select_for_update().get(pk=contest.pk)
    _require_host(actor, contest)
    if contest.published_at is None:
        raise ConflictError("not_published", _("结果公布后才能颁发证书"))
    year = (contest.held_on or contest.published_at.date()).year
    winners = list(Result.objects.filter(contest=contest).exclude(prize="").order_by("rank", "contestant_id"))
    have = set(Certificate.objects.filter(contest=contest).values_list("contestant_id", flat=True))
    n = Certificate.objects.filter(contest=contest).count()
    issued = 0
    for result in winners:
        if result.contestant_id in have:
            continue
        n += 1
        Certificate.objects.create(contest=contest, contestant_id=result.contestant_id,
                                   number=f"GH{year}-{contest.pk:04d}-{n:03d}")
        issued += 1
    if issued:
        audit(actor=actor, action="contests.certificates.issue", org=contest.org, target=contest,
              after={"issued": issued})
    return issued


def names_reveal(*, actor: AbstractBaseUser, contest: Contest, purpose: str = "") -> None:
    """C6: names are shown to judges only after the lock; every reveal is audited."""
    if contest.locked_at is None:
        raise ConflictError("not_locked", _("成绩锁定前不能显示选手姓名"))
    audit(actor=actor, action="contests.names.reveal", org=contest.org, target=contest,
          after={"purpose": purpose})


# ---------------------------------------------------------------- workbook imports


class ImportFailed(DomainError):
    """A workbook with errors: nothing was imported; `errors` lists (row, column, reason)."""

    def __init__(self, errors: list[tuple[int, str, str]]) -> None:
        super().__init__("import_failed", _("导入失败：{n}处错误，未导入任何数据").format(n=len(errors)),
                         errors=[{"row": r, "column": c, "reason": m} for r, c, m in errors])
        self.errors = errors


def read_workbook(data: bytes) -> list[list[str]]:
    """The first sheet's rows as text (python-calamine); numbers without a trailing .0."""
    import io

    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError):
        raise DomainError("bad_workbook", _("无法读取该文件，请上传 .xlsx 工作簿"))
    out = []
    for row in rows:
        cells = []
        for cell in row:
            if isinstance(cell, float) and cell.is_integer():
                cell = int(cell)
            cells.append(normalize_text(str(cell)) if cell is not None else "")
        out.append(cells)
    return out


def _header_index(header: list[str], names: dict[str, tuple[str, ...]]) -> dict[str, int]:
    index = {}
    for key, options in names.items():
        for i, title in enumerate(header):
            if title in options:
                index[key] = i
                break
    return index


@transaction.atomic
def contestants_import(*, actor: AbstractBaseUser, contest: Contest, data: bytes) -> int:
    """Bulk registration from a workbook, one row per contestant: 姓名, 身份证号码 or 会员卡号, 工作单位.
    All or nothing: every row is checked, errors name row, column and reason."""
    from gonghui.orgs.selectors import member_by_id_number

    rows = read_workbook(data)
    if not rows:
        raise DomainError("empty_workbook", _("工作簿是空的"))
    idx = _header_index(rows[0], {"name": ("姓名",), "id": ("身份证号码", "身份证号", "会员卡号", "证件号码"),
                                  "employer": ("工作单位", "单位")})
    missing = [t for k, t in (("name", "姓名"), ("id", "身份证号码或会员卡号")) if k not in idx]
    if missing:
        raise ImportFailed([(1, m, _("缺少此列")) for m in missing])
    errors: list[tuple[int, str, str]] = []
    count = 0
    for n, row in enumerate(rows[1:], start=2):
        def cell(k, row=row):
            return (row[idx[k]] if k in idx and idx[k] < len(row) else "")
        if not any(row):
            continue
        name, ident, employer = cell("name"), cell("id"), cell("employer")
        if not name:
            errors.append((n, "姓名", _("姓名不能为空")))
            continue
        member = None
        if len(ident) == 12 and ident.isdigit():
            member = Member.objects.select_related("org").filter(card_no=ident).first()
        elif ident:
            try:
                member = member_by_id_number(id_number=ident)
            except ValidationError:
                errors.append((n, "身份证号码", _("身份证号码无效")))
                continue
        if member is None:
            errors.append((n, "身份证号码", _("找不到该会员")))
            continue
        if member.name != name:
            errors.append((n, "姓名", _("姓名与会员信息不符（会员为{m}）").format(m=member.name)))
            continue
        try:
            with transaction.atomic():
                contestant_register(actor=actor, contest=contest, member=member, employer=employer)
            count += 1
        except DomainError as exc:
            errors.append((n, "姓名", exc.message))
        except ValidationError as exc:
            errors.append((n, "姓名", "；".join(exc.messages)))
    if errors:
        transaction.set_rollback(True)
        raise ImportFailed(errors)
    return count


@transaction.atomic
def theory_import(*, actor: AbstractBaseUser, contest: Contest, data: bytes, part: str = "theory") -> int:
    """Theory scores from the exam system's workbook, by blind number: 加密号, 成绩 (all or nothing)."""
    rows = read_workbook(data)
    if not rows:
        raise DomainError("empty_workbook", _("工作簿是空的"))
    idx = _header_index(rows[0], {"blind": ("加密号", "考号", "准考证号"), "score": ("成绩", "分数", "理论成绩")})
    missing = [t for k, t in (("blind", "加密号"), ("score", "成绩")) if k not in idx]
    if missing:
        raise ImportFailed([(1, m, _("缺少此列")) for m in missing])
    by_blind = {c.blind_number: c for c in contest.contestants.exclude(blind_number="")}
    errors: list[tuple[int, str, str]] = []
    count = 0
    for n, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue
        blind = row[idx["blind"]] if idx["blind"] < len(row) else ""
        score = row[idx["score"]] if idx["score"] < len(row) else ""
        contestant = by_blind.get(blind)
        if contestant is None:
            errors.append((n, "加密号", _("找不到加密号{b}").format(b=blind)))
            continue
        try:
            with transaction.atomic():
                score_submit(actor=actor, contest=contest, contestant=contestant, part=part, score=score)
            count += 1
        except DomainError as exc:
            if exc.code == "locked":
                raise
            errors.append((n, "成绩", exc.message))
        except ValidationError as exc:
            errors.append((n, "成绩", "；".join(exc.messages)))
    if errors:
        transaction.set_rollback(True)
        raise ImportFailed(errors)
    return count
