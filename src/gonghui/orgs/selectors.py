"""Reads of the orgs app, always scoped to the actor's subtree(s)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from gonghui.core.choices import READ_ROLES
from gonghui.core.crypto import lookup_hash
from gonghui.core.models import AuditEvent
from gonghui.core.scope import scope_filter, scope_paths
from gonghui.core.validators import normalize_text

from .models import CARD_SALT, Member, Organisation

__all__ = [
    "audit_list",
    "member_by_card_token",
    "member_by_id_number",
    "member_by_phone",
    "member_get",
    "member_list",
    "member_search_q",
    "org_by_code",
    "org_get",
    "org_list",
    "org_roots",
    "org_search_q",
    "org_tree",
]

User = AbstractBaseUser | AnonymousUser


def org_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Organisation]:
    return scope_filter(Organisation.objects.all(), actor, path_field="path", roles=roles).order_by("path")


def org_get(*, actor: User, pk: Any) -> Organisation:
    try:
        return org_list(actor=actor).get(pk=int(pk))
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404


def org_by_code(*, actor: User, code: str) -> Organisation:
    try:
        return org_list(actor=actor).get(code=normalize_text(code))
    except Organisation.DoesNotExist:
        raise Http404


def org_roots(*, actor: User) -> QuerySet[Organisation]:
    """The top organisations of the actor's scope (the tree's starting points)."""
    paths = scope_paths(actor, READ_ROLES)
    if paths is None:
        return Organisation.objects.get_root_nodes()
    return Organisation.objects.filter(path__in=paths).order_by("path")


def org_search_q(q: str) -> Q:
    q = normalize_text(q)
    if not q:
        return Q()
    condition = Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__iexact=q)
    if re.fullmatch(r"[A-Za-z]+", q):
        condition |= Q(name_pinyin__startswith=q.lower()) | Q(name_initials__startswith=q.lower())
    return condition


def org_tree(*, actor: User, within: Organisation | None = None, depth: int = 2) -> list[dict]:
    """Nested dicts of the organisations below the scope roots (or `within`), `depth` levels deep."""
    roots = [within] if within is not None else list(org_roots(actor=actor))
    result = []
    for root in roots:
        nodes = list(
            Organisation.objects.filter(path__startswith=root.path, depth__lte=root.depth + depth)
            .annotate(member_count=Count("members", filter=Q(members__status="active")))
            .order_by("path")
        )
        by_path: dict[str, dict] = {}
        for node in nodes:
            item = {"id": node.pk, "code": node.code, "name": node.name, "type": node.type,
                    "status": node.status, "member_count": node.member_count,
                    "has_children": node.numchild > 0, "children": []}
            by_path[node.path] = item
            parent = by_path.get(node.path[: -Organisation.steplen])
            if parent is not None and node.pk != root.pk:
                parent["children"].append(item)
        result.append(by_path[root.path])
    return result


def member_search_q(q: str) -> Q:
    """Search by name, full pinyin, pinyin initials, card number or the last 4 digits of the phone."""
    q = normalize_text(q).replace(" ", "")
    if not q:
        return Q()
    condition = Q(name__icontains=q)
    if re.fullmatch(r"[A-Za-z]+", q):
        low = q.lower()
        condition |= Q(name_pinyin__startswith=low) | Q(name_initials__startswith=low)
    if re.fullmatch(r"\d{4}", q):
        condition |= Q(phone_last4=q)
    if re.fullmatch(r"\d{12}", q):
        condition |= Q(card_no=q)
    return condition


def member_list(*, actor: User, roles=READ_ROLES) -> QuerySet[Member]:
    return scope_filter(Member.objects.select_related("org"), actor, roles=roles)


def member_get(*, actor: User, pk: Any) -> Member:
    try:
        return member_list(actor=actor).get(pk=int(pk))
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404


def member_by_card_token(*, token: str) -> Member | None:
    """The member a QR token names, or None if it is forged, stale or unknown (no scope check)."""
    try:
        data = signing.loads(normalize_text(token), salt=CARD_SALT)
    except signing.BadSignature:
        return None
    member = Member.objects.select_related("org").filter(card_no=data.get("c")).first()
    if member is None or member.card_nonce != data.get("n"):
        return None
    return member


def member_by_id_number(*, id_number: str) -> Member | None:
    from gonghui.core.validators import normalize_id_number

    number = normalize_id_number(id_number)
    return Member.objects.select_related("org").filter(id_number_hash=lookup_hash("id", number)).first()


def member_by_phone(*, phone: str) -> Member | None:
    from gonghui.core.validators import normalize_phone

    number = normalize_phone(phone)
    return (
        Member.objects.select_related("org").filter(phone_hash=lookup_hash("phone", number))
        .order_by("-status", "id").first()
    )


def audit_list(*, actor: User) -> QuerySet[AuditEvent]:
    return scope_filter(AuditEvent.objects.all(), actor, path_field="org_path")
