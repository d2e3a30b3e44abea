from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignType(models.TextChoices):
    SUMMER_COOLING = "summer_cooling", _("夏送清凉")
    WINTER_WARMTH = "winter_warmth", _("冬送温暖")
    FESTIVAL = "festival", _("两节慰问")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    ACTIVE = "active", _("发放中")
    CLOSED = "closed", _("已结束")


class TargetGroup(models.TextChoices):
    OUTDOOR = "outdoor", _("户外劳动者")
    HIGH_TEMPERATURE = "high_temperature", _("高温作业人员")
    NEW_FORM = "new_form", _("新就业形态劳动者")
    HARDSHIP = "hardship", _("困难职工家庭")
    MODEL_WORKER = "model_worker", _("劳动模范")
    OTHER = "other", _("其他职工")


class IssueChannel(models.TextChoices):
    ONLINE = "online", _("在线扫码")
    OFFLINE = "offline", _("离线同步")
    BULK = "bulk", _("批量登记")


class ConflictReason(models.TextChoices):
    ALREADY_ISSUED = "already_issued", _("已在他处领取")
    OUT_OF_STOCK = "out_of_stock", _("库存不足")
