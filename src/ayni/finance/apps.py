from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "ayni.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from ayni.finance import exports, policies  # noqa: F401
