"""Filters shared by every app's FilterSets."""

from __future__ import annotations

import django_filters

__all__ = ["WithinFilter"]


class WithinFilter(django_filters.CharFilter):
    """`?within=CODE`: keep what lies in that organisation's subtree (unknown code → nothing)."""

    def __init__(self, *args, path_field: str = "org__path", **kwargs):
        self.path_field = path_field
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from gonghui.orgs.models import Organisation

        path = Organisation.objects.filter(code=value.strip()).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(**{f"{self.path_field}__startswith": path})
