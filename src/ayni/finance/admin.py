from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Donor,
    ExchangeRate,
    Expenditure,
    FundingType,
    Grant,
    GrantInstalment,
)


@admin.register(FundingType)
class FundingTypeAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "name_es", "position"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditedAdmin):
    list_display = ["currency", "date", "units_per_usd", "is_illustrative"]
    list_filter = ["currency", "is_illustrative"]
    date_hierarchy = "date"


@admin.register(BudgetLine)
class BudgetLineAdmin(AuditedAdmin):
    list_display = ["result", "year", "funding_type", "amount", "currency", "is_illustrative"]
    list_filter = ["year", "funding_type", "result__programme"]
    list_select_related = ["result", "funding_type"]
    raw_id_fields = ["result"]


@admin.register(Donor)
class DonorAdmin(AuditedAdmin):
    list_display = ["organisation", "code"]
    search_fields = ["code", "organisation__name", "organisation__acronym"]
    list_select_related = ["organisation"]


class GrantInstalmentInline(admin.TabularInline):
    model = GrantInstalment
    extra = 0


@admin.register(Grant)
class GrantAdmin(AuditedAdmin):
    list_display = ["reference", "donor", "programme", "stage", "amount", "currency", "expiry_date"]
    list_filter = ["stage", "funding_type", "programme", "currency"]
    search_fields = ["reference", "title"]
    list_select_related = ["donor__organisation", "programme"]
    raw_id_fields = ["earmarked_result"]
    inlines = [GrantInstalmentInline]


@admin.register(GrantInstalment)
class GrantInstalmentAdmin(AuditedAdmin):
    list_display = ["grant", "due_date", "amount", "received_date"]
    list_select_related = ["grant"]


@admin.register(Allocation)
class AllocationAdmin(AuditedAdmin):
    list_display = ["grant", "result", "year", "amount", "date", "is_illustrative"]
    list_filter = ["year"]
    list_select_related = ["grant", "result"]
    raw_id_fields = ["grant", "result"]


@admin.register(Expenditure)
class ExpenditureAdmin(AuditedAdmin):
    list_display = ["result", "grant", "year", "date", "amount", "currency", "is_illustrative"]
    list_filter = ["year", "currency"]
    list_select_related = ["result", "grant"]
    raw_id_fields = ["result", "grant"]


@admin.register(CashTransfer)
class CashTransferAdmin(AuditedAdmin):
    list_display = ["agreement", "date", "modality", "amount", "currency", "is_illustrative"]
    list_filter = ["modality", "currency"]
    list_select_related = ["agreement"]
    raw_id_fields = ["agreement", "result", "grant"]
