"""`{% load welfare_tags %}{% my_received member %}`: what a worker received, for their card page."""

from django import template

from gonghui.welfare.selectors import issuances_for_member

register = template.Library()


@register.inclusion_tag("welfare/_my_received.html")
def my_received(member, limit: int = 50):
    rows = list(issuances_for_member(member)[:limit]) if member is not None else []
    return {"welfare_received": rows}
