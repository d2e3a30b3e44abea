"""The member's activities on their card page."""

from __future__ import annotations

from django.template.loader import render_to_string

from .selectors import activities_for_member


def section(member) -> str | None:
    signups = list(activities_for_member(member)[:10])
    if not signups:
        return None
    return render_to_string("activities/_my_activities_section.html",
                            {"activity_signups": signups, "compact": True})
