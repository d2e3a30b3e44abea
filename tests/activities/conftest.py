"""Fixtures of the activities tests: an activity factory and members to sign up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gonghui.activities import services
from gonghui.core.testing import make_member

NOW = timezone.make_aware(dt.datetime(2025, 7, 1, 9, 0))


def make_activity(*, actor, org, capacity=2, status="published", theme="重温抗战历史，增强实干精神",
                  starts_at=None, **kwargs):
    starts_at = starts_at or NOW + dt.timedelta(days=10)
    kwargs.setdefault("ends_at", starts_at + dt.timedelta(hours=3))
    kwargs.setdefault("kind", "education")
    kwargs.setdefault("place", "中国人民抗日战争纪念馆")
    kwargs.setdefault("cost", Decimal("1200.00"))
    kwargs.setdefault("budget_line", "职工活动支出")
    return services.activity_create(actor=actor, org=org, theme=theme, starts_at=starts_at, capacity=capacity,
                                    status=status, **kwargs)


@pytest.fixture
def activity(tree, sy_staff):
    """A published activity of SY (audience: SY's subtree), 2 places, starting in 10 days."""
    return make_activity(actor=sy_staff, org=tree["SY"], capacity=2)


@pytest.fixture
def gas_members(tree, root_user):
    names = ["刘永涛", "王伟", "李强", "张磊", "陈军", "杨勇"]
    return [make_member(org=tree["SY-GAS"], name=n, actor=root_user) for n in names]
