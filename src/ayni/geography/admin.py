from django.contrib import admin

from ayni.core.admin import AuditedAdmin
from ayni.geography.models import AdminLevel, Country, Location, Zone


@admin.register(Country)
class CountryAdmin(AuditedAdmin):
    list_display = ["iso2", "iso3", "name_es", "name_en"]


@admin.register(AdminLevel)
class AdminLevelAdmin(AuditedAdmin):
    list_display = ["country", "depth", "slug", "name_es", "name_en", "code_length"]


@admin.register(Location)
class LocationAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "country", "capital"]
    list_filter = ["country", "level"]
    search_fields = ["code", "search_name", "name"]
    raw_id_fields = ["parent"]
    exclude = ["boundary"]


@admin.register(Zone)
class ZoneAdmin(AuditedAdmin):
    list_display = ["code", "name_es", "kind", "scheme", "country", "is_illustrative"]
    list_filter = ["country", "kind", "scheme"]
    filter_horizontal = ["locations"]
