from django.db import models
from django.utils.translation import gettext_lazy as _


class Honour(models.TextChoices):
    MODEL_WORKER = "model_worker", _("劳动模范")
    CRAFTSMAN = "craftsman", _("工匠")
    CHIEF_TECHNICIAN = "chief_technician", _("首席技师")


class StudioLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    ENTERPRISE = "enterprise", _("企业级")


class StudioStatus(models.TextChoices):
    PENDING = "pending", _("待命名")
    NAMED = "named", _("已命名")
    WARNED = "warned", _("已警示")
    REVOKED = "revoked", _("已摘牌")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("申报中")
    NOTICE = "notice", _("公示中")
    CLOSED = "closed", _("已命名")


class ApplicationStep(models.TextChoices):
    APPLIED = "applied", _("已申报")
    RECOMMENDED = "recommended", _("上级工会已推荐")
    REVIEWED = "reviewed", _("专家已评审")
    APPROVED = "approved", _("决定命名")
    REJECTED = "rejected", _("未通过")
    NOTICE = "notice", _("公示中")
    NAMED = "named", _("已命名")


class CheckOutcome(models.TextChoices):
    OK = "ok", _("合格")
    RESTORED = "restored", _("恢复命名")
    WARNED = "warned", _("警示")
    REVOKED = "revoked", _("摘牌")


class AllianceType(models.TextChoices):
    RELATED = "related", _("关联型")
    SAME = "same", _("同型")
    DIFFERENT = "different", _("异型")


class WorkArea(models.TextChoices):
    INNOVATION = "innovation", _("创新攻关")
    COOPERATION = "cooperation", _("技术合作")
    TALENT = "talent", _("人才培养")


class TopicStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报")
    UNDER_REVIEW = "under_review", _("评审中")
    APPROVED = "approved", _("已立项")
    REJECTED = "rejected", _("未立项")
    MIDTERM_PASSED = "midterm_passed", _("中期检查通过")
    ACCEPTED = "accepted", _("结题验收通过")
    FAILED = "failed", _("验收未通过")


class AchievementKind(models.TextChoices):
    PATENT = "patent", _("专利")
    METHOD = "method", _("工法")
    STANDARD = "standard", _("标准")
    PAPER = "paper", _("论文")
    AWARD = "award", _("奖项")
    BENEFIT = "benefit", _("经济效益")


class PatentType(models.TextChoices):
    NONE = "", _("—")
    INVENTION = "invention", _("发明")
    UTILITY = "utility", _("实用新型")
    DESIGN = "design", _("外观设计")


class MentorshipStatus(models.TextChoices):
    ACTIVE = "active", _("带徒中")
    COMPLETED = "completed", _("已出师")
    ENDED = "ended", _("已终止")
