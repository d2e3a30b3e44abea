"""Scope: a role on an organisation reaches its whole subtree.

Every list, detail, export and write goes through these helpers. The organisation tree is a
materialised path, so "in the subtree of X" is `path LIKE X.path || '%'`, one indexed prefix query.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .choices import ADMIN_ROLES, READ_ROLES, WRITE_ROLES, Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from gonghui.orgs.models import Organisation

__all__ = [
    "ADMIN_ROLES",
    "READ_ROLES",
    "WRITE_ROLES",
    "has_any_role",
    "has_role_on",
    "scope_filter",
    "scope_paths",
]

_CACHE_ATTR = "_gonghui_scope_cache"


def _minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by a shorter prefix in the list."""
    result: list[str] = []
    for path in sorted(set(paths), key=lambda p: (len(p), p)):
        if not any(path.startswith(p) for p in result):
            result.append(path)
    return sorted(result)


def scope_paths(user: AbstractBaseUser | AnonymousUser, roles: Sequence[str] = READ_ROLES) -> list[str] | None:
    """Tree paths the user reaches with any of `roles`; None means everything (superuser)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if user.is_superuser:
        return None
    cache = getattr(user, _CACHE_ATTR, None)
    if cache is None:
        from .models import RoleAssignment

        cache = {}
        for role, path in RoleAssignment.objects.filter(user=user).values_list("role", "org__path"):
            cache.setdefault(role, []).append(path)
        setattr(user, _CACHE_ATTR, cache)
    return _minimal_prefixes(p for r in roles for p in cache.get(str(r), []))


def forget_scope(user: object) -> None:
    """Drop the per-request cache of a user's roles (after granting or revoking a role)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def scope_filter(
    queryset: QuerySet,
    user: AbstractBaseUser | AnonymousUser,
    *,
    path_field: str = "org__path",
    roles: Sequence[str] = READ_ROLES,
) -> QuerySet:
    """Keep the rows whose organisation lies in the user's subtree(s)."""
    paths = scope_paths(user, roles)
    if paths is None:
        return queryset
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{path_field}__startswith": path})
    return queryset.filter(condition)


def has_role_on(
    user: AbstractBaseUser | AnonymousUser, org: Organisation, roles: Sequence[str] = WRITE_ROLES
) -> bool:
    """True when one of the user's `roles` is on `org` or one of its ancestors."""
    paths = scope_paths(user, roles)
    if paths is None:
        return True
    return any(org.path.startswith(p) for p in paths)


def has_any_role(user: AbstractBaseUser | AnonymousUser, roles: Sequence[str] = tuple(Role)) -> bool:
    paths = scope_paths(user, roles)
    return paths is None or bool(paths)
