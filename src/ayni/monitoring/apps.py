from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "ayni.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from ayni.core.backup.trees import register_tree
        from ayni.monitoring import exports, jobs, policies  # noqa: F401
        from ayni.monitoring.analytics import connect_signals
        from ayni.monitoring.analytics.store import store_root

        connect_signals()
        # What a backup holds beside the database: the analytics store (rebuilt from the
        # database in minutes, but a restore should not leave the analytics empty until then)
        # and the SDMX structures the server keeps.
        register_tree("analytics", store_root)
        register_tree("sdmx-structures", lambda: Path(settings.AYNI_SDMX_STRUCTURES_DIR))
