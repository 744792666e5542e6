from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ayni.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from ayni.core import exports, policies, security_log, sessions  # noqa: F401
