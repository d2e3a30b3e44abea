from django.contrib import admin

from .models import Activity, Photo, Signup


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["theme", "kind", "org", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["theme", "theme_pinyin", "place"]
    raw_id_fields = ["org", "audience_org", "co_orgs", "audience_units", "created_by"]
    readonly_fields = ["next_seq"]


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["activity", "member", "status", "seq", "checked_in_at"]
    list_filter = ["status"]
    raw_id_fields = ["activity", "member", "signed_up_by", "checked_in_by"]

    def has_change_permission(self, request, obj=None):  # writes go through the services
        return False


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["activity", "caption", "credit", "position"]
    raw_id_fields = ["activity", "uploaded_by"]
