"""The member's skills-contest entries and published results on their card page."""

from __future__ import annotations

from django.template.loader import render_to_string

from .models import Contestant


def section(member) -> str | None:
    entries = list(Contestant.objects.filter(member=member).select_related("contest", "result")
                   .order_by("-contest__held_on", "-id")[:10])
    if not entries:
        return None
    return render_to_string("contests/_my_contests.html", {"entries": entries})
