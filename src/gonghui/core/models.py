from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role


class RoleAssignment(models.Model):
    """A user's role on an organisation; it reaches the organisation's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("用户"),
    )
    org = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("组织"),
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "org", "role"],
                name="core_roleassignment_unique",
                violation_error_message=_("该用户在此组织已有此角色"),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values),
                name="core_roleassignment_role_valid",
                violation_error_message=_("未知的角色"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org_id}: {self.role}"


class AuditEvent(models.Model):
    """Who did what, when, in which organisation, with the state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("组织"),
    )
    # The organisation's tree path at the time, so the trail of a subtree is one prefix query
    # and survives the organisation's deletion.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=255, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("有错误")


class JobOperation(models.TextChoices):
    VALIDATE = "validate", _("预检")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")


class Job(models.Model):
    """A background import or export: who started it, where, how far it got, and its files."""

    kind = models.CharField(_("类型"), max_length=64)
    operation = models.CharField(_("操作"), max_length=10, choices=JobOperation.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("操作人"),
    )
    org = models.ForeignKey(
        "orgs.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("组织"),
    )
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    stage = models.CharField(_("阶段"), max_length=20, blank=True)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    source = models.FileField(_("上传文件"), upload_to="jobs/source/%Y/%m/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    errors_count = models.PositiveIntegerField(_("错误数"), default=0)
    written = models.PositiveIntegerField(_("写入条数"), default=0)
    message = models.TextField(_("结果"), blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    result_file = models.FileField(_("结果文件"), upload_to="jobs/result/%Y/%m/", blank=True)
    error_file = models.FileField(_("错误报告"), upload_to="jobs/errors/%Y/%m/", blank=True)
    confirms = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("确认的预检"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="core_job_status_valid",
                violation_error_message=_("未知的任务状态"),
            ),
            models.CheckConstraint(
                condition=models.Q(operation__in=JobOperation.values), name="core_job_operation_valid",
                violation_error_message=_("未知的任务操作"),
            ),
            models.CheckConstraint(
                condition=models.Q(rows_done__lte=models.F("rows_total")) | models.Q(rows_total=0),
                name="core_job_progress_valid",
                violation_error_message=_("已处理行数不能超过总行数"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
