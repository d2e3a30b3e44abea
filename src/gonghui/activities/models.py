"""Activities and visits: the activity, its sign-ups (with waitlist and attendance) and its photos."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .choices import ActivityKind, ActivityStatus, AudienceType, CheckinMethod, SignupSource, SignupStatus


class Activity(models.Model):
    """活动: a themed activity organised by one or more unions (and free-text co-organisers)."""

    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="activities",
        verbose_name=_("主办工会"),
        help_text=_("活动归属的工会；统计与权限按此组织及其上级计算"),
    )
    co_orgs = models.ManyToManyField(
        "orgs.Organisation", blank=True, related_name="co_organised_activities",
        verbose_name=_("联合主办工会"),
    )
    co_organisers = models.TextField(
        _("其他主办单位"), blank=True,
        help_text=_("平台外的主办/协办单位，每行一个，例如：京恒（北京）保安服务有限公司党支部"),
    )
    theme = models.CharField(_("活动主题"), max_length=200)
    theme_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    theme_initials = models.CharField(max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("活动地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(
        _("名额"), null=True, blank=True, help_text=_("留空表示不限名额；报满后的报名进入候补"),
    )
    audience_type = models.CharField(
        _("参加对象"), max_length=10, choices=AudienceType.choices, default=AudienceType.SUBTREE,
    )
    audience_org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("面向组织"), help_text=_("该组织及其下级工会的会员可以报名；留空即主办工会"),
    )
    audience_units = models.ManyToManyField(
        "orgs.Organisation", blank=True, related_name="+", verbose_name=_("指定单位"),
        help_text=_("这些工会（含其下级工会）的会员可以报名"),
    )
    signup_opens_at = models.DateTimeField(_("报名开始"), null=True, blank=True,
                                           help_text=_("留空表示发布即可报名"))
    signup_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True,
                                            help_text=_("留空表示活动开始时截止"))
    cost = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2, default=Decimal("0"),
                               validators=[MinValueValidator(Decimal("0"), message=_("预算金额不能为负数"))])
    budget_line = models.CharField(_("预算科目"), max_length=100, blank=True,
                                   help_text=_("例如：工会经费—职工活动支出"))
    status = models.CharField(_("状态"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.DRAFT, db_index=True)
    # The per-activity sequence of sign-up requests: the waitlist is served in this order.
    next_seq = models.PositiveIntegerField(default=1, editable=False)
    report_text = models.TextField(_("活动简报"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activities_activity_kind_valid",
                violation_error_message=_("未知的活动类型"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActivityStatus.values), name="activities_activity_status_valid",
                violation_error_message=_("未知的活动状态"),
            ),
            models.CheckConstraint(
                condition=Q(audience_type__in=AudienceType.values), name="activities_activity_audience_valid",
                violation_error_message=_("未知的参加对象类型"),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activities_activity_time_order",
                violation_error_message=_("结束时间必须晚于开始时间"),
            ),
            models.CheckConstraint(
                condition=Q(signup_opens_at__isnull=True) | Q(signup_closes_at__isnull=True)
                | Q(signup_closes_at__gt=F("signup_opens_at")),
                name="activities_activity_signup_window",
                violation_error_message=_("报名截止时间必须晚于报名开始时间"),
            ),
            models.CheckConstraint(
                condition=Q(signup_closes_at__isnull=True) | Q(signup_closes_at__lte=F("starts_at")),
                name="activities_activity_signup_before_start",
                violation_error_message=_("报名截止时间不能晚于活动开始时间"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1), name="activities_activity_capacity_positive",
                violation_error_message=_("名额至少为1人，不限名额请留空"),
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="activities_activity_cost_nonnegative",
                violation_error_message=_("预算金额不能为负数"),
            ),
        ]
        indexes = [models.Index(fields=["org", "starts_at"], name="activities_org_start_idx")]

    def __str__(self) -> str:
        return self.theme

    @property
    def co_organiser_list(self) -> list[str]:
        return [line.strip() for line in self.co_organisers.splitlines() if line.strip()]


class Signup(models.Model):
    """报名: one row per activity and member; cancelling keeps the row (and its history)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups",
                                 verbose_name=_("活动"))
    member = models.ForeignKey("orgs.Member", on_delete=models.PROTECT, related_name="activity_signups",
                               verbose_name=_("会员"))
    status = models.CharField(_("报名状态"), max_length=12, choices=SignupStatus.choices)
    seq = models.PositiveIntegerField(_("报名顺序"))
    source = models.CharField(_("报名方式"), max_length=10, choices=SignupSource.choices,
                              default=SignupSource.SELF)
    signed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("经办人"))
    requested_at = models.DateTimeField(_("报名时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("候补转正时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checkin_method = models.CharField(_("签到方式"), max_length=10, choices=CheckinMethod.choices, blank=True)
    checked_in_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("签到经办人"))

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "seq"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "member"], name="activities_signup_unique",
                violation_error_message=_("该会员已报名此活动"),
            ),
            models.UniqueConstraint(
                fields=["activity", "seq"], name="activities_signup_seq_unique",
                violation_error_message=_("报名顺序号重复"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SignupStatus.values), name="activities_signup_status_valid",
                violation_error_message=_("未知的报名状态"),
            ),
            models.CheckConstraint(
                condition=Q(checked_in_at__isnull=True) | Q(status=SignupStatus.CONFIRMED),
                name="activities_signup_checkin_confirmed",
                violation_error_message=_("只有已确认的报名才能签到"),
            ),
        ]
        indexes = [models.Index(fields=["activity", "status", "seq"], name="activities_signup_queue_idx")]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.member_id}: {self.status}"


def _photo_path(instance: Photo, filename: str) -> str:
    return f"activities/{instance.activity_id}/{filename}"


class Photo(models.Model):
    """活动照片 with caption and credit (e.g. 本报记者 孙妍 / 通讯员 田文江 摄影报道)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos", verbose_name=_("活动"))
    image = models.ImageField(_("照片"), upload_to=_photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    caption = models.CharField(_("图片说明"), max_length=300)
    credit = models.CharField(_("署名"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity", "position", "id"]

    def __str__(self) -> str:
        return self.caption

