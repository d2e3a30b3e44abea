from django.contrib import admin

from .models import Campaign, CareVisit, DistributionPoint, Item


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "owner", "starts_on", "ends_on", "status"]
    search_fields = ["name"]

    def has_add_permission(self, request):  # writes go through services
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "campaign", "unit_cost", "per_recipient_limit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DistributionPoint)
class PointAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "org", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CareVisit)
class CareVisitAdmin(admin.ModelAdmin):
    list_display = ["visited_unit", "visitors", "visited_at", "campaign"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
