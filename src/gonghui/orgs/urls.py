from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "orgs"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("orgs", api.OrganisationViewSet, basename="org")
router.register("members", api.MemberViewSet, basename="member")
router.register("audit", api.AuditViewSet, basename="audit")
api_urlpatterns = router.urls

urlpatterns = [
    path("", views.org_home, name="org-home"),
    path("<int:pk>/", views.org_detail, name="org-detail"),
    path("<int:pk>/tree/", views.org_tree_children, name="org-tree-children"),
    path("<int:pk>/edit/", views.org_edit, name="org-edit"),
    path("<int:pk>/new-child/", views.org_create_child, name="org-create-child"),
    path("<int:pk>/members/new/", views.member_create_view, name="member-create"),
    path("<int:pk>/members/export.xlsx", views.member_export, name="member-export"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("members/<int:pk>/transfer/", views.member_transfer_view, name="member-transfer"),
    path("members/<int:pk>/reveal/", views.member_reveal_view, name="member-reveal"),
    path("members/<int:pk>/card/", views.member_card, name="member-card"),
    path("members/<int:pk>/qr.svg", views.member_qr, name="member-qr"),
    path("audit/", views.audit_list_view, name="audit-list"),
    path("audit/export.xlsx", views.audit_export, name="audit-export"),
]
