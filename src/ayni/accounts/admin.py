from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from ayni.accounts.models import CountryOffice, User
from ayni.core.admin import AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "country_office", "organisation", "is_active"]
    list_filter = ["role", "country_office", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "country_office", "organisation", "locations")}),
    )
    raw_id_fields = ["locations", "organisation"]


@admin.register(CountryOffice)
class CountryOfficeAdmin(AuditedAdmin):
    list_display = ["code", "name_es", "name_en", "country"]
