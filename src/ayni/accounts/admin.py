from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from ayni.accounts import services
from ayni.accounts.models import ApiToken, CountryOffice, User
from ayni.core.admin import AuditedAdmin
from ayni.core.security_log import user_event

# Authenticator devices change only through accounts.services (which keeps the user's
# two_step_since in step); the admin resets a user's two-step verification as a whole.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "email", "role", "country_office", "organisation", "is_active"]
    list_filter = ["role", "country_office", "is_active"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (_("Role and scope"), {"fields": ("role", "country_office", "organisation", "locations")}),
        (_("Two-step verification"), {"fields": ("two_step_since",)}),
    )
    raw_id_fields = ["locations", "organisation"]
    readonly_fields = ["two_step_since"]
    actions = ["reset_two_step"]

    @admin.action(description=_("Reset two-step verification (lost phone and recovery codes)"))
    def reset_two_step(self, request: Any, queryset: Any) -> None:
        """For a user who lost both their phone and their recovery codes, once the system
        administrator has checked who they are: sign-in asks for the password only, and
        where two-step verification is required the user sets it up again at once."""
        for user in queryset:
            services.two_step_turn_off(user=user)
            user_event("two_step_off", request, user, by=request.user.get_username())
        messages.success(
            request, _("Two-step verification reset for %(n)s users.") % {"n": len(queryset)}
        )


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
