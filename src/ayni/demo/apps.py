from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The default data (Peru 2012–2016) and its loaders, above every domain they fill."""

    name = "ayni.demo"
    label = "demo"
    verbose_name = _("Default data")
