from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from ayni.accounts import views as accounts_views
from ayni.core import job_api
from ayni.evidence import api as evidence_api
from ayni.finance import api as finance_api
from ayni.geography import api as geography_api
from ayni.monitoring import api as monitoring_api
from ayni.partners import api as partners_api
from ayni.programmes import api as programmes_api


class Router(DefaultRouter):
    # No ``.json`` suffix routes: ``?format=`` chooses the format, and a suffix reached
    # actions that take no ``format`` argument (a 500).
    include_format_suffixes = False


router = Router()
for module in (
    geography_api,
    partners_api,
    programmes_api,
    finance_api,
    evidence_api,
    monitoring_api,
    job_api,
):
    module.register(router)

admin.site.site_header = "Ayni"

urlpatterns = [
    path("", include("ayni.reporting.urls")),
    path("", include("ayni.core.urls")),
    path("", include("ayni.geography.urls")),
    path("", include("ayni.partners.urls")),
    path("", include("ayni.programmes.urls")),
    path("", include("ayni.finance.urls")),
    path("", include("ayni.evidence.urls")),
    path("", include("ayni.monitoring.urls")),
    path("accounts/", include("ayni.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin's own: its sign-in page sends to Ayni's two-step sign-in.
    path("admin/login/", accounts_views.AdminLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/", include(finance_api.urlpatterns)),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

handler400 = "ayni.core.views.bad_request"
handler404 = "ayni.core.views.page_not_found"
