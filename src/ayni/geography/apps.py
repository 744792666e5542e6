from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeographyConfig(AppConfig):
    name = "ayni.geography"
    label = "geography"
    verbose_name = _("Geography")

    def ready(self) -> None:
        from ayni.geography import policies  # noqa: F401
