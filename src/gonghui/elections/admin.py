from django.contrib import admin

from .models import Election, ElectionPlan, ElectionReport, Officer, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "org", "quorum_strict", "threshold_base", "competitive_pct", "updated_at"]


@admin.register(ElectionPlan)
class ElectionPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "org", "kind", "meeting_type", "state"]
    readonly_fields = [f.name for f in ElectionPlan._meta.concrete_fields]


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["org", "body", "seats", "due", "method", "state"]
    readonly_fields = [f.name for f in Election._meta.concrete_fields]


@admin.register(ElectionReport)
class ElectionReportAdmin(admin.ModelAdmin):
    list_display = ["plan", "to_org", "state", "submitted_at", "decided_at"]
    readonly_fields = [f.name for f in ElectionReport._meta.concrete_fields]


@admin.register(Officer)
class OfficerAdmin(admin.ModelAdmin):
    list_display = ["org", "body", "name", "term_start", "term_end"]
    readonly_fields = [f.name for f in Officer._meta.concrete_fields]
