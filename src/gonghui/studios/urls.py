from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "studios"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("studios", api.StudioViewSet, basename="studio")
router.register("alliances", api.AllianceViewSet, basename="alliance")
router.register("topics", api.TopicViewSet, basename="topic")
router.register("achievements", api.AchievementViewSet, basename="achievement")
api_urlpatterns = router.urls

urlpatterns = [
    path("", views.studio_list_view, name="studio-list"),
    path("export.xlsx", views.studio_export, name="studio-export"),
    path("<int:pk>/", views.studio_detail, name="studio-detail"),
    path("<int:pk>/report/", views.studio_report_view, name="studio-report"),
    path("alliances/", views.alliance_list_view, name="alliance-list"),
    path("alliances/export.xlsx", views.alliance_export, name="alliance-export"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance-detail"),
    path("alliances/<int:pk>/manage/", views.alliance_manage, name="alliance-manage"),
    path("alliances/<int:pk>/report/", views.alliance_report_view, name="alliance-report"),
    path("topics/", views.topic_list_view, name="topic-list"),
    path("topics/export.xlsx", views.topic_export, name="topic-export"),
    path("topics/new/", views.topic_create_view, name="topic-create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic-detail"),
    path("topics/<int:pk>/review/", views.topic_review_view, name="topic-review"),
    path("topics/<int:pk>/<str:action>/", views.topic_action_view, name="topic-action"),
    path("achievements/", views.achievement_list_view, name="achievement-list"),
    path("achievements/export.xlsx", views.achievement_export, name="achievement-export"),
    path("lectures/", views.lecture_list_view, name="lecture-list"),
    path("lectures/<int:pk>/", views.lecture_detail, name="lecture-detail"),
    path("mentorships/", views.mentorship_list_view, name="mentorship-list"),
    path("mentorships/export.xlsx", views.mentorship_export, name="mentorship-export"),
    path("checks/", views.check_list_view, name="check-list"),
]
