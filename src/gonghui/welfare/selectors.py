"""Reads of welfare campaigns, scoped to the actor. Progress is computed by database aggregates."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Length, Substr, TruncDate
from django.http import Http404

from gonghui.core.choices import READ_ROLES
from gonghui.core.scope import scope_filter, scope_paths
from gonghui.core.validators import normalize_text
from gonghui.orgs.models import Member, Organisation

from .choices import TargetGroup
from .models import Allotment, Campaign, CareVisit, DistributionPoint, Issuance, Item, Stock, SyncConflict
from .services import ISSUE_ROLES

__all__ = [
    "allotment_rows",
    "campaign_get",
    "campaign_list",
    "campaign_search_q",
    "conflict_list",
    "issuance_list",
    "issuances_for_member",
    "point_for_issue",
    "point_list",
    "points_for_actor",
    "progress",
    "received_by",
    "stock_rows",
    "visit_list",
]

User = AbstractBaseUser | AnonymousUser
STEP = Organisation.steplen


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def campaign_list(*, actor: User, roles=READ_ROLES + ISSUE_ROLES) -> QuerySet[Campaign]:
    """Campaigns whose owner is in the actor's subtree, or above it (a district's campaign reaches its
    streets and their distributors)."""
    qs = Campaign.objects.select_related("owner")
    paths = scope_paths(actor, tuple(dict.fromkeys(roles)))
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    condition = Q()
    for path in paths:
        condition |= Q(owner__path__startswith=path) | Q(owner__path__in=_ancestor_paths(path))
    return qs.filter(condition)


def campaign_search_q(q: str) -> Q:
    q = normalize_text(q)
    if not q:
        return Q()
    condition = Q(name__icontains=q) | Q(owner__name__icontains=q) | Q(owner__code__iexact=q)
    if q.isascii() and q.isalpha():
        condition |= Q(name_pinyin__startswith=q.lower()) | Q(name_initials__startswith=q.lower())
    return condition


def campaign_get(*, actor: User, pk: Any, roles=READ_ROLES + ISSUE_ROLES) -> Campaign:
    try:
        return campaign_list(actor=actor, roles=roles).get(pk=int(pk))
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise Http404


def point_list(*, actor: User, campaign: Campaign, roles=READ_ROLES + ISSUE_ROLES) -> QuerySet[DistributionPoint]:
    qs = DistributionPoint.objects.select_related("org").filter(org__path__startswith=campaign.owner.path)
    return scope_filter(qs, actor, roles=tuple(dict.fromkeys(roles)))


def points_for_actor(*, actor: User, campaign: Campaign) -> QuerySet[DistributionPoint]:
    """Points where the actor may issue in this campaign."""
    return point_list(actor=actor, campaign=campaign, roles=ISSUE_ROLES).filter(is_active=True)


def point_for_issue(*, actor: User, campaign: Campaign, code: str) -> DistributionPoint:
    try:
        return points_for_actor(actor=actor, campaign=campaign).get(code=normalize_text(code).upper())
    except DistributionPoint.DoesNotExist:
        raise Http404


def _org_in_campaign(campaign: Campaign, code: str | None) -> Organisation:
    if not code:
        return campaign.owner
    org = Organisation.objects.filter(code=normalize_text(code)).first()
    if org is None or not (org.path.startswith(campaign.owner.path) or campaign.owner.path.startswith(org.path)):
        raise Http404
    return org


def progress(*, actor: User, campaign: Campaign, org_code: str | None = None) -> dict:
    """Allotted, issued and remaining for an organisation's subtree, by item, target group, day and child."""
    org = _org_in_campaign(campaign, org_code)
    paths = scope_paths(actor, tuple(dict.fromkeys(READ_ROLES + ISSUE_ROLES)))
    if paths is not None and not any(org.path.startswith(p) or p.startswith(org.path) for p in paths):
        raise Http404
    path = org.path
    # The topmost allotments inside the subtree: their parent lies outside it (or they have none).
    top = Allotment.objects.filter(campaign=campaign, org__path__startswith=path).filter(
        Q(parent__isnull=True) | ~Q(parent__org__path__startswith=path))
    issued_qs = Issuance.objects.filter(campaign=campaign, point__org__path__startswith=path)
    allotted_by_item = dict(top.values_list("item_id").annotate(n=Sum("quantity")).values_list("item_id", "n"))
    issued_by_item = dict(issued_qs.values_list("item_id").annotate(n=Count("id")).values_list("item_id", "n"))
    stock_by_item = dict(
        Stock.objects.filter(item__campaign=campaign, point__org__path__startswith=path).values_list("item_id")
        .annotate(n=Sum(F("received") + F("transferred_in") - F("transferred_out") - F("issued"),
                        output_field=IntegerField()))
        .values_list("item_id", "n"))
    items = []
    for item in Item.objects.filter(campaign=campaign).order_by("code"):
        a, i = int(allotted_by_item.get(item.pk) or 0), int(issued_by_item.get(item.pk) or 0)
        items.append({"code": item.code, "name": item.name, "contents": item.contents,
                      "unit_cost": str(item.unit_cost), "per_recipient_limit": item.per_recipient_limit,
                      "allotted": a, "issued": i, "remaining": a - i,
                      "in_stock": int(stock_by_item.get(item.pk) or 0)})
    allotted = sum(x["allotted"] for x in items)
    issued = sum(x["issued"] for x in items)
    labels = dict(TargetGroup.choices)
    by_group = [{"target_group": g, "label": str(labels.get(g, g)), "issued": n}
                for g, n in issued_qs.values_list("target_group").annotate(n=Count("id")).order_by("-n")
                .values_list("target_group", "n")]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    by_day = [{"date": d.isoformat(), "issued": n}
              for d, n in issued_qs.annotate(day=TruncDate("issued_at", tzinfo=tz)).values_list("day")
              .annotate(n=Count("id")).order_by("day").values_list("day", "n")]
    # Children: each direct child organisation with an allotment or issuances in its subtree.
    child_len = len(path) + STEP
    child_issued = dict(
        issued_qs.annotate(plen=Length("point__org__path")).filter(plen__gte=child_len)
        .annotate(prefix=Substr("point__org__path", 1, child_len)).values_list("prefix")
        .annotate(n=Count("id")).values_list("prefix", "n"))
    # A child's allotted quantity: its subtree's allotments whose parent lies outside that child's subtree.
    child_allotted = dict(
        Allotment.objects.filter(campaign=campaign, org__path__startswith=path).exclude(org__path=path)
        .annotate(prefix=Substr("org__path", 1, child_len),
                  parent_prefix=Substr("parent__org__path", 1, child_len))
        .filter(Q(parent__isnull=True) | ~Q(parent_prefix=F("prefix")))
        .values_list("prefix").annotate(n=Coalesce(Sum("quantity"), 0)).values_list("prefix", "n"))
    own_issued = issued_qs.filter(point__org__path=path).count()
    children = []
    prefixes = sorted(set(child_issued) | set(child_allotted))
    for child in Organisation.objects.filter(path__in=prefixes).order_by("path"):
        a, i = int(child_allotted.get(child.path) or 0), int(child_issued.get(child.path) or 0)
        children.append({"org": child.code, "name": child.name, "allotted": a, "issued": i, "remaining": a - i})
    visits = CareVisit.objects.filter(campaign=campaign).filter(
        Q(org__path__startswith=path) | Q(visited_org__path__startswith=path)).aggregate(
        n=Count("id"), people=Coalesce(Sum("people_count"), 0))
    return {
        "campaign": campaign.pk, "org": org.code, "org_name": org.name,
        "allotted": allotted, "issued": issued, "remaining": allotted - issued,
        "issued_here": own_issued, "in_stock": sum(x["in_stock"] for x in items),
        "items": items, "by_target_group": by_group, "by_day": by_day, "children": children,
        "visits": visits["n"], "visited_people": int(visits["people"] or 0),
    }


def allotment_rows(*, actor: User, campaign: Campaign) -> QuerySet[Allotment]:
    qs = Allotment.objects.filter(campaign=campaign).select_related("org", "item", "parent__org")
    paths = scope_paths(actor, tuple(dict.fromkeys(READ_ROLES + ISSUE_ROLES)))
    if paths is None:
        return qs.order_by("org__path", "item__code")
    condition = Q()
    for p in paths:
        condition |= Q(org__path__startswith=p) | Q(org__path__in=_ancestor_paths(p))
    return qs.filter(condition).order_by("org__path", "item__code")


def stock_rows(*, actor: User, campaign: Campaign) -> QuerySet[Stock]:
    qs = Stock.objects.filter(item__campaign=campaign).select_related("point", "point__org", "item")
    return scope_filter(qs, actor, path_field="point__org__path",
                        roles=tuple(dict.fromkeys(READ_ROLES + ISSUE_ROLES))).order_by("point__code", "item__code")


def issuance_list(*, actor: User, campaign: Campaign) -> QuerySet[Issuance]:
    qs = Issuance.objects.filter(campaign=campaign).select_related("point", "item", "distributor")
    return scope_filter(qs, actor, path_field="point__org__path",
                        roles=tuple(dict.fromkeys(READ_ROLES + ISSUE_ROLES)))


def conflict_list(*, actor: User, campaign: Campaign) -> QuerySet[SyncConflict]:
    qs = SyncConflict.objects.filter(campaign=campaign).select_related("point", "item", "existing__point")
    return scope_filter(qs, actor, path_field="point__org__path",
                        roles=tuple(dict.fromkeys(READ_ROLES + ISSUE_ROLES)))


def visit_list(*, actor: User, campaign: Campaign) -> QuerySet[CareVisit]:
    qs = CareVisit.objects.filter(campaign=campaign).select_related("org", "visited_org").prefetch_related(
        "photos")
    return scope_filter(qs, actor, roles=READ_ROLES)


def received_by(*, campaign: Campaign, recipient_key: str) -> list[dict]:
    """What one recipient has received in a campaign (for the distributor's screen)."""
    rows = (Issuance.objects.filter(campaign=campaign, recipient_key=recipient_key)
            .select_related("item", "point").order_by("issued_at"))
    return [{"item": r.item.code, "item_name": r.item.name, "point": r.point.name,
             "issued_at": r.issued_at.isoformat()} for r in rows]


def issuances_for_member(member: Member) -> QuerySet[Issuance]:
    """Everything a worker received, by their canonical key (also what was issued before they joined)."""
    return (Issuance.objects.filter(recipient_key=member.id_number_hash)
            .select_related("campaign", "item", "point").order_by("-issued_at"))
