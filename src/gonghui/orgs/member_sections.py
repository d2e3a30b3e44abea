"""What a member's own card page shows from the other modules (activities, contests, welfare …).

A domain app contributes `member_page.py` with `section(member) -> str | None`: a rendered HTML
fragment of what that member signed up for, attended or received, or None when there is nothing.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from .models import Member

__all__ = ["member_sections"]


def member_sections(member: Member) -> list[SafeString]:
    sections = []
    for app in settings.GONGHUI_DOMAIN_APPS:
        name = f"gonghui.{app}.member_page"
        if find_spec(name) is None:
            continue
        html = import_module(name).section(member)
        if html:
            sections.append(mark_safe(html))  # rendered by the app's own (autoescaping) template
    return sections
