from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ayni.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Registers models with the audit trail, the policies, the token signals and the
        # token scheme of the OpenAPI schema.
        from ayni.accounts import audit, policies, schema, signals  # noqa: F401
