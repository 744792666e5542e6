from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.partners.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "acronym", "type", "country_office", "is_illustrative"]
    list_filter = ["country_office", "type"]
    search_fields = ["name", "acronym"]
