"""Dashboard figures of outdoor workers' service stations in a subtree (a fixed number of queries).

"Open now" depends on each station's weekly hours. The database groups the open stations by their
schedule (24-hour flag + weekly hours) and counts them; each distinct schedule is then evaluated once
(O3, Asia/Shanghai), so the work grows with the number of distinct schedules, not with stations.
Stations with an exception (a holiday) today or yesterday are evaluated with it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section

from . import rules
from .choices import AMENITY_BIT, Amenity, ProblemStatus, StationStatus
from .models import HoursException, Rating, Station, Visit


def _open_now(stations, at: dt.datetime) -> int:
    local_day = timezone.localtime(at).date()
    days = [local_day, local_day - dt.timedelta(days=1)]
    open_stations = stations.filter(status=StationStatus.OPEN)
    with_exception = HoursException.objects.filter(station__in=open_stations, date__in=days)
    count = 0
    for always, weekly, n in (open_stations.exclude(id__in=with_exception.values("station_id"))
                              .values("always_open", "weekly_hours").annotate(n=Count("id"))
                              .values_list("always_open", "weekly_hours", "n")):
        schedule = rules.Schedule(always_open=always, weekly={
            d: tuple(v) for d, v in rules.weekly_from_json(weekly).items()})
        if rules.is_open(schedule, at):
            count += n
    exceptions: dict[int, dict] = {}
    for sid, date, intervals in with_exception.values_list("station_id", "date", "intervals"):
        exceptions.setdefault(sid, {})[date] = tuple((int(s), int(e)) for s, e in intervals or [])
    for sid, always, weekly in open_stations.filter(id__in=list(exceptions)).values_list(
            "id", "always_open", "weekly_hours"):
        schedule = rules.Schedule(always_open=always, weekly={
            d: tuple(v) for d, v in rules.weekly_from_json(weekly).items()}, exceptions=exceptions[sid])
        count += rules.is_open(schedule, at)
    return count


def section(*, org, start: dt.date, end: dt.date) -> Section:
    stations = Station.objects.filter(org__path__startswith=org.path).exclude(status=StationStatus.CLOSED)
    counts = stations.aggregate(
        total=Count("id"), always=Count("id", filter=Q(always_open=True)),
        paused=Count("id", filter=Q(status=StationStatus.CLOSED_TEMPORARILY)),
        problems=Count("problems", filter=Q(problems__status=ProblemStatus.OPEN), distinct=True),
    )
    amenity = stations.annotate(**{f"has_{code}": F("amenity_bits").bitand(bit)
                                   for code, bit in AMENITY_BIT.items()}).aggregate(**{
        code: Count("id", filter=Q(**{f"has_{code}__gt": 0})) for code in AMENITY_BIT})
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    visits = Visit.objects.filter(station__in=stations, hour__gte=since, hour__lt=until).count()
    rating = Rating.objects.filter(station__in=stations, day__gte=start, day__lte=end).aggregate(
        avg=Avg("stars"), n=Count("id"))
    url = reverse("stations:station-list")
    avg = f"{rating['avg']:.1f}" if rating["avg"] is not None else "—"
    labels = dict(Amenity.choices)
    return Section(
        key="stations",
        title=_("户外劳动者服务站点"),
        figures=[
            Figure("stations", _("服务站点"), counts["total"], _("个"), url),
            Figure("open_now", _("此刻开放"), _open_now(stations, timezone.now()), _("个"), url),
            Figure("always_open", _("24小时开放"), counts["always"], _("个"), url),
            Figure("paused", _("暂停开放"), counts["paused"], _("个"), url),
            Figure("problems", _("有待处理问题的站点"), counts["problems"], _("个"), f"{url}?flagged=1"),
            Figure("visits", _("本期到站人次"), visits, _("人次"), reverse("stations:stats")),
            Figure("rating", _("平均评分"), avg, _("星"), reverse("stations:stats")),
        ],
        charts=[Chart("amenities", _("站点设施"), "bar", [str(labels.get(c, c)) for c in AMENITY_BIT],
                      [{"name": _("站点"), "data": [amenity[c] for c in AMENITY_BIT]}], url)],
    )
