from django.db import models
from django.utils.translation import gettext_lazy as _


class Body(models.TextChoices):
    COMMITTEE = "committee", _("工会委员会")
    WOMEN_COMMITTEE = "women_committee", _("女职工委员会")
    AUDIT_COMMITTEE = "audit_committee", _("经费审查委员会")
    CHAIR = "chair", _("主席")
    VICE_CHAIR = "vice_chair", _("副主席")


class Method(models.TextChoices):
    COMPETITIVE = "competitive", _("差额选举")
    EQUAL = "equal", _("等额选举")


class ThresholdBase(models.TextChoices):
    DUE = "due", _("应到会人数")
    PRESENT = "present", _("实到会人数")


class PlanKind(models.TextChoices):
    FOUNDING = "founding", _("成立选举")
    REELECTION = "reelection", _("换届选举")


class MeetingType(models.TextChoices):
    GENERAL = "general", _("会员大会")
    REPRESENTATIVE = "representative", _("会员代表大会")


class PlanState(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    SUBMITTED = "submitted", _("方案待批")
    APPROVED = "approved", _("方案已批")
    RETURNED = "returned", _("方案退回")


class ElectionState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    CANDIDATES = "candidates", _("提名候选人")
    OPEN = "open", _("投票中")
    COUNTED = "counted", _("已计票")
    REPORTED = "reported", _("已报上级")
    APPROVED = "approved", _("上级已批复")
    RETURNED = "returned", _("上级退回")


class RoundKind(models.TextChoices):
    MAIN = "main", _("正式选举")
    REVOTE = "revote", _("票数相等重新投票")
    ANOTHER = "another", _("另行选举")


class Mark(models.TextChoices):
    YES = "yes", _("同意")
    NO = "no", _("不同意")
    ABSTAIN = "abstain", _("弃权")


class TellerRole(models.TextChoices):
    SCRUTINEER = "scrutineer", _("监票人")
    TELLER = "teller", _("计票人")


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("待上级批复")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class AttendanceVia(models.TextChoices):
    SCAN = "scan", _("扫码签到")
    TICK = "tick", _("名单勾选")
