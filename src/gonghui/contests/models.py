"""Skills competitions: series, events per trade, contestants, judges, criteria, scores, results.

Every rule of an event (parts and weights, pass line, tie-break chain, prize scheme, aggregation,
promotions, recusal scope) is stored on the event itself, a snapshot, so a later change of defaults
never rewrites a past result. Marks are stored as integer hundredths of a point: exact on SQLite and
PostgreSQL alike, and aggregated by the database without floating point.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    Aggregation,
    ContestantStatus,
    ContestStatus,
    CriterionKind,
    JudgeRole,
    RecusalScope,
)


def default_parts() -> list:
    return [{"code": "theory", "name": "理论", "weight": "0.3"},
            {"code": "practical", "name": "实操", "weight": "0.7"}]


def default_tie_break() -> list:
    return ["time", "practical", "theory"]


def default_prizes() -> dict:
    return {"mode": "count", "first": 1, "second": 2, "third": 3}


class ContestSeries(models.Model):
    """A competition series (e.g. 2025年顺义区"工匠杯"职业技能竞赛) grouping one event per trade."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="contest_series",
                            verbose_name=_("主办工会"))
    name = models.CharField(_("竞赛名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    co_organisers = models.CharField(_("联合主办"), max_length=300, blank=True)
    assisting = models.CharField(_("协办单位"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("竞赛")
        verbose_name_plural = _("竞赛")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name", "year"], name="contests_contestseries_unique",
                                    violation_error_message=_("同一主办工会同一年度已有同名竞赛")),
        ]

    def __str__(self) -> str:
        return self.name


class Contest(models.Model):
    """One event (one trade) of a competition, with all its rules recorded on it."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="contests",
                            verbose_name=_("主办工会"))
    series = models.ForeignKey(ContestSeries, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="events", verbose_name=_("所属竞赛"))
    name = models.CharField(_("赛项名称"), max_length=200)
    trade = models.CharField(_("工种"), max_length=60, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ContestStatus.choices,
                              default=ContestStatus.REGISTRATION)
    parts = models.JSONField(_("比赛部分及权重"), default=default_parts)
    pass_mark = models.DecimalField(_("及格线"), max_digits=6, decimal_places=2, default=Decimal(60))
    require_pass_for_prize = models.BooleanField(_("各部分均及格方可获奖"), default=False)
    prize_scheme = models.JSONField(_("奖项设置"), default=default_prizes)
    tie_break = models.JSONField(_("同分排序规则"), default=default_tie_break)
    aggregation = models.CharField(_("评价分计算方法"), max_length=20, choices=Aggregation.choices,
                                   default=Aggregation.MEAN)
    promotion_rules = models.JSONField(_("晋级与称号规则"), default=list, blank=True)
    recusal_scope = models.CharField(_("回避范围"), max_length=20, choices=RecusalScope.choices,
                                     default=RecusalScope.EMPLOYER)
    blind_layers = models.PositiveSmallIntegerField(_("加密层数"), default=1)
    total_places = models.PositiveSmallIntegerField(_("总分小数位"), default=2)
    registration_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    held_on = models.DateField(_("比赛日期"), null=True, blank=True)
    venue = models.CharField(_("比赛地点"), max_length=200, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("锁定人"))
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("赛项")
        verbose_name_plural = _("赛项")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ContestStatus.values),
                                   name="contests_contest_status_valid",
                                   violation_error_message=_("未知的赛项状态")),
            models.CheckConstraint(condition=Q(aggregation__in=Aggregation.values),
                                   name="contests_contest_aggregation_valid",
                                   violation_error_message=_("未知的评价分计算方法")),
            models.CheckConstraint(condition=Q(recusal_scope__in=RecusalScope.values),
                                   name="contests_contest_recusal_valid",
                                   violation_error_message=_("未知的回避范围")),
            models.CheckConstraint(condition=Q(blind_layers__in=[1, 2]), name="contests_contest_blind_layers",
                                   violation_error_message=_("加密层数只能是1或2")),
            models.CheckConstraint(condition=Q(pass_mark__gte=0), name="contests_contest_pass_mark_positive",
                                   violation_error_message=_("及格线不能为负数")),
            models.CheckConstraint(condition=Q(locked_at__isnull=True) | ~Q(status=ContestStatus.REGISTRATION),
                                   name="contests_contest_lock_status",
                                   violation_error_message=_("已锁定的赛项不能处于报名状态")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def part_codes(self) -> list[str]:
        return [p["code"] for p in self.parts]

    @property
    def weights(self) -> dict[str, Decimal]:
        return {p["code"]: Decimal(str(p["weight"])) for p in self.parts}

    def part_name(self, code: str) -> str:
        for p in self.parts:
            if p["code"] == code:
                return p.get("name") or code
        return code

    def part_pass_mark(self, code: str) -> Decimal:
        for p in self.parts:
            if p["code"] == code and p.get("pass_mark") not in (None, ""):
                return Decimal(str(p["pass_mark"]))
        return self.pass_mark


class Quota(models.Model):
    """How many contestants a unit may register for an event."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("赛项"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                            verbose_name=_("报名单位"))
    limit = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("报名名额")
        verbose_name_plural = _("报名名额")
        constraints = [
            models.UniqueConstraint(fields=["contest", "org"], name="contests_quota_unique",
                                    violation_error_message=_("该单位在此赛项已有名额")),
        ]


    def __str__(self) -> str:
        return f"{self.org_id}: {self.limit}"

class Contestant(models.Model):
    """A registration: a member of a union in the host's subtree, or (by API) a name and employer."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="contestants",
                                verbose_name=_("赛项"))
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="contest_entries", verbose_name=_("会员"))
    org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                            related_name="+", verbose_name=_("报名单位"))
    name = models.CharField(_("姓名"), max_length=60)
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    unit_key = models.CharField(_("回避单位标识"), max_length=200, blank=True)
    district_key = models.CharField(_("回避区域标识"), max_length=200, blank=True)
    status = models.CharField(_("审核状态"), max_length=20, choices=ContestantStatus.choices,
                              default=ContestantStatus.PENDING)
    blind_number = models.CharField(_("加密号"), max_length=12, blank=True)
    station_number = models.CharField(_("工位号"), max_length=12, blank=True)
    checked_in_at = models.DateTimeField(_("检录时间"), null=True, blank=True)
    time_seconds = models.PositiveIntegerField(_("完成用时（秒）"), null=True, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("报名人"))
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("参赛选手")
        verbose_name_plural = _("参赛选手")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "member"], condition=Q(member__isnull=False),
                                    name="contests_contestant_one_per_member",
                                    violation_error_message=_("该会员已报名此赛项")),
            models.UniqueConstraint(fields=["contest", "blind_number"], condition=~Q(blind_number=""),
                                    name="contests_contestant_blind_unique",
                                    violation_error_message=_("加密号在本赛项内重复")),
            models.UniqueConstraint(fields=["contest", "station_number"], condition=~Q(station_number=""),
                                    name="contests_contestant_station_unique",
                                    violation_error_message=_("工位号在本赛项内重复")),
            models.CheckConstraint(condition=Q(status__in=ContestantStatus.values),
                                   name="contests_contestant_status_valid",
                                   violation_error_message=_("未知的审核状态")),
        ]
        indexes = [models.Index(fields=["contest", "status"], name="contests_entry_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """What judges see: the station number (two layers) or the blind number."""
        return self.station_number or self.blind_number or "—"


class JudgeAssignment(models.Model):
    """A judge or the chief judge of an event; the unit keys drive recusal (C7)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="judges", verbose_name=_("赛项"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judging",
                             verbose_name=_("裁判账号"))
    role = models.CharField(_("角色"), max_length=10, choices=JudgeRole.choices, default=JudgeRole.JUDGE)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    employer_org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("所在单位工会"))
    unit_key = models.CharField(max_length=200, blank=True)
    district_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("裁判指派")
        verbose_name_plural = _("裁判指派")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "user"], name="contests_judgeassignment_unique",
                                    violation_error_message=_("该裁判已指派到此赛项")),
            models.UniqueConstraint(fields=["contest"], condition=Q(role=JudgeRole.CHIEF),
                                    name="contests_judgeassignment_one_chief",
                                    violation_error_message=_("每个赛项只能有一名裁判长")),
            models.CheckConstraint(condition=Q(role__in=JudgeRole.values), name="contests_judgeassignment_role_valid",
                                   violation_error_message=_("未知的裁判角色")),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.contest_id}"


class Criterion(models.Model):
    """A marking criterion of a judged part: measurement (objective) or judgement (subjective)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("赛项"))
    part = models.CharField(_("所属部分"), max_length=30, default="practical")
    code = models.CharField(_("编号"), max_length=20)
    name = models.CharField(_("评分项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=CriterionKind.choices, default=CriterionKind.JUDGEMENT)
    max_mark = models.DecimalField(_("满分"), max_digits=6, decimal_places=2)
    tolerance = models.DecimalField(_("允差"), max_digits=9, decimal_places=3, null=True, blank=True)
    zero_at = models.DecimalField(_("零分偏差"), max_digits=9, decimal_places=3, null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="contests_criterion_code_unique",
                                    violation_error_message=_("评分项编号在本赛项内重复")),
            models.CheckConstraint(condition=Q(max_mark__gt=0), name="contests_criterion_max_positive",
                                   violation_error_message=_("满分必须大于0")),
            models.CheckConstraint(condition=Q(kind__in=CriterionKind.values), name="contests_criterion_kind_valid",
                                   violation_error_message=_("未知的评分项类型")),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Score(models.Model):
    """A part score (criterion and judge empty) or one judge's mark on one criterion."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="scores", verbose_name=_("赛项"))
    contestant = models.ForeignKey(Contestant, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("选手"))
    part = models.CharField(_("部分"), max_length=30)
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="scores", verbose_name=_("评分项"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("裁判"))
    hundredths = models.IntegerField(_("分数（百分之一分）"))
    deviation = models.DecimalField(_("测量偏差"), max_digits=9, decimal_places=3, null=True, blank=True)
    judge_unit = models.CharField(max_length=200, blank=True)
    contestant_unit = models.CharField(max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("录入人"))
    updated_at = models.DateTimeField(_("录入时间"), auto_now=True)

    class Meta:
        verbose_name = _("成绩")
        verbose_name_plural = _("成绩")
        constraints = [
            models.UniqueConstraint(fields=["contestant", "part"], condition=Q(criterion__isnull=True),
                                    name="contests_score_one_part_score",
                                    violation_error_message=_("该选手此部分已有成绩")),
            models.UniqueConstraint(fields=["contestant", "criterion", "judge"], condition=Q(criterion__isnull=False),
                                    name="contests_score_one_mark_per_judge",
                                    violation_error_message=_("该裁判已为该选手此评分项打分")),
            models.CheckConstraint(condition=Q(criterion__isnull=True) | Q(judge__isnull=False),
                                   name="contests_score_mark_has_judge",
                                   violation_error_message=_("评分项打分必须记录裁判")),
            models.CheckConstraint(condition=Q(hundredths__gte=0), name="contests_score_not_negative",
                                   violation_error_message=_("分数不能为负数")),
            models.CheckConstraint(condition=Q(judge_unit="") | ~Q(judge_unit=F("contestant_unit")),
                                   name="contests_score_recusal",
                                   violation_error_message=_("裁判须回避本单位选手")),
        ]
        indexes = [
            models.Index(fields=["contest", "criterion"], name="contests_score_crit_idx"),
            # Covering index of the results aggregate: marks grouped by contestant and criterion.
            models.Index(fields=["contest", "contestant", "criterion", "hundredths"], name="contests_score_agg_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.contestant_id} {self.part} {self.hundredths}"

    @property
    def value(self) -> Decimal:
        return Decimal(self.hundredths) / 100


class Appeal(models.Model):
    """C8: a change after the lock, with its reason; the audit trail keeps the same."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("赛项"))
    contestant = models.ForeignKey(Contestant, on_delete=models.CASCADE, related_name="appeals",
                                   verbose_name=_("选手"))
    score = models.ForeignKey(Score, null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals",
                              verbose_name=_("成绩"))
    part = models.CharField(_("部分"), max_length=30)
    reason = models.TextField(_("申诉理由"))
    before_hundredths = models.IntegerField(_("原分数"), null=True)
    after_hundredths = models.IntegerField(_("新分数"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("处理人"))
    at = models.DateTimeField(_("处理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("成绩申诉")
        verbose_name_plural = _("成绩申诉")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="contests_appeal_reason_required",
                                   violation_error_message=_("申诉必须填写理由")),
        ]


    def __str__(self) -> str:
        return f"{self.contestant_id} {self.part}: {self.reason[:20]}"

class Result(models.Model):
    """The published result of one contestant (a snapshot taken when the results are published)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="results", verbose_name=_("赛项"))
    contestant = models.OneToOneField(Contestant, on_delete=models.CASCADE, related_name="result",
                                      verbose_name=_("选手"))
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"))
    prize = models.CharField(_("奖项"), max_length=10, blank=True)
    title = models.CharField(_("称号"), max_length=60, blank=True)
    promotion = models.CharField(_("晋级"), max_length=60, blank=True)
    passed = models.BooleanField(_("及格"))
    parts = models.JSONField(_("各部分成绩"), default=dict)

    class Meta:
        verbose_name = _("比赛结果")
        verbose_name_plural = _("比赛结果")
        ordering = ["rank", "id"]


    def __str__(self) -> str:
        return f"{self.contestant_id}: {self.rank}"

class Certificate(models.Model):
    """A certificate issued for a prize; its number is unique."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="certificates",
                                verbose_name=_("赛项"))
    contestant = models.OneToOneField(Contestant, on_delete=models.CASCADE, related_name="certificate",
                                      verbose_name=_("选手"))
    number = models.CharField(_("证书编号"), max_length=40, unique=True)
    issued_at = models.DateTimeField(_("颁发时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证书")
        verbose_name_plural = _("证书")
        ordering = ["number"]

    def __str__(self) -> str:
        return self.number
