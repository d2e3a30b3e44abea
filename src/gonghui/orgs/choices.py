from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgType(models.TextChoices):
    FEDERATION = "federation", _("总工会")
    DISTRICT = "district", _("区总工会")
    INDUSTRY = "industry", _("产业工会")
    STREET = "street", _("街道/乡镇总工会")
    BASE = "base", _("基层工会")
    JOINT = "joint", _("联合工会")


# Organisation types that hold members directly.
MEMBER_HOLDING_TYPES = (OrgType.BASE, OrgType.JOINT)


class OrgStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    ACTIVE = "active", _("已成立")
    DISSOLVED = "dissolved", _("已撤销")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    PENDING = "pending", _("待确认")
    LEFT = "left", _("已退会")


class NewFormType(models.TextChoices):
    NONE = "", _("否")
    COURIER = "courier", _("快递员")
    FOOD_DELIVERY = "food_delivery", _("外卖配送员")
    RIDE_HAILING = "ride_hailing", _("网约车司机")
    TRUCK_DRIVER = "truck_driver", _("货车司机")
    OTHER = "other", _("其他新就业形态")
