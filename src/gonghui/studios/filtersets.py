"""FilterSets shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from gonghui.core.filters import WithinFilter

from .choices import AchievementKind, AllianceType, Honour, StudioLevel, StudioStatus, TopicStatus, WorkArea
from .models import Achievement, Alliance, Lecture, Mentorship, Studio, Topic
from .selectors import achievement_search_q, name_search_q


class StudioFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    level = django_filters.ChoiceFilter(label=_("级别"), choices=StudioLevel.choices, empty_label=_("全部级别"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=StudioStatus.choices, empty_label=_("全部状态"))
    honour = django_filters.ChoiceFilter(label=_("领衔人荣誉"), field_name="leader_honour", choices=Honour.choices,
                                        empty_label=_("全部荣誉"))
    alliance = django_filters.NumberFilter(label=_("联盟"), method="filter_alliance")
    within = WithinFilter(label=_("所属组织代码"), path_field="org__path")

    class Meta:
        model = Studio
        fields = ["q", "level", "status", "honour", "alliance", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_search_q(value) | name_search_q(value, field="leader__name"))

    def filter_alliance(self, queryset, name, value):
        return queryset.filter(alliance_memberships__alliance_id=value,
                               alliance_memberships__left_on__isnull=True)


class AllianceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    type = django_filters.ChoiceFilter(label=_("联盟类型"), choices=AllianceType.choices, empty_label=_("全部类型"))
    within = WithinFilter(label=_("所属组织代码"), path_field="host_org__path")

    class Meta:
        model = Alliance
        fields = ["q", "type", "within"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_search_q(value))


class TopicFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=TopicStatus.choices, empty_label=_("全部状态"))
    work_area = django_filters.ChoiceFilter(label=_("工作板块"), choices=WorkArea.choices,
                                          empty_label=_("全部板块"))
    alliance = django_filters.NumberFilter(label=_("联盟"), field_name="alliance_id")
    studio = django_filters.NumberFilter(label=_("工作室"), field_name="studio_id")

    class Meta:
        model = Topic
        fields = ["q", "status", "work_area", "alliance", "studio"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_search_q(value, field="title"))


class AchievementFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=AchievementKind.choices, empty_label=_("全部类别"))
    year = django_filters.NumberFilter(label=_("年度"), field_name="achieved_on", lookup_expr="year")
    alliance = django_filters.NumberFilter(label=_("联盟"), field_name="alliance_id")
    studio = django_filters.NumberFilter(label=_("工作室"), field_name="studio_id")

    class Meta:
        model = Achievement
        fields = ["q", "kind", "year", "alliance", "studio"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(achievement_search_q(value))


class LectureFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), field_name="title", lookup_expr="icontains")

    class Meta:
        model = Lecture
        fields = ["q"]


class MentorshipFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Mentorship._meta.get_field("status").choices,
                                       empty_label=_("全部状态"))

    class Meta:
        model = Mentorship
        fields = ["q", "status"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(name_search_q(value, field="mentor__name")
                               | name_search_q(value, field="apprentice__name"))
