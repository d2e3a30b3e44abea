"""FilterSets of activities, shared by the staff pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import WithinFilter

from .choices import ActivityKind, ActivityStatus
from .models import Activity
from .selectors import activity_search_q


class ActivityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=ActivityKind.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=ActivityStatus.choices)
    date_from = django_filters.DateFilter(label=_("开始日期从"), field_name="starts_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(label=_("至"), field_name="starts_at", lookup_expr="date__lte")
    within = WithinFilter(label=_("主办组织代码"), path_field="org__path")

    class Meta:
        model = Activity
        fields = ["q", "kind", "status", "date_from", "date_to", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(activity_search_q(value))
