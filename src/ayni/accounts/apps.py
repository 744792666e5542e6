from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ayni.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from ayni.accounts import (
            audit,  # noqa: F401  (registers models with the audit trail)
            schema,  # noqa: F401  (the API's security schemes)
        )
