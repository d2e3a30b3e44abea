from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core.exports import xlsx_response
from gonghui.orgs import selectors as org_selectors

from .selectors import dashboard_period, dashboard_sections, dashboard_stories


@login_required
def home(request):
    root = org_selectors.org_roots(actor=request.user).first()
    if root is None:
        raise PermissionDenied
    return redirect("dashboard:org", pk=root.pk)


@login_required
def org_dashboard(request, pk: int):
    org = org_selectors.org_get(actor=request.user, pk=pk)
    start, end = dashboard_period(request.GET.get("start"), request.GET.get("end"))
    sections = dashboard_sections(org=org, start=start, end=end)
    charts = {f"{s.key}-{c.key}": {"title": c.title, "kind": c.kind, "categories": c.categories,
                                   "series": c.series} for s in sections for c in s.charts}
    today = dt.date.today()
    presets = [(_("今年"), dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)),
               (_("去年"), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)),
               (_("近三年"), dt.date(today.year - 2, 1, 1), dt.date(today.year, 12, 31))]
    return render(request, "dashboard/org.html", {
        "presets": presets, "no_data_text": _("本期暂无数据"),
        "org": org, "start": start, "end": end, "sections": sections,
        "stories": dashboard_stories(org=org), "charts": charts,
        "children": org_selectors.org_list(actor=request.user).filter(
            path__startswith=org.path, depth=org.depth + 1),
    })


@login_required
def chart_export(request, pk: int, section: str, chart: str):
    org = org_selectors.org_get(actor=request.user, pk=pk)
    start, end = dashboard_period(request.GET.get("start"), request.GET.get("end"))
    for s in dashboard_sections(org=org, start=start, end=end):
        if s.key != section:
            continue
        for c in s.charts:
            if c.key == chart:
                headers, rows = c.rows()
                return xlsx_response(f"{org.code}-{section}-{chart}.xlsx", headers, rows, sheet=c.title)
    raise Http404
