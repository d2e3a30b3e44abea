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
