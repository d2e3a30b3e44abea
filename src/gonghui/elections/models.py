"""Founding plans, elections, candidates, attendance, rounds, secret ballots, reports and officers.

V10 by schema: `Ballot` has no voter column and no timestamp; `BallotIssue` (the voter list) records
only that a member received a ballot in a round, once (a database constraint).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import (
    AttendanceVia,
    Body,
    ElectionState,
    Mark,
    MeetingType,
    Method,
    PlanKind,
    PlanState,
    ReportState,
    RoundKind,
    TellerRole,
    ThresholdBase,
)


def default_term_years() -> list[int]:
    return list(rules.DEFAULT_TERM_YEARS)


def default_committee_sizes() -> list[list[int | None]]:
    return [list(row) for row in rules.DEFAULT_COMMITTEE_SIZES]


class RuleSet(models.Model):
    """The configurable rules (RULES.md), one per federation subtree; copied onto each election."""

    org = models.OneToOneField(
        "orgs.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="election_rule_set",
        verbose_name=_("适用组织"), help_text=_("空表示全市默认规则"),
    )
    name = models.CharField(_("名称"), max_length=100, default="默认选举规则")
    quorum_strict = models.BooleanField(_("到会须超过三分之二"), default=False,
                                        help_text=_("默认“三分之二以上”含本数"))
    threshold_base = models.CharField(_("过半数的基数"), max_length=10, choices=ThresholdBase.choices,
                                      default=ThresholdBase.DUE)
    competitive_pct = models.DecimalField(
        _("差额比例"), max_digits=5, decimal_places=4, default=rules.DEFAULT_COMPETITIVE_PCT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    term_years = models.JSONField(_("任期（年）"), default=default_term_years)
    committee_sizes = models.JSONField(_("委员会人数表"), default=default_committee_sizes)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("选举规则")
        verbose_name_plural = _("选举规则")
        constraints = [
            models.UniqueConstraint(fields=["name"], condition=Q(org__isnull=True),
                                    name="elections_ruleset_one_default",
                                    violation_error_message=_("默认规则只能有一套")),
            models.CheckConstraint(condition=Q(competitive_pct__gte=0) & Q(competitive_pct__lte=1),
                                   name="elections_ruleset_pct_range",
                                   violation_error_message=_("差额比例须在0到100%之间")),
        ]

    def __str__(self) -> str:
        return self.name


class ElectionPlan(models.Model):
    """The preparation of one meeting (成立或换届选举): its type, bodies, checks, approval by the higher union."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="election_plans",
                            verbose_name=_("工会"))
    kind = models.CharField(_("类型"), max_length=12, choices=PlanKind.choices, default=PlanKind.FOUNDING)
    title = models.CharField(_("会议名称"), max_length=200, blank=True)
    meeting_type = models.CharField(_("会议形式"), max_length=16, choices=MeetingType.choices,
                                    default=MeetingType.GENERAL)
    meeting_date = models.DateField(_("会议日期"), null=True, blank=True)
    members_count = models.PositiveIntegerField(_("会员人数"), default=0)
    women_count = models.PositiveIntegerField(_("女会员人数"), default=0)
    employees_count = models.PositiveIntegerField(_("职工人数"), default=0)
    delegates_count = models.PositiveIntegerField(_("代表人数"), default=0)
    women_delegates_count = models.PositiveIntegerField(_("女代表人数"), default=0)
    term_years = models.PositiveSmallIntegerField(_("任期（年）"), default=5)
    chair_by = models.CharField(_("主席、副主席产生方式"), max_length=10, default="committee",
                                choices=[("meeting", _("大会直接选举")), ("committee", _("委员会选举"))])
    state = models.CharField(_("状态"), max_length=12, choices=PlanState.choices, default=PlanState.DRAFT)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("批复人"))
    decided_at = models.DateTimeField(_("批复时间"), null=True, blank=True)
    decision_note = models.CharField(_("批复意见"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选举筹备方案")
        verbose_name_plural = _("选举筹备方案")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=PlanState.values), name="elections_electionplan_state_valid",
                                   violation_error_message=_("未知的方案状态")),
            models.CheckConstraint(condition=Q(women_count__lte=models.F("members_count")),
                                   name="elections_electionplan_women_le_members",
                                   violation_error_message=_("女会员人数不能多于会员人数")),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.org} {self.get_kind_display()}"


class Election(models.Model):
    """The election of one body at one meeting. Rule values are copied here when it is created."""

    plan = models.ForeignKey(ElectionPlan, on_delete=models.CASCADE, related_name="elections",
                             verbose_name=_("筹备方案"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="elections",
                            verbose_name=_("工会"))
    body = models.CharField(_("选举对象"), max_length=20, choices=Body.choices)
    seats = models.PositiveIntegerField(_("应选名额"))
    due = models.PositiveIntegerField(_("应到会有选举权人数"))
    method = models.CharField(_("选举方式"), max_length=12, choices=Method.choices)
    state = models.CharField(_("状态"), max_length=12, choices=ElectionState.choices, default=ElectionState.DRAFT)
    present_count = models.PositiveIntegerField(_("实到人数（手工录入）"), null=True, blank=True)
    not_filled = models.BooleanField(_("决定缺额不再选举"), default=False)
    # The rule set it was created under, and the values copied from it (a later change never rewrites a result).
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("规则来源"))
    quorum_strict = models.BooleanField(_("到会须超过三分之二"), default=False)
    threshold_base = models.CharField(_("过半数的基数"), max_length=10, choices=ThresholdBase.choices,
                                      default=ThresholdBase.DUE)
    competitive_pct = models.DecimalField(_("差额比例"), max_digits=5, decimal_places=4,
                                          default=rules.DEFAULT_COMPETITIVE_PCT)
    committee_min = models.PositiveIntegerField(_("委员会人数下限"), default=1)
    committee_max = models.PositiveIntegerField(_("委员会人数上限"), default=37)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("选举")
        verbose_name_plural = _("选举")
        ordering = ["plan_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(seats__gte=1), name="elections_election_seats_positive",
                                   violation_error_message=_("应选名额至少为1")),
            models.CheckConstraint(condition=Q(due__gte=1), name="elections_election_due_positive",
                                   violation_error_message=_("应到会人数至少为1")),
            models.CheckConstraint(condition=Q(body__in=Body.values), name="elections_election_body_valid",
                                   violation_error_message=_("未知的选举对象")),
            models.CheckConstraint(condition=Q(method__in=Method.values), name="elections_election_method_valid",
                                   violation_error_message=_("未知的选举方式")),
            models.CheckConstraint(condition=Q(state__in=ElectionState.values), name="elections_election_state_valid",
                                   violation_error_message=_("未知的选举状态")),
            models.CheckConstraint(condition=Q(present_count__isnull=True) | Q(present_count__lte=models.F("due")),
                                   name="elections_election_present_le_due",
                                   violation_error_message=_("实到人数不能多于应到人数")),
            models.UniqueConstraint(fields=["plan", "body"], name="elections_election_one_per_body",
                                    violation_error_message=_("同一次会议中每个机构只选举一次")),
        ]

    def __str__(self) -> str:
        return f"{self.org.display_name} {self.get_body_display()}"


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates",
                                 verbose_name=_("选举"))
    name = models.CharField(_("姓名"), max_length=60)
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("会员"))
    stroke_key = models.CharField(_("姓氏笔画序"), max_length=120, db_index=True, editable=False)
    relative_of_principal = models.BooleanField(_("企业主要负责人近亲属"), default=False)
    write_in = models.BooleanField(_("另选他人"), default=False)

    class Meta:
        verbose_name = _("候选人")
        verbose_name_plural = _("候选人")
        ordering = ["stroke_key", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="elections_candidate_unique_name",
                                    violation_error_message=_("该候选人已在名单中")),
            models.UniqueConstraint(fields=["election", "member"], condition=Q(member__isnull=False),
                                    name="elections_candidate_unique_member",
                                    violation_error_message=_("该会员已是候选人")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.stroke_key = rules.name_stroke_key(self.name)
        super().save(*args, **kwargs)


class Teller(models.Model):
    """监票人 / 计票人. V9: never a candidate of the same election (checked by the service under a row lock)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="tellers", verbose_name=_("选举"))
    name = models.CharField(_("姓名"), max_length=60)
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("会员"))
    role = models.CharField(_("职责"), max_length=12, choices=TellerRole.choices)

    class Meta:
        verbose_name = _("监票计票人")
        verbose_name_plural = _("监票计票人")
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "name"], name="elections_teller_unique_name",
                                    violation_error_message=_("此人已是监票人或计票人")),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class Attendance(models.Model):
    """One member present with the vote (scanned or ticked)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="attendance",
                                 verbose_name=_("选举"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员"))
    via = models.CharField(_("方式"), max_length=6, choices=AttendanceVia.choices)

    class Meta:
        verbose_name = _("到会")
        verbose_name_plural = _("到会")
        constraints = [
            models.UniqueConstraint(fields=["election", "member"], name="elections_attendance_once",
                                    violation_error_message=_("该会员已签到")),
        ]

    def __str__(self) -> str:
        return f"{self.election_id}: {self.member_id}"


class Round(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("选举"))
    number = models.PositiveSmallIntegerField(_("轮次"))
    kind = models.CharField(_("类型"), max_length=8, choices=RoundKind.choices, default=RoundKind.MAIN)
    seats = models.PositiveIntegerField(_("本轮名额"))
    candidates = models.ManyToManyField(Candidate, related_name="rounds", verbose_name=_("本轮候选人"))
    issued = models.PositiveIntegerField(_("发出选票"), null=True, blank=True)
    counted = models.BooleanField(_("已计票"), default=False)
    result = models.JSONField(_("计票结果"), null=True, blank=True)

    class Meta:
        verbose_name = _("投票轮次")
        verbose_name_plural = _("投票轮次")
        ordering = ["election_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="elections_round_unique_number",
                                    violation_error_message=_("轮次重复")),
            models.CheckConstraint(condition=Q(seats__gte=1), name="elections_round_seats_positive",
                                   violation_error_message=_("本轮名额至少为1")),
        ]

    def __str__(self) -> str:
        return f"{self.election} 第{self.number}轮"


class BallotIssue(models.Model):
    """The voter list: a member received a ballot in this round. Nothing links it to a Ballot."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="issues", verbose_name=_("轮次"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员"))

    class Meta:
        verbose_name = _("领票记录")
        verbose_name_plural = _("领票记录")
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="elections_ballotissue_once",
                                    violation_error_message=_("该会员本轮已领取选票")),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.member_id}"


class Ballot(models.Model):
    """One returned paper ballot: its round and its marks only (V10: no voter, no time)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("轮次"))
    void = models.BooleanField(_("废票"), default=False)

    class Meta:
        verbose_name = _("选票")
        verbose_name_plural = _("选票")

    def __str__(self) -> str:
        return f"选票 {self.pk}"


class BallotMark(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks", verbose_name=_("选票"))
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("候选人"))
    write_in = models.CharField(_("另选他人"), max_length=60, blank=True)
    mark = models.CharField(_("表决"), max_length=8, choices=Mark.choices)

    class Meta:
        verbose_name = _("选票标记")
        verbose_name_plural = _("选票标记")
        constraints = [
            models.CheckConstraint(
                condition=(Q(candidate__isnull=False) & Q(write_in=""))
                | (Q(candidate__isnull=True) & ~Q(write_in="") & Q(mark=Mark.YES)),
                name="elections_ballotmark_candidate_or_write_in",
                violation_error_message=_("每个标记要么是候选人，要么是另选的人（只能同意）"),
            ),
            models.CheckConstraint(condition=Q(mark__in=Mark.values), name="elections_ballotmark_mark_valid",
                                   violation_error_message=_("未知的表决意见")),
            models.UniqueConstraint(fields=["ballot", "candidate"], condition=Q(candidate__isnull=False),
                                    name="elections_ballotmark_once_per_candidate",
                                    violation_error_message=_("同一张选票上对同一候选人只能有一个意见")),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id or self.write_in}: {self.mark}"


class ElectionReport(models.Model):
    """选举结果报告 to the higher union, approved or returned by its staff (F5)."""

    plan = models.ForeignKey(ElectionPlan, on_delete=models.CASCADE, related_name="reports",
                             verbose_name=_("筹备方案"))
    to_org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("上级工会"))
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("报送人"))
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("批复人"))
    decided_at = models.DateTimeField(_("批复时间"), null=True, blank=True)
    note = models.CharField(_("批复意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("选举结果报告")
        verbose_name_plural = _("选举结果报告")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=~Q(state=ReportState.RETURNED),
                                    name="elections_electionreport_one_live",
                                    violation_error_message=_("该次选举已有待批复或已批准的报告")),
        ]

    def __str__(self) -> str:
        return f"{self.plan} 选举结果报告"


class Officer(models.Model):
    """An elected officer of a union with the term (F4), recorded on approval."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="officers",
                            verbose_name=_("工会"))
    election = models.ForeignKey(Election, on_delete=models.PROTECT, related_name="officers", verbose_name=_("选举"))
    body = models.CharField(_("机构"), max_length=20, choices=Body.choices)
    name = models.CharField(_("姓名"), max_length=60)
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("会员"))
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期届满"))

    class Meta:
        verbose_name = _("当选人员")
        verbose_name_plural = _("当选人员")
        ordering = ["org_id", "body", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gt=models.F("term_start")),
                                   name="elections_officer_term_order",
                                   violation_error_message=_("任期届满日须晚于开始日")),
            models.UniqueConstraint(fields=["election", "name"], name="elections_officer_once",
                                    violation_error_message=_("该人员已登记")),
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.name}"
