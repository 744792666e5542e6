from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "ayni.evidence"
    label = "evidence"
    verbose_name = _("Evidence")

    def ready(self) -> None:
        from ayni.evidence import policies  # noqa: F401
