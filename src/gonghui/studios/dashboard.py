"""Dashboard figures of innovation studios, alliances and topics in a subtree (fixed queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section, Story

from .choices import StudioStatus, TopicStatus
from .models import Achievement, Alliance, AllianceMembership, Studio, Topic


def section(*, org, start: dt.date, end: dt.date) -> Section:
    studios = Studio.objects.filter(org__path__startswith=org.path)
    s = studios.aggregate(
        total=Count("id", filter=~Q(status=StudioStatus.REVOKED)),
        named=Count("id", filter=Q(status=StudioStatus.NAMED)),
        warned=Count("id", filter=Q(status=StudioStatus.WARNED)),
        revoked=Count("id", filter=Q(status=StudioStatus.REVOKED)),
    )
    alliances = Alliance.objects.filter(host_org__path__startswith=org.path).count()
    topics = dict(Topic.objects.filter(studio__org__path__startswith=org.path).values_list("status")
                  .annotate(n=Count("id")).values_list("status", "n"))
    achievements = Achievement.objects.filter(studio__org__path__startswith=org.path,
                                              achieved_on__gte=start, achieved_on__lte=end).count()
    url = reverse("studios:studio-list")
    topic_url = reverse("studios:topic-list")
    in_progress = sum(topics.get(x, 0) for x in (TopicStatus.APPROVED, TopicStatus.MIDTERM_PASSED))
    return Section(
        key="studios",
        title=_("职工创新工作室"),
        figures=[
            Figure("studios", _("创新工作室"), s["total"], _("个"), url),
            Figure("named", _("已命名"), s["named"], _("个"), f"{url}?status=named"),
            Figure("warned", _("已警示"), s["warned"], _("个"), f"{url}?status=warned"),
            Figure("alliances", _("工作室联盟"), alliances, _("个"), reverse("studios:alliance-list")),
            Figure("topics_under_way", _("在研课题"), in_progress, _("项"), topic_url),
            Figure("topics_accepted", _("结题验收通过"), topics.get(TopicStatus.ACCEPTED, 0), _("项"), topic_url),
            Figure("achievements", _("本期取得成果"), achievements, _("项"), reverse("studios:achievement-list")),
        ],
        charts=[Chart("topics", _("课题状态"), "bar", [str(label) for _c, label in TopicStatus.choices],
                      [{"name": _("课题"), "data": [topics.get(c, 0) for c, _label in TopicStatus.choices]}],
                      topic_url)],
    )


def stories(*, org) -> list[Story]:
    """The newest alliance: its member studios and first topics (the 好房子 alliance story)."""
    alliance = (Alliance.objects.filter(host_org__path__startswith=org.path)
                .order_by("-founded_on", "-created_at", "-id").first())
    if alliance is None:
        return []
    members = AllianceMembership.objects.filter(alliance=alliance, left_on__isnull=True).count()
    topics = Topic.objects.filter(alliance=alliance).exclude(status=TopicStatus.DRAFT).count()
    return [Story("alliance", alliance.name, [(str(members), _("家工作室")), (str(topics), _("项课题"))],
                  url=reverse("studios:alliance-detail", args=[alliance.pk]))]
