"""The one permission class of the API: logged in, holding a role; objects are scoped by querysets."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .choices import READ_ROLES, WRITE_ROLES
from .scope import scope_paths

__all__ = ["ScopedPermission"]


class ScopedPermission(BasePermission):
    """Anonymous → 401; no role anywhere → 403; a write needs a write role somewhere.

    Whether a given object is reachable is decided by the view's scoped queryset (out of scope → 404)
    and whether the actor may change it by the service (viewer on that subtree → 403).
    A view may set `read_roles` / `write_roles` to widen or narrow who may call it.
    """

    message = "您没有执行此操作的权限"

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        roles = getattr(view, "read_roles", READ_ROLES)
        if request.method not in SAFE_METHODS:
            roles = getattr(view, "write_roles", WRITE_ROLES)
        paths = scope_paths(user, roles)
        return paths is None or bool(paths)
