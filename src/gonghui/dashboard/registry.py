"""The dashboard is assembled from every domain app's `dashboard.py`.

An app contributes `section(*, org, start, end) -> Section | None` (figures and charts over the
organisation's subtree for the period) and optionally `stories(*, org) -> list[Story]` (the
newspaper page's stories in numbers). Every figure is computed by the database over the subtree with a
fixed number of queries, whatever the size of the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings

__all__ = ["Chart", "Figure", "Section", "Story", "collect_sections", "collect_stories"]


@dataclass
class Figure:
    key: str
    label: str
    value: int | Decimal | str
    unit: str = ""
    url: str = ""
    hint: str = ""

    @property
    def display(self) -> str:
        if isinstance(self.value, int):
            return f"{self.value:,}"
        return str(self.value)


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # bar | pie | line
    categories: list[str]
    series: list[dict[str, Any]]  # [{"name": str, "data": [numbers]}]
    url: str = ""

    def rows(self) -> tuple[list[str], list[list[Any]]]:
        """The chart's data as a table (for the .xlsx export)."""
        headers = [""] + [s["name"] for s in self.series]
        rows = [[c] + [s["data"][i] for s in self.series] for i, c in enumerate(self.categories)]
        return headers, rows


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for f in data["figures"]:
            if isinstance(f["value"], Decimal):
                f["value"] = str(f["value"])
        return data


@dataclass
class Story:
    key: str
    headline: str
    numbers: list[tuple[str, str]]  # (value, label)
    text: str = ""
    url: str = ""


def _modules():
    for app in settings.GONGHUI_DOMAIN_APPS:
        name = f"gonghui.{app}.dashboard"
        if app != "dashboard" and find_spec(name) is not None:
            yield import_module(name)


def collect_sections(*, org, start: dt.date, end: dt.date) -> list[Section]:
    sections = []
    for module in _modules():
        if hasattr(module, "section"):
            section = module.section(org=org, start=start, end=end)
            if section is not None:
                sections.append(section)
    return sections


def collect_stories(*, org) -> list[Story]:
    stories: list[Story] = []
    for module in _modules():
        if hasattr(module, "stories"):
            stories.extend(module.stories(org=org))
    return stories
