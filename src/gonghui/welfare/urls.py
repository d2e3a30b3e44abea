from django.urls import path
from rest_framework.routers import DefaultRouter

from . import api, views

app_name = "welfare"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("campaigns", api.CampaignViewSet, basename="campaign")
api_urlpatterns = router.urls

urlpatterns = [
    path("", views.campaign_list_view, name="campaign-list"),
    path("new/", views.campaign_create_view, name="campaign-create"),
    path("export.xlsx", views.campaign_export, name="campaign-export"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/items/new/", views.item_create_view, name="item-create"),
    path("<int:pk>/allotments/new/", views.allotment_view, name="allotment-set"),
    path("<int:pk>/points/new/", views.point_create_view, name="point-create"),
    path("<int:pk>/stock/receive/", views.stock_receive_view, name="stock-receive"),
    path("<int:pk>/stock/transfer/", views.stock_transfer_view, name="stock-transfer"),
    path("<int:pk>/progress.xlsx", views.progress_export, name="progress-export"),
    path("<int:pk>/issuances/", views.issuance_list_view, name="issuance-list"),
    path("<int:pk>/issuances.xlsx", views.issuance_export, name="issuance-export"),
    path("<int:pk>/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/conflicts/", views.conflict_list_view, name="conflict-list"),
    path("<int:pk>/conflicts/<int:cid>/resolve/", views.conflict_resolve_view, name="conflict-resolve"),
    path("<int:pk>/visits/", views.visit_list_view, name="visit-list"),
    path("<int:pk>/visits/new/", views.visit_create_view, name="visit-create"),
]
