from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.programmes.models import (
    Approach,
    CountryProgramme,
    FocusPopulation,
    Framework,
    FrameworkGoal,
    Result,
    Workplan,
    WorkplanActivity,
)


@admin.register(CountryProgramme)
class CountryProgrammeAdmin(AuditedAdmin):
    list_display = ["code", "title_es", "start_year", "end_year", "planned_total", "currency"]


@admin.register(Result)
class ResultAdmin(AuditedAdmin):
    list_display = ["code", "title_es", "level", "programme", "retired_at", "is_illustrative"]
    list_filter = ["programme", "level", "is_illustrative"]
    search_fields = ["code", "title_es", "title_en"]
    # The tree (parent, position, path) changes only through programmes.services.
    readonly_fields = ["parent", "position", "path", "level", "programme"]


class GoalInline(admin.TabularInline):
    model = FrameworkGoal
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ["code", "kind", "name_es"]
    inlines = [GoalInline]


class ActivityInline(admin.TabularInline):
    model = WorkplanActivity
    extra = 0
    raw_id_fields = ["result", "locations"]


@admin.register(Workplan)
class WorkplanAdmin(AuditedAdmin):
    list_display = ["year", "title_es", "partner", "region", "status"]
    inlines = [ActivityInline]


admin.site.register(Approach, AuditedAdmin)
admin.site.register(FocusPopulation, AuditedAdmin)
admin.site.register(FrameworkGoal, AuditedAdmin)
