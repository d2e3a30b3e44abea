"""Reads of skills competitions, scoped to the actor: host staff by subtree, judges by assignment."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404

from gonghui.core.choices import READ_ROLES
from gonghui.core.scope import scope_paths

from . import rules
from .choices import ContestantStatus, JudgeRole
from .models import Contest, Contestant, Criterion, JudgeAssignment, Result, Score

__all__ = [
    "contest_get",
    "contest_list",
    "contest_results",
    "contestant_list",
    "judge_assignment",
    "judge_sheet",
    "public_results",
    "statistics_by_trade",
    "statistics_by_unit",
]

User = AbstractBaseUser | AnonymousUser


def contest_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Contest]:
    """Events of the actor's subtree(s); events hosted above it (open to its unions' members, so a
    base union sees the district's contest to register for); and the events the actor judges."""
    qs = Contest.objects.select_related("org", "series")
    paths = scope_paths(actor, roles)
    if paths is None:
        return qs
    condition = Q(pk__in=[])
    ancestors: set[str] = set()
    for path in paths:
        condition |= Q(org__path__startswith=path)
        ancestors.update(path[:i] for i in range(4, len(path), 4))
    if ancestors:
        condition |= Q(org__path__in=sorted(ancestors))
    if getattr(actor, "is_authenticated", False):
        condition |= Q(pk__in=JudgeAssignment.objects.filter(user=actor).values("contest_id"))
    return qs.filter(condition)


def contest_get(*, actor: User, pk: Any) -> Contest:
    try:
        return contest_list(actor=actor).get(pk=int(pk))
    except (Contest.DoesNotExist, ValueError, TypeError):
        raise Http404


def judge_assignment(*, actor: User, contest: Contest) -> JudgeAssignment | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return JudgeAssignment.objects.filter(contest=contest, user=actor).first()


def contestant_list(*, contest: Contest) -> QuerySet[Contestant]:
    return contest.contestants.select_related("org", "member").order_by("id")


def judge_sheet(*, actor: User, contest: Contest) -> dict:
    """What a judge's tablet page shows: contestants by blind/station number only (names never, until
    the lock), the criteria and the judge's own marks; recused contestants are left out (C6, C7)."""
    from .services import _recused

    assignment = judge_assignment(actor=actor, contest=contest)
    if assignment is None:
        raise Http404
    criteria = list(contest.criteria.all())
    contestants = [c for c in contest.contestants.filter(status=ContestantStatus.APPROVED).exclude(blind_number="")
                   if not _recused(contest, assignment, c)]
    contestants.sort(key=lambda c: c.label)
    marks: dict[tuple[int, int], Decimal] = {}
    for cid, crit, h in Score.objects.filter(contest=contest, judge=actor, criterion__isnull=False).values_list(
            "contestant_id", "criterion_id", "hundredths"):
        marks[(cid, crit)] = Decimal(h) / 100
    rows = []
    for c in contestants:
        rows.append({"id": c.pk, "label": c.label, "blind_number": c.blind_number,
                     "station_number": c.station_number,
                     "marks": [marks.get((c.pk, k.pk)) for k in criteria],
                     "done": all((c.pk, k.pk) in marks for k in criteria) if criteria else False})
    return {"assignment": assignment, "criteria": criteria, "rows": rows,
            "is_chief": assignment.role == JudgeRole.CHIEF}


def _part_sums_in_db(*, contest: Contest, criteria: list[int], trimmed: list[int]) -> list[tuple]:
    """(contestant, part, Σ marks in hundredths) for mean / trimmed-mean criteria (C5), in one query.

    Per criterion: mean = round_half_up(Σ/n); trimmed (5 or more judges) = round_half_up((Σ − max − min)/(n − 2)),
    as integers: floor((2a + b) / 2b) is a/b rounded half up for a ≥ 0, b > 0.
    """
    score, criterion = Score._meta.db_table, Criterion._meta.db_table
    mean = "(2 * SUM(s.hundredths) + COUNT(*)) / (2 * COUNT(*))"
    if trimmed:
        mark = (f"CASE WHEN s.criterion_id IN ({', '.join(['%s'] * len(trimmed))}) AND COUNT(*) >= 5 "
                "THEN (2 * (SUM(s.hundredths) - MAX(s.hundredths) - MIN(s.hundredths)) + COUNT(*) - 2) "
                f"/ (2 * (COUNT(*) - 2)) ELSE {mean} END")
    else:
        mark = mean
    all_criteria = set(criteria) == set(Criterion.objects.filter(contest=contest).values_list("id", flat=True))
    # Group by (contestant, criterion) only, so the covering index's order serves the grouping.
    which = "s.criterion_id IS NOT NULL" if all_criteria else f"s.criterion_id IN ({', '.join(['%s'] * len(criteria))})"
    sql = f"""
        SELECT pc.contestant_id, c.part, SUM(pc.mark) FROM (
            SELECT s.contestant_id AS contestant_id, s.criterion_id AS criterion_id,
                   {mark} AS mark
              FROM {score} s
             WHERE s.contest_id = %s AND {which}
             GROUP BY s.contestant_id, s.criterion_id) pc
          JOIN {criterion} c ON c.id = pc.criterion_id
         GROUP BY pc.contestant_id, c.part"""
    params = [*trimmed, contest.pk] + ([] if all_criteria else list(criteria))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def contest_results(*, contest: Contest) -> list[dict]:
    """The full results, ordered by rank, computed from the scores with the event's recorded rules.

    Per contestant: part scores (direct, or the sum of the criterion marks aggregated by C5), the
    weighted total (C1), pass per part (C2), rank (C3), prize and title (C4), promotion (C9), and the
    criteria flagged for re-scoring. Judges' marks are aggregated by the database (sum, max, min,
    count per contestant and criterion, exact integers), the rules applied in Decimal.
    """
    contestants = list(
        Contestant.objects.filter(contest=contest, status=ContestantStatus.APPROVED)
        .values_list("id", "name", "employer", "time_seconds", "blind_number", "station_number")
    )
    parts: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for cid, part, h in Score.objects.filter(contest=contest, criterion__isnull=True).values_list(
            "contestant_id", "part", "hundredths"):
        parts[cid][part] = Decimal(h) / 100
    criteria = {c.pk: c for c in Criterion.objects.filter(contest=contest)}
    flags: dict[int, list[str]] = defaultdict(list)
    if criteria:
        # C5 applies to judgement criteria; measurement marks (already computed per judge) are averaged.
        methods = {pk: ("mean" if c.kind == "measurement" else contest.aggregation) for pk, c in criteria.items()}
        crit_part = {pk: c.part for pk, c in criteria.items()}
        crit_max = {pk: c.max_mark for pk, c in criteria.items()}
        sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        # Mean and trimmed-mean criteria: the database aggregates the judges' marks per criterion and
        # sums them per part, in exact integer hundredths rounded half up (marks are never negative).
        trimmed = [pk for pk, m in methods.items() if m == "trimmed"]
        simple = [pk for pk, m in methods.items() if m in ("mean", "trimmed")]
        if simple:
            for cid, part, hundredths in _part_sums_in_db(contest=contest, criteria=simple, trimmed=trimmed):
                sums[cid][part] += Decimal(int(hundredths)) / 100
        others = [pk for pk in methods if pk not in simple]
        stats = (Score.objects.filter(contest=contest, criterion_id__in=others).order_by()
                 .values("contestant_id", "criterion_id")
                 .annotate(s=Sum("hundredths"), mx=Max("hundredths"), mn=Min("hundredths"), n=Count("id"))
                 .values_list("contestant_id", "criterion_id", "s", "mx", "mn", "n")) if others else []
        for cid, crit, s, mx, mn, n in stats:
            mark, flagged = rules.aggregate_from_stats(
                total=Decimal(s) / 100, high=Decimal(mx) / 100, low=Decimal(mn) / 100, count=n,
                method=methods[crit], max_mark=crit_max[crit])
            if flagged:
                flags[cid].append(criteria[crit].code)
            sums[cid][crit_part[crit]] += mark
        for cid, by_part in sums.items():
            for part, value in by_part.items():
                parts[cid][part] = value
    weights = contest.weights
    pass_marks = {code: contest.part_pass_mark(code) for code in weights}
    places = contest.total_places
    entries = []
    info = {}
    for cid, name, employer, seconds, blind, station in contestants:
        p = parts.get(cid, {})
        passed = {code: rules.part_passed(p.get(code), pass_marks[code]) for code in weights}
        total = rules.weighted_total(p, weights, places=places)
        entries.append(rules.Entry(key=cid, total=total, parts=p, time_seconds=seconds,
                                   passed_all=all(passed.values())))
        info[cid] = (name, employer, blind, station, passed, seconds)
    placed = rules.place_entries(entries, chain=contest.tie_break, scheme=contest.prize_scheme,
                                 require_pass=contest.require_pass_for_prize, promotions=contest.promotion_rules)
    out = []
    for item in placed:
        cid = item.entry.key
        name, employer, blind, station, passed, seconds = info[cid]
        out.append({
            "contestant": cid, "name": name, "employer": employer, "blind_number": blind,
            "station_number": station, "total": item.entry.total, "rank": item.rank, "prize": item.prize,
            "title": item.title, "promotion": item.promotion, "passed": all(passed.values()),
            "passed_parts": passed, "parts": {code: item.entry.parts.get(code) for code in weights},
            "time_seconds": seconds, "flags": flags.get(cid, []),
        })
    return out


def public_results(*, contest: Contest) -> QuerySet[Result]:
    """The published results (the 公示 list)."""
    if contest.published_at is None:
        return Result.objects.none()
    return contest.results.select_related("contestant").order_by("rank", "contestant_id")


def statistics_by_unit(*, contest: Contest) -> list[dict]:
    """Per registering unit (or employer): registered, approved, prizes."""
    rows = (contest.contestants.values("org__code", "org__name", "employer")
            .annotate(registered=Count("id"),
                      approved=Count("id", filter=Q(status=ContestantStatus.APPROVED)),
                      first=Count("id", filter=Q(result__prize="first")),
                      second=Count("id", filter=Q(result__prize="second")),
                      third=Count("id", filter=Q(result__prize="third")))
            .order_by("org__code", "employer"))
    merged: dict[str, dict] = {}
    for r in rows:
        key = r["org__code"] or r["employer"]
        item = merged.setdefault(key, {"unit": r["org__name"] or r["employer"], "code": r["org__code"] or "",
                                       "registered": 0, "approved": 0, "first": 0, "second": 0, "third": 0})
        for k in ("registered", "approved", "first", "second", "third"):
            item[k] += r[k]
    return sorted(merged.values(), key=lambda x: (-x["first"], -x["second"], -x["third"], x["code"], x["unit"]))


def statistics_by_trade(*, actor: User) -> list[dict]:
    """Per trade over the actor's events: events, contestants, prizes."""
    qs = contest_list(actor=actor)
    rows = (Contestant.objects.filter(contest__in=qs.values("pk"))
            .values("contest__trade")
            .annotate(events=Count("contest", distinct=True), contestants=Count("id"),
                      prizes=Count("result", filter=~Q(result__prize="")))
            .order_by("contest__trade"))
    return [{"trade": r["contest__trade"] or "—", "events": r["events"], "contestants": r["contestants"],
             "prizes": r["prizes"]} for r in rows]
