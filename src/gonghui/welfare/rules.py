"""Pure rules of welfare campaigns (RULES §5), no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

__all__ = [
    "HEAT_STOP_CELSIUS",
    "allotment_fits",
    "budget_needed",
    "forbidden_item_reason",
    "heat_rule_text",
    "outdoor_work_allowed",
    "split_by_stock",
]

# W6 (防暑降温措施管理办法 2012, art. 8): at 40 °C or above, outdoor work stops for the day.
HEAT_STOP_CELSIUS = Decimal("40")

# W4: member benefits are goods, never cash or cards that stand for cash (Beijing rule, secondary).
_CASH_WORDS = ("现金", "购物卡", "礼品卡", "充值卡", "储值卡", "代金券", "消费券", "红包")


def heat_rule_text() -> str:
    return _(
        "高温天气作业规定（《防暑降温措施管理办法》）：日最高气温达到40℃以上，应当停止当日室外露天作业；"
        "37℃以上、40℃以下，室外露天作业时间累计不得超过6小时，且12时至15时不得安排室外露天作业。"
    )


def outdoor_work_allowed(max_temperature_celsius: Decimal | int | str) -> bool:
    """False at 40 °C or above (W6)."""
    return Decimal(str(max_temperature_celsius)) < HEAT_STOP_CELSIUS


def forbidden_item_reason(name: str, contents: str = "") -> str | None:
    """A Chinese reason when an item is cash or a cash-like card (W4), else None."""
    text = f"{name} {contents}"
    for word in _CASH_WORDS:
        if word in text:
            return _("会员福利应发放实物，不得发放现金或购物卡等（含“{w}”）").format(w=word)
    return None


def budget_needed(lines: Iterable[tuple[Decimal, int]]) -> Decimal:
    """Σ unit cost × quantity, exact."""
    total = Decimal("0")
    for unit_cost, quantity in lines:
        total += Decimal(unit_cost) * int(quantity)
    return total


def allotment_fits(*, parent_quantity: int, already_distributed: int, requested: int) -> bool:
    """W2: a level hands out at most what it was allotted."""
    return requested >= 0 and already_distributed + requested <= parent_quantity


def split_by_stock(candidates: Sequence, available: int) -> tuple[list, list]:
    """The first `available` candidates get stock, the rest are out of stock."""
    available = max(0, int(available))
    return list(candidates[:available]), list(candidates[available:])
