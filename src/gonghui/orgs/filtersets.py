"""One FilterSet per model, shared by the HTML lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import WithinFilter
from gonghui.core.models import AuditEvent

from .choices import MemberStatus, NewFormType, OrgStatus, OrgType
from .models import Member, Organisation
from .selectors import member_search_q, org_search_q


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    type = django_filters.ChoiceFilter(label=_("组织类型"), choices=OrgType.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OrgStatus.choices)
    within = WithinFilter(label=_("所属组织代码"), path_field="path")

    class Meta:
        model = Organisation
        fields = ["q", "type", "status", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(org_search_q(value))


class MemberFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    trade = django_filters.CharFilter(label=_("工种"), field_name="trade")
    new_form = django_filters.ChoiceFilter(
        label=_("新就业形态"), field_name="new_form_type",
        choices=[("any", _("全部新就业形态"))] + [c for c in NewFormType.choices if c[0]],
        method="filter_new_form",
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=MemberStatus.choices)
    outdoor = django_filters.BooleanFilter(label=_("户外劳动者"), field_name="is_outdoor_worker")
    within = WithinFilter(label=_("所属组织代码"), path_field="org__path")

    class Meta:
        model = Member
        fields = ["q", "trade", "new_form", "status", "outdoor", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(member_search_q(value))

    def filter_new_form(self, queryset, name, value):
        if value == "any":
            return queryset.exclude(new_form_type="")
        return queryset.filter(new_form_type=value)


class AuditFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(label=_("操作"), field_name="action", lookup_expr="startswith")
    actor = django_filters.CharFilter(label=_("操作人"), field_name="actor_name")
    within = WithinFilter(label=_("所属组织代码"), path_field="org_path")

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "within"]
