"""Reads of the dashboard: the sections of every app for an organisation in the actor's scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from gonghui.orgs.models import Organisation

from .registry import Section, Story, collect_sections, collect_stories

__all__ = ["dashboard_period", "dashboard_sections", "dashboard_stories"]


def dashboard_period(start: Any = None, end: Any = None) -> tuple[dt.date, dt.date]:
    """The period asked for, defaulting to the current calendar year; bad dates fall back too."""
    today = timezone.localdate()

    def parse(value, default):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value)) if value else default
        except ValueError:
            return default

    s = parse(start, dt.date(today.year, 1, 1))
    e = parse(end, dt.date(today.year, 12, 31))
    return (s, e) if s <= e else (e, s)


def dashboard_sections(*, org: Organisation, start: dt.date, end: dt.date) -> list[Section]:
    """`org` must already come from a scoped selector (orgs.selectors.org_get / org_by_code)."""
    return collect_sections(org=org, start=start, end=end)


def dashboard_stories(*, org: Organisation) -> list[Story]:
    return collect_stories(org=org)
