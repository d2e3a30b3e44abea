from django.conf import settings


def navigation(request):
    """What every page's frame needs: the product name and whether the user is staff."""
    from .choices import READ_ROLES
    from .scope import scope_paths

    user = getattr(request, "user", None)
    is_staff_user = False
    if user is not None and user.is_authenticated:
        paths = scope_paths(user, READ_ROLES)
        is_staff_user = paths is None or bool(paths)
    return {"GONGHUI_PRODUCTION": settings.PRODUCTION, "is_staff_user": is_staff_user}
