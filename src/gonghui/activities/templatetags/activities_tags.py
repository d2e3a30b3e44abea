"""`{% load activities_tags %}{% my_activities member %}` renders a member's activities (for /me/card/)."""

from django import template

from gonghui.activities.selectors import activities_for_member

register = template.Library()


@register.inclusion_tag("activities/_my_activities.html")
def my_activities(member, limit: int = 10):
    signups = list(activities_for_member(member)[:limit]) if member is not None else []
    return {"activity_signups": signups, "compact": True}
