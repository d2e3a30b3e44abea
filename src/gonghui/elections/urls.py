from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "elections"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("elections", api.ElectionViewSet, basename="election")
api_urlpatterns = router.urls

urlpatterns = [
    path("", views.index, name="index"),
    path("terms/", views.terms, name="terms"),
    path("rules/", views.rule_set_edit, name="rules"),
    path("plans/new/", views.plan_new, name="plan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/report/", views.report, name="report"),
    path("plans/<int:pk>/report.pdf", views.report_pdf_view, name="report-pdf"),
    path("<int:pk>/", views.election_detail, name="election-detail"),
    path("<int:pk>/meeting/", views.meeting, name="meeting"),
    path("<int:pk>/quorum/", views.quorum, name="quorum"),
    path("<int:pk>/count/", views.count, name="count"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/ballot.pdf", views.ballot_pdf_view, name="ballot-pdf"),
]
