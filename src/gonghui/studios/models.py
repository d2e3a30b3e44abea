"""Worker innovation studios (职工创新工作室), their alliances, topics, achievements and talent work."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import (
    AchievementKind,
    AllianceType,
    ApplicationStep,
    BatchStatus,
    CheckOutcome,
    Honour,
    MentorshipStatus,
    PatentType,
    StudioLevel,
    StudioStatus,
    TopicStatus,
    WorkArea,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")
USER = settings.AUTH_USER_MODEL


def _in(field: str, choices) -> Q:
    return Q(**{f"{field}__in": choices.values})


# ---------------------------------------------------------------- studios (S1, S2)


class Studio(models.Model):
    """职工创新工作室: led by a model worker, craftsman or chief technician, hosted by a union."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="studios",
                            verbose_name=_("依托单位工会"))
    name = models.CharField(_("工作室名称"), max_length=200)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    leader = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="led_studios",
                               verbose_name=_("领衔人"))
    leader_honour = models.CharField(_("领衔人荣誉"), max_length=20, choices=Honour.choices)
    leader_title = models.CharField(_("荣誉称号全称"), max_length=100, blank=True,
                                    help_text=_("如：全国劳动模范、北京大工匠"))
    level = models.CharField(_("级别"), max_length=12, choices=StudioLevel.choices)
    recognized_on = models.DateField(_("命名日期"), null=True, blank=True)
    specialties = models.CharField(_("专业领域"), max_length=300, blank=True)
    venue = models.CharField(_("场所"), max_length=300, blank=True)
    equipment = models.TextField(_("设备设施"), blank=True)
    rules = models.TextField(_("管理制度"), blank=True)
    funding = models.DecimalField(_("年度经费（元）"), default=ZERO, **MONEY)
    status = models.CharField(_("状态"), max_length=10, choices=StudioStatus.choices, default=StudioStatus.PENDING)
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("职工创新工作室")
        verbose_name_plural = _("职工创新工作室")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="studios_studio_unique_name",
                                    violation_error_message=_("该单位已有同名工作室")),
            models.CheckConstraint(condition=Q(funding__gte=0), name="studios_studio_funding_nonneg",
                                   violation_error_message=_("经费不能为负数")),
            models.CheckConstraint(condition=_in("level", StudioLevel), name="studios_studio_level_valid",
                                   violation_error_message=_("未知的工作室级别")),
            models.CheckConstraint(condition=_in("status", StudioStatus), name="studios_studio_status_valid",
                                   violation_error_message=_("未知的工作室状态")),
            models.CheckConstraint(condition=_in("leader_honour", Honour), name="studios_studio_honour_valid",
                                   violation_error_message=_("领衔人须为劳模、工匠或首席技师")),
        ]

    def __str__(self) -> str:
        return self.name


class StudioMember(models.Model):
    """A member of a studio's team; history kept by joined_on/left_on."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="team", verbose_name=_("工作室"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="studio_teams",
                               verbose_name=_("成员"))
    role = models.CharField(_("分工"), max_length=60, blank=True)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作室成员")
        verbose_name_plural = _("工作室成员")
        ordering = ["studio", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "member"], condition=Q(left_on__isnull=True),
                                    name="studios_studiomember_one_active",
                                    violation_error_message=_("该会员已是本工作室成员")),
        ]

    def __str__(self) -> str:
        return f"{self.studio_id}:{self.member_id}"


class RecognitionBatch(models.Model):
    """A yearly recognition batch (年度命名批次) run by a union for one level."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="studio_batches",
                            verbose_name=_("组织单位"))
    year = models.PositiveIntegerField(_("年度"))
    level = models.CharField(_("命名级别"), max_length=12, choices=StudioLevel.choices)
    title = models.CharField(_("批次名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    named_on = models.DateField(_("命名日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("命名批次")
        verbose_name_plural = _("命名批次")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "level"], name="studios_recognitionbatch_unique",
                                    violation_error_message=_("该单位本年度已有该级别的命名批次")),
            models.CheckConstraint(condition=Q(notice_end__isnull=True) | Q(notice_end__gte=F("notice_start")),
                                   name="studios_recognitionbatch_notice_order",
                                   violation_error_message=_("公示结束日期不能早于开始日期")),
        ]

    def __str__(self) -> str:
        return self.title


class RecognitionApplication(models.Model):
    """One studio's application in a batch, step by step: each step with its actor and date."""

    batch = models.ForeignKey(RecognitionBatch, on_delete=models.CASCADE, related_name="applications",
                              verbose_name=_("批次"))
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="applications",
                               verbose_name=_("工作室"))
    step = models.CharField(_("环节"), max_length=12, choices=ApplicationStep.choices,
                            default=ApplicationStep.APPLIED)
    materials = models.TextField(_("申报材料"), blank=True)
    applied_at = models.DateTimeField(_("申报时间"), auto_now_add=True)
    recommended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                       verbose_name=_("推荐人"))
    recommended_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    recommendation = models.TextField(_("推荐意见"), blank=True)
    review_score = models.DecimalField(_("评审得分"), max_digits=5, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))])
    review_opinion = models.TextField(_("评审意见"), blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("评审人"))
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decision_note = models.TextField(_("决定意见"), blank=True)
    named_at = models.DateTimeField(_("命名时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("命名申报")
        verbose_name_plural = _("命名申报")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "studio"], name="studios_recognitionapplication_unique",
                                    violation_error_message=_("该工作室已在本批次申报")),
            models.CheckConstraint(condition=Q(review_score__isnull=True) | (Q(review_score__gte=0) & Q(
                review_score__lte=100)), name="studios_recognitionapplication_score_range",
                violation_error_message=_("评审得分须在0到100之间")),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.studio_id}"


class StudioCheck(models.Model):
    """The yearly results check (年度考核) of one studio: one row per studio and year."""

    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="checks", verbose_name=_("工作室"))
    year = models.PositiveIntegerField(_("年度"))
    result_count = models.PositiveIntegerField(_("当年成果数"))
    outcome = models.CharField(_("结论"), max_length=10, choices=CheckOutcome.choices)
    status_before = models.CharField(_("考核前状态"), max_length=10, choices=StudioStatus.choices)
    status_after = models.CharField(_("考核后状态"), max_length=10, choices=StudioStatus.choices)
    checked_at = models.DateTimeField(_("考核时间"), auto_now_add=True)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("年度成果考核")
        verbose_name_plural = _("年度成果考核")
        ordering = ["-year", "studio_id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "year"], name="studios_studiocheck_once_a_year",
                                    violation_error_message=_("该工作室本年度已考核")),
        ]

    def __str__(self) -> str:
        return f"{self.studio_id}@{self.year}: {self.outcome}"


# ---------------------------------------------------------------- alliances (S3)



class Alliance(models.Model):
    """职工创新工作室联盟 with its configurable review rules."""

    name = models.CharField(_("联盟名称"), max_length=200, unique=True)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    type = models.CharField(_("联盟类型"), max_length=10, choices=AllianceType.choices)
    host_org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="studio_alliances",
                                 verbose_name=_("牵头工会"))
    lead_studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="led_alliances", verbose_name=_("牵头工作室"))
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    required_reviews = models.PositiveSmallIntegerField(_("立项所需评审数"), default=3)
    approval_line = models.DecimalField(_("立项分数线"), max_digits=5, decimal_places=2, default=Decimal("75"))
    expected_joint_projects = models.PositiveSmallIntegerField(_("年度联合项目目标"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("创新工作室联盟")
        verbose_name_plural = _("创新工作室联盟")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.CheckConstraint(condition=_in("type", AllianceType), name="studios_alliance_type_valid",
                                   violation_error_message=_("未知的联盟类型")),
            models.CheckConstraint(condition=Q(required_reviews__gte=1), name="studios_alliance_reviews_min",
                                   violation_error_message=_("立项至少需要1份评审")),
            models.CheckConstraint(condition=Q(approval_line__gte=0) & Q(approval_line__lte=100),
                                   name="studios_alliance_line_range",
                                   violation_error_message=_("立项分数线须在0到100之间")),
        ]

    def __str__(self) -> str:
        return self.name


class CharterVersion(models.Model):
    """One version of an alliance's charter (章程): text, attachment, who approved it and when."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="charters",
                                 verbose_name=_("联盟"))
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("正文"))
    attachment = models.FileField(_("附件"), upload_to="studios/charters/%Y/", blank=True)
    approved_by = models.CharField(_("审议通过机构"), max_length=200, blank=True)
    approved_on = models.DateField(_("通过日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("联盟章程")
        verbose_name_plural = _("联盟章程")
        ordering = ["alliance", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "version"], name="studios_charterversion_unique",
                                    violation_error_message=_("该版本号已存在")),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class AllianceMembership(models.Model):
    """A studio's membership of an alliance: joined and left by recorded decisions (增补 = replaces)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="memberships",
                                 verbose_name=_("联盟"))
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="alliance_memberships",
                               verbose_name=_("成员工作室"))
    joined_on = models.DateField(_("加入日期"))
    join_decision = models.CharField(_("加入决定"), max_length=200)
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    leave_decision = models.CharField(_("退出决定"), max_length=200, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="replaced_by", verbose_name=_("增补替代"))

    class Meta:
        verbose_name = _("联盟成员")
        verbose_name_plural = _("联盟成员")
        ordering = ["alliance", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "studio"], condition=Q(left_on__isnull=True),
                                    name="studios_alliancemembership_one_active",
                                    violation_error_message=_("该工作室已是联盟成员")),
            models.CheckConstraint(condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                                   name="studios_alliancemembership_dates",
                                   violation_error_message=_("退出日期不能早于加入日期")),
        ]

    def __str__(self) -> str:
        return f"{self.alliance_id}:{self.studio_id}"


class AllianceOfficer(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="officers",
                                 verbose_name=_("联盟"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员"))
    title = models.CharField(_("职务"), max_length=60)
    since = models.DateField(_("任职日期"))
    until = models.DateField(_("离任日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("联盟负责人")
        verbose_name_plural = _("联盟负责人")
        ordering = ["alliance", "since", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "member", "title"], condition=Q(until__isnull=True),
                                    name="studios_allianceofficer_one_active",
                                    violation_error_message=_("该会员已担任此职务")),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.member_id}"



class Agreement(models.Model):
    """An agreement signed between member studios (签约)."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="agreements",
                                 verbose_name=_("联盟"))
    title = models.CharField(_("协议名称"), max_length=200)
    signed_on = models.DateField(_("签约日期"))
    parties = models.ManyToManyField(Studio, related_name="agreements", verbose_name=_("签约工作室"))
    text = models.TextField(_("协议内容"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="studios/agreements/%Y/", blank=True)

    class Meta:
        verbose_name = _("合作协议")
        verbose_name_plural = _("合作协议")
        ordering = ["-signed_on", "id"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------- topics (S4)



class Topic(models.Model):
    """课题: from application through review and approval to acceptance."""

    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="topics", verbose_name=_("联盟"))
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="topics",
                               verbose_name=_("牵头工作室"))
    title = models.CharField(_("课题名称"), max_length=200)
    title_pinyin = models.CharField(max_length=400, blank=True, db_index=True)
    title_initials = models.CharField(max_length=100, blank=True, db_index=True)
    work_area = models.CharField(_("工作板块"), max_length=12, choices=WorkArea.choices)
    plan = models.TextField(_("研究计划"))
    budget = models.DecimalField(_("申请经费（元）"), **MONEY)
    approved_budget = models.DecimalField(_("批准经费（元）"), null=True, blank=True, **MONEY)
    starts_on = models.DateField(_("计划开始"), null=True, blank=True)
    ends_on = models.DateField(_("计划结束"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=TopicStatus.choices, default=TopicStatus.DRAFT,
                              db_index=True)
    applicant = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("申报人"))
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("立项决定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结题时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("课题")
        verbose_name_plural = _("课题")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_in("status", TopicStatus), name="studios_topic_status_valid",
                                   violation_error_message=_("未知的课题状态")),
            models.CheckConstraint(condition=_in("work_area", WorkArea), name="studios_topic_area_valid",
                                   violation_error_message=_("未知的工作板块")),
            models.CheckConstraint(condition=Q(budget__gte=0), name="studios_topic_budget_nonneg",
                                   violation_error_message=_("经费不能为负数")),
            models.CheckConstraint(condition=Q(approved_budget__isnull=True) | Q(approved_budget__gte=0),
                                   name="studios_topic_approved_budget_nonneg",
                                   violation_error_message=_("批准经费不能为负数")),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True)
                                   | Q(ends_on__gte=F("starts_on")), name="studios_topic_dates",
                                   violation_error_message=_("计划结束日期不能早于开始日期")),
        ]

    def __str__(self) -> str:
        return self.title


class TopicTeamMember(models.Model):
    """A member of a topic's team, with the studio they come from (cross-studio teams)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="team", verbose_name=_("课题"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("成员"))
    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="+", verbose_name=_("所在工作室"))
    role = models.CharField(_("分工"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("课题组成员")
        verbose_name_plural = _("课题组成员")
        ordering = ["topic", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "member"], name="studios_topicteammember_unique",
                                    violation_error_message=_("该成员已在课题组中")),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.member_id}"



class TopicReview(models.Model):
    """One expert's review of a topic: one per reviewer and topic, score 0–100."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("课题"))
    reviewer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审专家"))
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))])
    comment = models.TextField(_("评审意见"), blank=True)
    created_at = models.DateTimeField(_("评审时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课题评审")
        verbose_name_plural = _("课题评审")
        ordering = ["topic", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "reviewer"], name="studios_topicreview_once",
                                    violation_error_message=_("您已评审过该课题")),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100),
                                   name="studios_topicreview_score_range",
                                   violation_error_message=_("评分须在0到100之间")),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.reviewer_id} {self.score}"



class TopicEvent(models.Model):
    """The topic's timeline: every transition with date, actor, decision note and attachment."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events", verbose_name=_("课题"))
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=16, choices=TopicStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=TopicStatus.choices)
    actor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("操作人"))
    note = models.TextField(_("意见"), blank=True)
    attachment = models.FileField(_("附件"), upload_to="studios/topics/%Y/", blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课题进程")
        verbose_name_plural = _("课题进程")
        ordering = ["topic", "at", "id"]

    def __str__(self) -> str:
        return f"{self.topic_id}: {self.action} → {self.to_status}"


# ---------------------------------------------------------------- achievements



class Achievement(models.Model):
    """成果: patents, methods, standards, papers, awards and measured benefit."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="achievements",
                               verbose_name=_("工作室"))
    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="achievements", verbose_name=_("共享至联盟"))
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="achievements", verbose_name=_("来源课题"))
    kind = models.CharField(_("类别"), max_length=10, choices=AchievementKind.choices)
    title = models.CharField(_("成果名称"), max_length=200)
    title_pinyin = models.CharField(max_length=400, blank=True, db_index=True)
    title_initials = models.CharField(max_length=100, blank=True, db_index=True)
    achieved_on = models.DateField(_("取得日期"))
    patent_number = models.CharField(_("专利号"), max_length=40, blank=True)
    patent_type = models.CharField(_("专利类型"), max_length=10, choices=PatentType.choices, blank=True,
                                   default="")
    description = models.TextField(_("说明"), blank=True)
    yuan_saved = models.DecimalField(_("节约/创效（元）"), default=ZERO, **MONEY)
    hours_saved = models.DecimalField(_("节约工时（小时）"), default=ZERO, max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("成果")
        verbose_name_plural = _("成果")
        ordering = ["-achieved_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=_in("kind", AchievementKind), name="studios_achievement_kind_valid",
                                   violation_error_message=_("未知的成果类别")),
            models.CheckConstraint(
                condition=~Q(kind=AchievementKind.PATENT) | (~Q(patent_number="") & Q(
                    patent_type__in=[PatentType.INVENTION, PatentType.UTILITY, PatentType.DESIGN])),
                name="studios_achievement_patent_fields",
                violation_error_message=_("专利须填写专利号和专利类型")),
            models.CheckConstraint(condition=Q(yuan_saved__gte=0) & Q(hours_saved__gte=0),
                                   name="studios_achievement_benefit_nonneg",
                                   violation_error_message=_("效益不能为负数")),
        ]

    def __str__(self) -> str:
        return self.title


class AchievementApplication(models.Model):
    """成果转化: where and when an achievement was applied, with its effect."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="applications",
                                    verbose_name=_("成果"))
    place = models.CharField(_("应用单位/项目"), max_length=200)
    applied_on = models.DateField(_("应用日期"))
    effect = models.TextField(_("应用效果"), blank=True)
    yuan_saved = models.DecimalField(_("创效（元）"), default=ZERO, **MONEY)
    hours_saved = models.DecimalField(_("节约工时（小时）"), default=ZERO, max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("成果转化")
        verbose_name_plural = _("成果转化")
        ordering = ["-applied_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(yuan_saved__gte=0) & Q(hours_saved__gte=0),
                                   name="studios_achievementapplication_benefit_nonneg",
                                   violation_error_message=_("效益不能为负数")),
        ]

    def __str__(self) -> str:
        return self.place


# ---------------------------------------------------------------- talent development (S5)



class Lecture(models.Model):
    """劳模工匠大讲堂 and similar lectures: sign-up up to capacity, attendance by member QR card."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="studio_lectures",
                            verbose_name=_("主办工会"))
    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="lectures", verbose_name=_("联盟"))
    studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="lectures", verbose_name=_("工作室"))
    title = models.CharField(_("讲座主题"), max_length=200)
    speaker = models.CharField(_("主讲人"), max_length=100)
    starts_at = models.DateTimeField(_("开始时间"))
    venue = models.CharField(_("地点"), max_length=200)
    capacity = models.PositiveIntegerField(_("名额"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("讲堂")
        verbose_name_plural = _("讲堂")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="studios_lecture_capacity_min",
                                   violation_error_message=_("名额至少为1")),
        ]

    def __str__(self) -> str:
        return self.title


class LectureSignup(models.Model):
    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="signups", verbose_name=_("讲堂"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("会员"))
    signed_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    attended_at = models.DateTimeField(_("签到时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("讲堂报名")
        verbose_name_plural = _("讲堂报名")
        ordering = ["lecture", "signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "member"], name="studios_lecturesignup_once",
                                    violation_error_message=_("该会员已报名本讲堂")),
        ]

    def __str__(self) -> str:
        return f"{self.lecture_id}:{self.member_id}"



class TrainingCourse(models.Model):
    """A skills training course (技能培训) run by a studio or alliance."""

    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="studio_trainings",
                            verbose_name=_("主办工会"))
    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="trainings", verbose_name=_("联盟"))
    studio = models.ForeignKey(Studio, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="trainings", verbose_name=_("工作室"))
    title = models.CharField(_("培训名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    trainees = models.PositiveIntegerField(_("培训人数"), default=0)
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("技能培训")
        verbose_name_plural = _("技能培训")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="studios_trainingcourse_dates",
                                   violation_error_message=_("结束日期不能早于开始日期")),
            models.CheckConstraint(condition=Q(hours__gt=0), name="studios_trainingcourse_hours_pos",
                                   violation_error_message=_("学时须大于0")),
        ]

    def __str__(self) -> str:
        return self.title


class Mentorship(models.Model):
    """名师带徒: a mentor and an apprentice with goals, progress notes and an outcome."""

    studio = models.ForeignKey(Studio, on_delete=models.PROTECT, related_name="mentorships",
                               verbose_name=_("工作室"))
    mentor = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("师傅"))
    apprentice = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("徒弟"))
    started_on = models.DateField(_("结对日期"))
    goals = models.TextField(_("培养目标"))
    status = models.CharField(_("状态"), max_length=10, choices=MentorshipStatus.choices,
                              default=MentorshipStatus.ACTIVE)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    outcome = models.TextField(_("培养成果"), blank=True)
    outcome_level = models.CharField(_("晋升等级"), max_length=40, blank=True, help_text=_("如：技师、高级技师"))

    class Meta:
        verbose_name = _("名师带徒")
        verbose_name_plural = _("名师带徒")
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=F("apprentice")), name="studios_mentorship_distinct",
                                   violation_error_message=_("师傅和徒弟不能是同一人")),
            models.UniqueConstraint(fields=["mentor", "apprentice"], condition=Q(status="active"),
                                    name="studios_mentorship_one_active",
                                    violation_error_message=_("该师徒已结对")),
            models.CheckConstraint(condition=_in("status", MentorshipStatus), name="studios_mentorship_status_valid",
                                   violation_error_message=_("未知的带徒状态")),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.apprentice_id}"



class MentorshipNote(models.Model):
    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE, related_name="notes",
                                   verbose_name=_("名师带徒"))
    noted_on = models.DateField(_("日期"))
    text = models.TextField(_("进展"))
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("带徒进展")
        verbose_name_plural = _("带徒进展")
        ordering = ["mentorship", "noted_on", "id"]

    def __str__(self) -> str:
        return f"{self.mentorship_id} {self.noted_on}"
