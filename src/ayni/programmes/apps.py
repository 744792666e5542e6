from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "ayni.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from ayni.programmes import policies  # noqa: F401
