from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.partners.models import Agreement, Organisation, PartnerReport


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "acronym", "type", "country_office", "is_illustrative"]
    list_filter = ["country_office", "type"]
    search_fields = ["name", "acronym"]


class PartnerReportInline(admin.TabularInline):
    model = PartnerReport
    extra = 0
    fields = ["period_start", "period_end", "status", "submitted_at"]
    readonly_fields = ["status", "submitted_at"]
    show_change_link = True


@admin.register(Agreement)
class AgreementAdmin(AuditedAdmin):
    # The status moves only through partners.workflow, so it is shown, never edited, here;
    # its steps are in the workflow events (core).
    list_display = ["reference", "title", "organisation", "type", "status", "country_office"]
    list_filter = ["country_office", "status", "type"]
    search_fields = ["reference", "title", "organisation__name", "organisation__acronym"]
    readonly_fields = ["status", "signed_date"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["results", "locations"]
    list_select_related = ["organisation", "country_office"]
    inlines = [PartnerReportInline]


@admin.register(PartnerReport)
class PartnerReportAdmin(AuditedAdmin):
    list_display = ["agreement", "period_start", "period_end", "status", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["agreement__reference", "agreement__title"]
    readonly_fields = ["status", "submitted_at", "return_reason"]
    list_select_related = ["agreement"]
