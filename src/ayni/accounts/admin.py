from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ayni.accounts import services
from ayni.accounts.models import ApiToken, CountryOffice, User
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


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Every user's tokens, to read and revoke. A token is made only by its owner, on their
    account page, where it is shown once; the admin never holds one to show."""

    list_display = ["name", "user", "scope", "prefix", "created_at", "expires_at"]
    list_display += ["last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    fields = readonly_fields = (
        "user", "name", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"
    )  # fmt: skip
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            services.api_token_revoke(token=token)
        count = len(tokens)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count)
            % {"count": count},
        )
