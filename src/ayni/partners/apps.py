from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "ayni.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from ayni.partners import exports, policies  # noqa: F401
