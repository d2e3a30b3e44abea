from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "contests"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("contests", api.ContestViewSet, basename="contest")
api_urlpatterns = router.urls

urlpatterns = [
    path("", views.contest_list_view, name="contest-list"),
    path("export.xlsx", views.contest_export, name="contest-export"),
    path("statistics/", views.statistics_view, name="statistics"),
    path("<int:pk>/", views.contest_detail, name="contest-detail"),
    path("<int:pk>/register/", views.register_view, name="register"),
    path("<int:pk>/register/import/", views.register_import_view, name="register-import"),
    path("<int:pk>/contestants/<int:cid>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/contestants/export.xlsx", views.contestant_export, name="contestant-export"),
    path("<int:pk>/blind-numbers/", views.blind_numbers_view, name="blind-numbers"),
    path("<int:pk>/check-in/", views.check_in_view, name="check-in"),
    path("<int:pk>/judge/", views.judge_view, name="judge"),
    path("<int:pk>/judge/<int:cid>/", views.judge_mark_view, name="judge-mark"),
    path("<int:pk>/theory-import/", views.theory_import_view, name="theory-import"),
    path("<int:pk>/lock/", views.lock_view, name="lock"),
    path("<int:pk>/appeal/", views.appeal_view, name="appeal"),
    path("<int:pk>/publish/", views.publish_view, name="publish"),
    path("<int:pk>/results/", views.results_view, name="results"),
    path("<int:pk>/results.xlsx", views.results_export, name="results-export"),
    path("<int:pk>/certificates/issue/", views.certificates_issue_view, name="certificates-issue"),
    path("<int:pk>/certificates.pdf", views.certificates_pdf, name="certificates-pdf"),
    path("<int:pk>/notice/", views.notice_view, name="notice"),
]
