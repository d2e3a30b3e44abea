"""What the member received in welfare campaigns, on their card page."""

from __future__ import annotations

from django.template.loader import render_to_string

from .selectors import issuances_for_member


def section(member) -> str | None:
    rows = list(issuances_for_member(member)[:50])
    if not rows:
        return None
    return render_to_string("welfare/_my_received.html", {"welfare_received": rows})
