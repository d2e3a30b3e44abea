"""Dashboard figures of welfare campaigns in a subtree: allotted, issued, remaining, care visits."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section, Story

from .choices import TargetGroup
from .models import Allotment, Campaign, CareVisit, Issuance


def _campaigns(start: dt.date, end: dt.date):
    return Campaign.objects.filter(starts_on__lte=end, ends_on__gte=start)


def _top_allotments(path: str):
    """The allotments entering the subtree: their parent lies outside it (or they have none)."""
    return Allotment.objects.filter(org__path__startswith=path).filter(
        Q(parent__isnull=True) | ~Q(parent__org__path__startswith=path))


def section(*, org, start: dt.date, end: dt.date) -> Section:
    # The period's campaigns are few: fetch their ids once so every figure filters on a literal list.
    campaigns = list(_campaigns(start, end).values_list("id", flat=True))
    path = org.path
    allotted = _top_allotments(path).filter(campaign__in=campaigns).aggregate(n=Sum("quantity"))["n"] or 0
    issued_qs = Issuance.objects.filter(campaign__in=campaigns, point__org__path__startswith=path)
    issued = issued_qs.aggregate(n=Count("id"), people=Count("recipient_key", distinct=True))
    n_campaigns = Campaign.objects.filter(id__in=campaigns).filter(
        Q(owner__path__startswith=path) | Q(allotments__org__path__startswith=path)).distinct().count()
    tz = timezone.get_current_timezone()
    visits = CareVisit.objects.filter(
        org__path__startswith=path,
        visited_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        visited_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    ).aggregate(n=Count("id"), people=Sum("people_count"))
    groups = dict(issued_qs.values_list("target_group").annotate(n=Count("id")).values_list("target_group", "n"))
    url = reverse("welfare:campaign-list")
    return Section(
        key="welfare",
        title=_("送温暖·送清凉"),
        figures=[
            Figure("campaigns", _("本期慰问活动"), n_campaigns, _("项"), url),
            Figure("allotted", _("下达配额"), int(allotted), _("份"), url),
            Figure("issued", _("已发放"), issued["n"], _("份"), url),
            Figure("remaining", _("未发放"), int(allotted) - issued["n"], _("份"), url),
            Figure("recipients", _("受益职工"), issued["people"], _("人"), url),
            Figure("visits", _("走访慰问"), visits["n"], _("次"), url),
            Figure("visited_people", _("慰问人数"), visits["people"] or 0, _("人"), url),
        ],
        charts=[Chart("groups", _("按慰问对象发放"), "pie", [str(label) for _c, label in TargetGroup.choices],
                      [{"name": _("份数"), "data": [groups.get(c, 0) for c, _label in TargetGroup.choices]}], url)],
    )


def stories(*, org) -> list[Story]:
    """The largest allotment entering the subtree this year (Haidian's 15,000 cool packs)."""
    year = timezone.localdate().year
    top = (_top_allotments(org.path).filter(campaign__starts_on__year__gte=year - 1)
           .select_related("campaign", "org", "item").order_by("-quantity", "-id").first())
    if top is None:
        return []
    issued = Issuance.objects.filter(campaign=top.campaign, item=top.item,
                                     point__org__path__startswith=top.org.path).count()
    return [Story("welfare", top.campaign.name,
                  [(f"{top.quantity:,}", _("份{i}").format(i=top.item.name)), (f"{issued:,}", _("份已发放"))],
                  url=reverse("welfare:campaign-detail", args=[top.campaign_id]))]
