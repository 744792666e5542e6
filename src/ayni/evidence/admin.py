from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.evidence.models import Study


@admin.register(Study)
class StudyAdmin(AuditedAdmin):
    list_display = ["title_es", "kind", "year", "status", "is_illustrative"]
    list_filter = ["kind", "status", "year"]
    filter_horizontal = ["results", "partners", "locations"]
