"""Dashboard figures of activities organised in a subtree (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section, Story

from .choices import ActivityKind, ActivityStatus, SignupStatus
from .models import Activity, Photo, Signup


def _period(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def section(*, org, start: dt.date, end: dt.date) -> Section:
    since, until = _period(start, end)
    activities = Activity.objects.filter(org__path__startswith=org.path, starts_at__gte=since,
                                         starts_at__lt=until).exclude(status=ActivityStatus.CANCELLED)
    a = activities.aggregate(total=Count("id"), finished=Count("id", filter=Q(status=ActivityStatus.FINISHED)))
    s = Signup.objects.filter(activity__in=activities).aggregate(
        confirmed=Count("id", filter=Q(status=SignupStatus.CONFIRMED)),
        waitlisted=Count("id", filter=Q(status=SignupStatus.WAITLISTED)),
        attended=Count("id", filter=Q(status=SignupStatus.CONFIRMED, checked_in_at__isnull=False)),
    )
    kinds = dict(activities.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    rate = f"{round(100 * s['attended'] / s['confirmed'])}%" if s["confirmed"] else "—"
    url = reverse("activities:activity-list")
    return Section(
        key="activities",
        title=_("活动"),
        figures=[
            Figure("activities", _("本期活动"), a["total"], _("场"), url),
            Figure("finished", _("已结束"), a["finished"], _("场"), url),
            Figure("signups", _("报名人次"), s["confirmed"], _("人次"), url),
            Figure("waitlisted", _("候补人次"), s["waitlisted"], _("人次"), url),
            Figure("attended", _("签到人次"), s["attended"], _("人次"), url),
            Figure("attendance_rate", _("到场率"), rate, "", url),
        ],
        charts=[Chart("kinds", _("活动类型"), "pie", [str(label) for _c, label in ActivityKind.choices],
                      [{"name": _("场次"), "data": [kinds.get(c, 0) for c, _label in ActivityKind.choices]}], url)],
    )


def stories(*, org) -> list[Story]:
    """The latest finished activity with photos (the 重温抗战历史 visit)."""
    activity = (Activity.objects.filter(org__path__startswith=org.path, status=ActivityStatus.FINISHED,
                                        photos__isnull=False)
                .order_by("-starts_at", "-id").distinct().first())
    if activity is None:
        return []
    counts = activity.signups.aggregate(
        attended=Count("id", filter=Q(status=SignupStatus.CONFIRMED, checked_in_at__isnull=False)))
    photos = Photo.objects.filter(activity=activity).count()
    credit = Photo.objects.filter(activity=activity).exclude(credit="").values_list("credit", flat=True).first()
    return [Story("activity", activity.theme, [(str(counts["attended"]), _("人参加")), (str(photos), _("张照片"))],
                  credit or "", reverse("activities:activity-detail", args=[activity.pk]))]
