"""Root URLs. Each domain app's `urls.py` gives `urlpatterns` (pages, under /<app>/) and
`api_urlpatterns` (under /api/v1/); apps listed in settings.GONGHUI_DOMAIN_APPS are included here."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from gonghui.core.views import healthz
from gonghui.orgs import views as org_views

api_patterns = []
page_patterns = []
for app in settings.GONGHUI_DOMAIN_APPS:
    module = import_module(f"gonghui.{app}.urls")
    api_patterns += getattr(module, "api_urlpatterns", [])
    if getattr(module, "urlpatterns", None):
        page_patterns.append(path(f"{getattr(module, 'url_prefix', app)}/", include((module.urlpatterns, app))))

urlpatterns = [
    path("", org_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                          redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(
        template_name="registration/password_change.html", success_url="/"), name="password_change"),
    path("me/card/", org_views.my_card, name="my-card"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "img/logo.svg")),
    *page_patterns,
]
