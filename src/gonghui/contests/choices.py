from django.db import models
from django.utils.translation import gettext_lazy as _


class ContestStatus(models.TextChoices):
    REGISTRATION = "registration", _("报名中")
    HELD = "held", _("比赛中")
    LOCKED = "locked", _("已锁定")
    PUBLISHED = "published", _("已公布")


class ContestantStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class JudgeRole(models.TextChoices):
    JUDGE = "judge", _("裁判")
    CHIEF = "chief", _("裁判长")


class CriterionKind(models.TextChoices):
    MEASUREMENT = "measurement", _("测量")
    JUDGEMENT = "judgement", _("评价")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("全体裁判平均")
    TRIMMED = "trimmed", _("去掉最高最低分后平均（5人及以上）")
    WORLDSKILLS = "worldskills", _("世赛评价分（0–3分，三名裁判）")


class RecusalScope(models.TextChoices):
    EMPLOYER = "employer", _("同一单位回避")
    DISTRICT = "district", _("同一区回避")


class PrizeMode(models.TextChoices):
    COUNT = "count", _("按名额")
    PERCENT = "percent", _("按比例")


PRIZE_LABELS = {"first": _("一等奖"), "second": _("二等奖"), "third": _("三等奖")}
