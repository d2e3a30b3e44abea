from django.db import models
from django.utils.translation import gettext_lazy as _


class Amenity(models.TextChoices):
    """Amenity codes (API contract, English snake_case). The ORDER is the bit position in
    Station.amenity_bits: append new codes at the end, never reorder or remove."""

    WATER = "water", _("饮水")
    TOILET = "toilet", _("厕所")
    REST = "rest", _("休息座椅")
    AIR_CONDITIONING = "air_conditioning", _("空调")
    HEATING = "heating", _("取暖")
    MICROWAVE = "microwave", _("微波炉")
    CHARGING = "charging", _("充电")
    FIRST_AID = "first_aid", _("急救药箱")
    UMBRELLA = "umbrella", _("雨伞")
    WIFI = "wifi", _("无线网络")
    READING = "reading", _("阅读")
    EBIKE_PARKING = "ebike_parking", _("电动车停放")
    EBIKE_CHARGING = "ebike_charging", _("电动车充电")
    HOT_MEAL = "hot_meal", _("热饭")
    REPAIR_KIT = "repair_kit", _("维修工具")
    LOCKER = "locker", _("储物柜")


AMENITY_BIT = {code: 1 << i for i, code in enumerate(Amenity.values)}
ALL_AMENITY_BITS = (1 << len(Amenity.values)) - 1


def amenity_bits(codes) -> int:
    bits = 0
    for code in codes:
        bits |= AMENITY_BIT[code]
    return bits


def amenity_codes(bits: int) -> list[str]:
    return [code for code, bit in AMENITY_BIT.items() if bits & bit]


class HostKind(models.TextChoices):
    UNION = "union", _("工会")
    SHOP = "shop", _("商户")
    BANK = "bank", _("银行网点")
    COMPANY = "company", _("企业")
    PUBLIC = "public", _("公共场所")
    OTHER = "other", _("其他")


class StationStatus(models.TextChoices):
    OPEN = "open", _("运营中")
    CLOSED_TEMPORARILY = "closed_temporarily", _("暂停开放")
    CLOSED = "closed", _("已关闭")


# The 六有 checklist (RULES O2): field name → label.
CHECKLIST = {
    "has_sign": _("有标识"),
    "has_fixed_place": _("有固定场所"),
    "has_facilities": _("有设施"),
    "has_rules": _("有制度"),
    "has_keeper": _("有人管理"),
    "on_map": _("在地图上"),
}


class ProblemKind(models.TextChoices):
    CLOSED = "closed", _("到站未开门")
    NO_WATER = "no_water", _("缺水或设施损坏")
    DIRTY = "dirty", _("卫生不好")
    WRONG_LOCATION = "wrong_location", _("位置不对")
    REFUSED = "refused", _("拒绝服务")
    OTHER = "other", _("其他")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已处理")
    DISMISSED = "dismissed", _("不予处理")
