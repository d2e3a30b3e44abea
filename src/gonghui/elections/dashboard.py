"""Dashboard figures of elections in a subtree (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Figure, Section

from .choices import ElectionState, PlanKind, PlanState
from .models import Election, ElectionPlan, Officer


def section(*, org, start: dt.date, end: dt.date) -> Section:
    plans = ElectionPlan.objects.filter(org__path__startswith=org.path)
    held = plans.filter(meeting_date__gte=start, meeting_date__lte=end)
    p = held.aggregate(total=Count("id"), founding=Count("id", filter=Q(kind=PlanKind.FOUNDING)),
                       reelection=Count("id", filter=Q(kind=PlanKind.REELECTION)))
    pending = plans.filter(state=PlanState.SUBMITTED).count()
    e = Election.objects.filter(plan__in=held).aggregate(
        bodies=Count("id"), approved=Count("id", filter=Q(state=ElectionState.APPROVED)))
    today = timezone.localdate()
    # A union's term ends with its latest officers' term; count the unions whose term ends within 6 months.
    ending = (Officer.objects.filter(org__path__startswith=org.path).values("org")
              .annotate(last=Max("term_end")).filter(last__gte=today, last__lte=today + dt.timedelta(days=183))
              .count())
    url = reverse("elections:index")
    return Section(
        key="elections",
        title=_("建会与选举"),
        figures=[
            Figure("meetings", _("本期召开会员（代表）大会"), p["total"], _("次"), url),
            Figure("founding", _("其中成立大会"), p["founding"], _("次"), url),
            Figure("reelection", _("其中换届大会"), p["reelection"], _("次"), url),
            Figure("bodies", _("选举的机构"), e["bodies"], _("个"), url),
            Figure("approved", _("上级已批复"), e["approved"], _("个"), url),
            Figure("plans_pending", _("待批复的选举方案"), pending, _("个"), url),
            Figure("terms_ending", _("半年内任期届满的工会"), ending, _("个"), reverse("elections:terms")),
        ],
    )
