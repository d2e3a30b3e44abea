from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    EDUCATION = "education", _("主题教育")
    VISIT = "visit", _("参观/走访")
    LECTURE = "lecture", _("讲座")
    TRAINING = "training", _("培训")
    SPORTS = "sports", _("文体")
    CULTURE = "culture", _("文化")
    VOLUNTEER = "volunteer", _("志愿服务")


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("报名中")
    CLOSED = "closed", _("报名截止")
    CANCELLED = "cancelled", _("已取消")
    FINISHED = "finished", _("已结束")


class AudienceType(models.TextChoices):
    SUBTREE = "subtree", _("某组织及其下级工会的会员")
    UNITS = "units", _("指定单位的会员")


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


class SignupSource(models.TextChoices):
    SELF = "self", _("本人报名")
    STAFF = "staff", _("工作人员代报")


class CheckinMethod(models.TextChoices):
    CARD = "card", _("扫会员码")
    CARD_NO = "card_no", _("输入会员卡号")
    MANUAL = "manual", _("工作人员补录")
