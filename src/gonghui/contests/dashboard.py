"""Dashboard figures of skills contests hosted in a subtree (a fixed number of queries)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.dashboard.registry import Chart, Figure, Section, Story

from .choices import ContestantStatus, ContestStatus
from .models import Contest, Contestant, Result

PRIZES = (("first", _("一等奖")), ("second", _("二等奖")), ("third", _("三等奖")))


def _in_period(start: dt.date, end: dt.date) -> Q:
    return Q(held_on__gte=start, held_on__lte=end) | Q(held_on__isnull=True, created_at__date__gte=start,
                                                       created_at__date__lte=end)


def section(*, org, start: dt.date, end: dt.date) -> Section:
    contests = Contest.objects.filter(org__path__startswith=org.path).filter(_in_period(start, end))
    c = contests.aggregate(total=Count("id"), published=Count("id", filter=Q(status=ContestStatus.PUBLISHED)),
                           open=Count("id", filter=Q(status=ContestStatus.REGISTRATION)))
    entrants = Contestant.objects.filter(contest__in=contests, status=ContestantStatus.APPROVED).aggregate(
        n=Count("id"), units=Count("org", distinct=True))
    results = Result.objects.filter(contest__in=contests)
    prizes = dict(results.exclude(prize="").values_list("prize").annotate(n=Count("id")).values_list("prize", "n"))
    titles = results.exclude(title="").count()
    by_trade = list(Contestant.objects.filter(contest__in=contests, status=ContestantStatus.APPROVED)
                    .values("contest__trade").annotate(n=Count("id")).order_by("-n", "contest__trade")[:10])
    url = reverse("contests:contest-list")
    return Section(
        key="contests",
        title=_("职业技能竞赛"),
        figures=[
            Figure("contests", _("本期竞赛赛项"), c["total"], _("项"), url),
            Figure("contests_open", _("报名中的赛项"), c["open"], _("项"), url),
            Figure("contests_published", _("已公布结果"), c["published"], _("项"), url),
            Figure("contestants", _("参赛选手"), entrants["n"], _("人"), url),
            Figure("units", _("参赛单位"), entrants["units"], _("家"), url),
            Figure("winners", _("获奖选手"), sum(prizes.values()), _("人"), url),
            Figure("titles", _("授予称号"), titles, _("人"), url),
        ],
        charts=[
            Chart("prizes", _("获奖等级"), "bar", [str(label) for _code, label in PRIZES],
                  [{"name": _("人数"), "data": [prizes.get(code, 0) for code, _label in PRIZES]}], url),
            Chart("trades", _("各工种参赛人数"), "bar", [t["contest__trade"] or _("未填") for t in by_trade],
                  [{"name": _("选手"), "data": [t["n"] for t in by_trade]}], url),
        ],
    )


def stories(*, org) -> list[Story]:
    """The latest published contest: entrants, units, prizes per level and titles (the 工匠杯 story)."""
    contest = (Contest.objects.select_related("org")
               .filter(org__path__startswith=org.path, status=ContestStatus.PUBLISHED)
               .order_by("-published_at", "-id").first())
    if contest is None:
        return []
    # 参赛单位: the host's direct sub-organisations the entrants come from (a group and its
    # subsidiary's union count once).
    unit_len = (contest.org.depth + 1) * contest.org.steplen
    entrants = contest.contestants.filter(status=ContestantStatus.APPROVED).aggregate(
        n=Count("id"), units=Count(Substr("org__path", 1, unit_len), distinct=True))
    prizes = dict(contest.results.exclude(prize="").values_list("prize").annotate(n=Count("id"))
                  .values_list("prize", "n"))
    title = contest.results.exclude(title="").values_list("title", flat=True).first()
    numbers = [(str(entrants["n"]), _("名选手")), (str(entrants["units"]), _("个单位")),
               (" + ".join(str(prizes.get(code, 0)) for code, _label in PRIZES), _("一/二/三等奖"))]
    text = _("授予“{t}”称号").format(t=title) if title else ""
    return [Story("contest", contest.name, numbers, text, reverse("contests:results", args=[contest.pk]))]
