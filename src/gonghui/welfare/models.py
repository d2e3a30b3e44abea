"""Welfare campaigns (RULES §5): campaigns, items, allotments down the tree, points, stock,
recipients, issuances, offline-sync conflicts and care visits.

The invariants that matter are database constraints: one issuance per recipient, item and sequence
number within the item's limit (W3), stock never below zero (W3), an allotment never distributes more
than it holds (W2), a unique idempotency key per issuance (offline replays never double).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gonghui.core.crypto import EncryptedCharField

from .choices import CampaignStatus, CampaignType, ConflictReason, IssueChannel, TargetGroup


class Campaign(models.Model):
    """A campaign (夏送清凉, 冬送温暖, 两节慰问) run by an owner organisation over its subtree (W1)."""

    owner = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="welfare_campaigns",
                              verbose_name=_("主办工会"))
    name = models.CharField(_("活动名称"), max_length=200)
    name_pinyin = models.CharField(max_length=300, blank=True, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, db_index=True)
    type = models.CharField(_("活动类型"), max_length=20, choices=CampaignType.choices)
    status = models.CharField(_("状态"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.ACTIVE)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2)
    target_groups = models.JSONField(_("慰问对象"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("慰问活动")
        verbose_name_plural = _("慰问活动")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=CampaignType.values), name="welfare_campaign_type_valid",
                                   violation_error_message=_("未知的活动类型")),
            models.CheckConstraint(condition=Q(status__in=CampaignStatus.values),
                                   name="welfare_campaign_status_valid",
                                   violation_error_message=_("未知的活动状态")),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="welfare_campaign_period_valid",
                                   violation_error_message=_("结束日期不能早于开始日期")),
            models.CheckConstraint(condition=Q(budget__gte=0), name="welfare_campaign_budget_nonnegative",
                                   violation_error_message=_("预算不能为负数")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_summer(self) -> bool:
        return self.type == CampaignType.SUMMER_COOLING

    @property
    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels.get(g, g)) for g in self.target_groups or []]


class Item(models.Model):
    """What is handed out (a cool pack and its contents), its unit cost and per-recipient limit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("活动"))
    code = models.CharField(_("物品代码"), max_length=32)
    name = models.CharField(_("物品名称"), max_length=100)
    contents = models.CharField(_("内含物品"), max_length=300, blank=True)
    unit_cost = models.DecimalField(_("单价（元）"), max_digits=10, decimal_places=2)
    per_recipient_limit = models.PositiveSmallIntegerField(_("每人限领"), default=1)

    class Meta:
        verbose_name = _("慰问物品")
        verbose_name_plural = _("慰问物品")
        ordering = ["campaign", "code"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="welfare_item_code_unique",
                                    violation_error_message=_("该活动已有此物品代码")),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="welfare_item_unit_cost_nonnegative",
                                   violation_error_message=_("单价不能为负数")),
            models.CheckConstraint(condition=Q(per_recipient_limit__gte=1), name="welfare_item_limit_positive",
                                   violation_error_message=_("每人限领至少为1")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class Allotment(models.Model):
    """A quantity of an item allotted to an organisation node (W2).

    `distributed` is what this node has handed on: child allotments plus stock received at its own
    distribution points. The database refuses `distributed > quantity`; services lock the row.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="allotments",
                                 verbose_name=_("活动"))
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="allotments", verbose_name=_("物品"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="welfare_allotments",
                            verbose_name=_("组织"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级配额"))
    quantity = models.PositiveIntegerField(_("配额数量"))
    distributed = models.PositiveIntegerField(_("已下拨数量"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("配额")
        verbose_name_plural = _("配额")
        ordering = ["org__path", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "org"], name="welfare_allotment_unique",
                                    violation_error_message=_("该组织已有此物品的配额")),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="welfare_allotment_quantity_nonnegative",
                                   violation_error_message=_("配额数量不能为负数")),
            models.CheckConstraint(condition=Q(distributed__gte=0) & Q(distributed__lte=F("quantity")),
                                   name="welfare_allotment_within_quantity",
                                   violation_error_message=_("下拨数量不能超过本级配额")),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}@{self.org_id}: {self.quantity}"

    @property
    def undistributed(self) -> int:
        return self.quantity - self.distributed


class DistributionPoint(models.Model):
    """Where items are handed out: a base or street union's office, or a service station."""

    code = models.CharField(_("发放点代码"), max_length=40, unique=True)
    name = models.CharField(_("发放点名称"), max_length=200)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="welfare_points",
                            verbose_name=_("所属工会"))
    station_name = models.CharField(_("驿站名称"), max_length=200, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发放点")
        verbose_name_plural = _("发放点")
        ordering = ["org__path", "code"]

    def __str__(self) -> str:
        return self.name


class Stock(models.Model):
    """Stock of one item at one point: received from the allotment, transferred in/out, issued (W3)."""

    point = models.ForeignKey(DistributionPoint, on_delete=models.PROTECT, related_name="stocks",
                              verbose_name=_("发放点"))
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="stocks", verbose_name=_("物品"))
    allotment = models.ForeignKey(Allotment, on_delete=models.PROTECT, related_name="stocks",
                                  verbose_name=_("来源配额"))
    received = models.PositiveIntegerField(_("接收"), default=0)
    transferred_in = models.PositiveIntegerField(_("调入"), default=0)
    transferred_out = models.PositiveIntegerField(_("调出"), default=0)
    issued = models.PositiveIntegerField(_("已发放"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["point__code", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["point", "item"], name="welfare_stock_unique",
                                    violation_error_message=_("该发放点已有此物品的库存")),
            models.CheckConstraint(
                condition=Q(received__gte=0) & Q(transferred_in__gte=0) & Q(transferred_out__gte=0)
                & Q(issued__gte=0)
                & Q(received__gte=F("issued") + F("transferred_out") - F("transferred_in")),
                name="welfare_stock_nonnegative",
                violation_error_message=_("库存不能小于零"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.point_id}/{self.item_id}: {self.available}"

    @property
    def available(self) -> int:
        return self.received + self.transferred_in - self.transferred_out - self.issued


class Recipient(models.Model):
    """A worker who is not (yet) a member, recorded by resident ID (and phone) to receive items.

    `key` is the canonical recipient key: the keyed hash of the resident ID number, the same value as a
    member's `id_number_hash`, so a member scanned by card and the same person looked up by ID collide.
    """

    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(_("姓名"), max_length=60)
    id_number = EncryptedCharField(_("身份证号码"))
    id_number_masked = models.CharField(_("身份证号码"), max_length=18)
    phone = EncryptedCharField(_("手机号码"), blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号码"), max_length=11, blank=True)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    target_group = models.CharField(_("慰问对象类别"), max_length=20, choices=TargetGroup.choices,
                                    default=TargetGroup.OTHER)
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="welfare_recipients",
                            verbose_name=_("登记工会"))
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="welfare_recipient_records", verbose_name=_("入会申请"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("非会员领取人")
        verbose_name_plural = _("非会员领取人")
        constraints = [
            models.CheckConstraint(condition=Q(target_group__in=TargetGroup.values),
                                   name="welfare_recipient_target_group_valid",
                                   violation_error_message=_("未知的慰问对象类别")),
        ]

    def __str__(self) -> str:
        return self.name


class Issuance(models.Model):
    """One item handed to one recipient (W3). The database refuses a second one within the limit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="issuances",
                                 verbose_name=_("活动"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="issuances", verbose_name=_("物品"))
    point = models.ForeignKey(DistributionPoint, on_delete=models.PROTECT, related_name="issuances",
                              verbose_name=_("发放点"))
    recipient_key = models.CharField(max_length=64)
    seq = models.PositiveSmallIntegerField(_("第几份"), default=1)
    member = models.ForeignKey("orgs.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="welfare_issuances", verbose_name=_("会员"))
    recipient = models.ForeignKey(Recipient, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="issuances", verbose_name=_("非会员领取人"))
    recipient_name = models.CharField(_("领取人"), max_length=60)
    target_group = models.CharField(_("慰问对象类别"), max_length=20, choices=TargetGroup.choices,
                                    default=TargetGroup.OTHER)
    issued_at = models.DateTimeField(_("发放时间"), db_index=True)
    recorded_at = models.DateTimeField(_("入账时间"), auto_now_add=True)
    distributor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("发放员"))
    channel = models.CharField(_("方式"), max_length=10, choices=IssueChannel.choices,
                               default=IssueChannel.ONLINE)
    idempotency_key = models.UUIDField(_("幂等键"), unique=True)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "item", "recipient_key", "seq"],
                                    name="welfare_issuance_once_per_recipient",
                                    violation_error_message=_("该领取人已领取过此物品")),
            models.CheckConstraint(condition=Q(seq__gte=1), name="welfare_issuance_seq_positive",
                                   violation_error_message=_("领取序号至少为1")),
            models.CheckConstraint(condition=Q(member__isnull=True) | Q(recipient__isnull=True),
                                   name="welfare_issuance_one_identity",
                                   violation_error_message=_("领取人只能是会员或非会员之一")),
        ]
        indexes = [
            models.Index(fields=["campaign", "point"], name="welfare_issuance_point_idx"),
            models.Index(fields=["member"], name="welfare_issuance_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} ← {self.item_id} @ {self.point_id}"


class SyncConflict(models.Model):
    """An offline record the server refused at sync (served elsewhere, or no stock): for the point to recover."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="sync_conflicts",
                                 verbose_name=_("活动"))
    point = models.ForeignKey(DistributionPoint, on_delete=models.CASCADE, related_name="sync_conflicts",
                              verbose_name=_("发放点"))
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("物品"))
    idempotency_key = models.UUIDField(unique=True)
    reason = models.CharField(_("原因"), max_length=20, choices=ConflictReason.choices)
    recipient_key = models.CharField(max_length=64)
    recipient_name = models.CharField(_("领取人"), max_length=60)
    issued_at = models.DateTimeField(_("离线发放时间"))
    existing = models.ForeignKey(Issuance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("已有发放记录"))
    distributor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("发放员"))
    created_at = models.DateTimeField(_("同步时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("处理人"))
    resolution = models.CharField(_("处理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("同步冲突")
        verbose_name_plural = _("同步冲突")
        ordering = ["resolved_at", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(reason__in=ConflictReason.values),
                                   name="welfare_syncconflict_reason_valid",
                                   violation_error_message=_("未知的冲突原因")),
        ]

    def __str__(self) -> str:
        return f"{self.reason}: {self.recipient_name}"


class CareVisit(models.Model):
    """走访慰问 (W5): who visited which unit or people, when, what was given; counted in the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits", verbose_name=_("活动"))
    org = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, related_name="welfare_visits_made",
                            verbose_name=_("组织慰问的工会"))
    visited_org = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="welfare_visits_received", verbose_name=_("被慰问单位"))
    visited_unit = models.CharField(_("被慰问单位/人员"), max_length=200)
    visitors = models.CharField(_("慰问人员"), max_length=300)
    visited_at = models.DateTimeField(_("慰问时间"))
    people_count = models.PositiveIntegerField(_("慰问人数"), default=0)
    gifts = models.CharField(_("慰问物品"), max_length=300, blank=True)
    gift_value = models.DecimalField(_("物品金额（元）"), max_digits=12, decimal_places=2, default=0)
    notes = models.TextField(_("情况记录"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访慰问")
        verbose_name_plural = _("走访慰问")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(gift_value__gte=0), name="welfare_carevisit_value_nonnegative",
                                   violation_error_message=_("物品金额不能为负数")),
        ]

    def __str__(self) -> str:
        return f"{self.visited_unit} {self.visited_at:%Y-%m-%d}"


class CareVisitPhoto(models.Model):
    visit = models.ForeignKey(CareVisit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("走访"))
    image = models.ImageField(_("照片"), upload_to="welfare/visits/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.image.name
