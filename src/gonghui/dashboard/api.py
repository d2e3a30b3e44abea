from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from gonghui.orgs import selectors as org_selectors

from .selectors import dashboard_period, dashboard_sections, dashboard_stories


class DashboardView(APIView):
    """Figures and charts of an organisation's subtree for a period (default: this year)."""

    @extend_schema(parameters=[OpenApiParameter("org", str, description="组织代码（默认：您的顶级组织）"),
                               OpenApiParameter("start", str), OpenApiParameter("end", str)],
                   responses={200: dict})
    def get(self, request):
        code = request.query_params.get("org")
        if code:
            org = org_selectors.org_by_code(actor=request.user, code=code)
        else:
            org = org_selectors.org_roots(actor=request.user).first()
        start, end = dashboard_period(request.query_params.get("start"), request.query_params.get("end"))
        return Response({
            "org": org.code, "start": start, "end": end,
            "sections": [s.as_dict() for s in dashboard_sections(org=org, start=start, end=end)],
            "stories": [{"key": s.key, "headline": s.headline, "numbers": s.numbers, "text": s.text, "url": s.url}
                        for s in dashboard_stories(org=org)],
        })
