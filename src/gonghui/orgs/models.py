from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from gonghui.core.crypto import EncryptedCharField

from .choices import Gender, MemberStatus, NewFormType, OrgStatus, OrgType

CARD_SALT = "gonghui.member-card"


class Organisation(MP_Node):
    """A union organisation: federation, district or industry union, street federation, base union."""

    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    name = models.CharField(_("组织名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=60, blank=True)
    type = models.CharField(_("组织类型"), max_length=20, choices=OrgType.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工会组织")
        verbose_name_plural = _("工会组织")
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=OrgType.values), name="orgs_organisation_type_valid",
                violation_error_message=_("未知的组织类型"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrgStatus.values), name="orgs_organisation_status_valid",
                violation_error_message=_("未知的组织状态"),
            ),
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="orgs_organisation_uscc_unique",
                violation_error_message=_("该统一社会信用代码已被其他组织使用"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def holds_members(self) -> bool:
        return self.type in (OrgType.BASE, OrgType.JOINT)


class Member(models.Model):
    """A union member (会员). One person is a member of one base union at a time."""

    org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在工会"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="member", verbose_name=_("登录账号"),
    )
    name = models.CharField(_("姓名"), max_length=60)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(_("拼音首字母"), max_length=50, blank=True, db_index=True)
    # Personal data: ciphertext, keyed hash for lookup and uniqueness, masked copy for display.
    id_number = EncryptedCharField(_("身份证号码"))
    id_number_hash = models.CharField(max_length=64)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18)
    phone = EncryptedCharField(_("手机号码"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11, blank=True)
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    trade = models.CharField(_("工种"), max_length=60, blank=True, db_index=True)
    joined_on = models.DateField(_("入会日期"))
    status = models.CharField(_("状态"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    new_form_type = models.CharField(
        _("新就业形态"), max_length=20, choices=NewFormType.choices, blank=True, default=""
    )
    is_outdoor_worker = models.BooleanField(_("户外劳动者"), default=False)
    card_no = models.CharField(_("会员卡号"), max_length=20, unique=True)
    card_nonce = models.CharField(max_length=16, default="", editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], name="orgs_member_id_number_unique",
                violation_error_message=_("该身份证号码已是会员"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=MemberStatus.values), name="orgs_member_status_valid",
                violation_error_message=_("未知的会员状态"),
            ),
            models.CheckConstraint(
                condition=Q(new_form_type__in=NewFormType.values), name="orgs_member_new_form_valid",
                violation_error_message=_("未知的新就业形态类型"),
            ),
            models.CheckConstraint(
                condition=Q(gender__in=Gender.values), name="orgs_member_gender_valid",
                violation_error_message=_("未知的性别"),
            ),
        ]
        indexes = [models.Index(fields=["org", "status"], name="orgs_member_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{self.card_no}）"

    @property
    def is_new_form_worker(self) -> bool:
        return bool(self.new_form_type)

    @property
    def card_token(self) -> str:
        """The signed token in the member QR code: it names the card, never the ID number."""
        return signing.dumps({"c": self.card_no, "n": self.card_nonce}, salt=CARD_SALT, compress=True)

    @staticmethod
    def new_card_nonce() -> str:
        return secrets.token_hex(4)


class MemberTransfer(models.Model):
    """会员组织关系转接: the history of a member's moves between base unions."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("会员"))
    from_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("转出工会")
    )
    to_org = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("转入工会")
    )
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    at = models.DateTimeField(_("转接时间"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("经办人")
    )

    class Meta:
        verbose_name = _("会员关系转接")
        verbose_name_plural = _("会员关系转接")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_org=models.F("to_org")), name="orgs_membertransfer_distinct_orgs",
                violation_error_message=_("转入工会不能与转出工会相同"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_org_id} → {self.to_org_id}"
