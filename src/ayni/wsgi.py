import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ayni.settings")
application = get_wsgi_application()

# Jobs that a stopped process left running (a restart, a crash) show as failed from the start.
from ayni.core.liveness import sweep_if_due  # noqa: E402

sweep_if_due()
