from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "activities"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("activities", api.ActivityViewSet, basename="activity")
api_urlpatterns = router.urls

urlpatterns = [
    # staff
    path("", views.activity_list, name="activity-list"),
    path("new/", views.activity_create, name="activity-create"),
    path("<int:pk>/", views.activity_detail, name="activity-detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("<int:pk>/status/", views.activity_status, name="activity-status"),
    path("<int:pk>/member-search/", views.member_search, name="member-search"),
    path("<int:pk>/signups/", views.signup_add, name="signup-add"),
    path("<int:pk>/signups/<int:signup_pk>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("<int:pk>/signups/<int:signup_pk>/checkin/", views.signup_checkin, name="signup-checkin"),
    path("<int:pk>/checkin/", views.checkin_page, name="activity-checkin"),
    path("<int:pk>/attendance.xlsx", views.attendance_export, name="attendance-export"),
    path("<int:pk>/photos/", views.photo_upload, name="photo-upload"),
    path("<int:pk>/photos/<int:photo_pk>/delete/", views.photo_delete, name="photo-delete"),
    path("<int:pk>/photos/<int:photo_pk>/image", views.photo_image, name="photo-image"),
    path("<int:pk>/report/", views.report_edit, name="report-edit"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report-pdf"),
    path("<int:pk>/report.docx", views.report_docx, name="report-docx"),
    # members (mobile)
    path("mine/", views.my_activities, name="mine"),
    path("m/<int:pk>/", views.member_activity, name="member-activity"),
    path("m/<int:pk>/signup/", views.member_signup, name="member-signup"),
    path("m/<int:pk>/cancel/", views.member_cancel, name="member-cancel"),
]
