from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "ayni.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from ayni.monitoring import exports, jobs, policies  # noqa: F401
        from ayni.monitoring.analytics import connect_signals

        connect_signals()
