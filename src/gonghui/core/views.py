"""Mixins and small views shared by every app's pages."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import JsonResponse

from .choices import READ_ROLES
from .scope import scope_filter, scope_paths

__all__ = ["ScopedViewMixin", "healthz"]


class ScopedViewMixin(LoginRequiredMixin):
    """A page for staff: login required, a role required, and `self.scoped(qs)` for every lookup."""

    read_roles = READ_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            paths = scope_paths(request.user, self.read_roles)
            if paths is not None and not paths:
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped(self, queryset, *, path_field: str = "org__path"):
        return scope_filter(queryset, self.request.user, path_field=path_field, roles=self.read_roles)


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the health check reports, it does not raise
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
