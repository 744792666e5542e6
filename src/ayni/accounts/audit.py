"""The audit trail: every domain model is registered here with django-auditlog.

Each create, update and delete through the ORM keeps who (from the request, or the command's
user), when, and the old and new values of the changed fields. A test checks that no model of an
Ayni domain app is left out.
"""

from auditlog.registry import auditlog
from django.apps import apps

# Fields never copied into the log.
EXCLUDED = {
    "accounts.user": ["password", "last_login"],
    # A token's hash and password fingerprint stay out of the log (its secret is never stored
    # at all); "last used" changes by the minute and is written without the ORM's save.
    "accounts.apitoken": ["key_hash", "password_fingerprint", "last_used_at"],
}
M2M = {
    "accounts.user": {"locations"},
    "geography.zone": {"locations"},
    "programmes.result": {"approaches", "focus_populations", "zones", "goals"},
    "partners.agreement": {"results", "locations"},
    "evidence.study": {"results", "partners", "locations"},
}

# Models that are themselves logs or bookkeeping, not domain records. Data values arrive by
# the million through imports: each one carries its ImportBatch (who, when, which file), which
# is their audit trail; a per-row log would multiply the writes. The analytics backlog is
# bookkeeping of the store's refresh (a log entry per row would also slow its deletes).
NOT_AUDITED = {
    "core.importbatch",
    "core.job",
    "core.chorerun",
    "monitoring.datavalue",
    "monitoring.analyticsbacklog",
}

AYNI_APPS = (
    "core",
    "accounts",
    "geography",
    "partners",
    "programmes",
    "finance",
    "evidence",
    "monitoring",
)


def register_all() -> None:
    for label in AYNI_APPS:
        for model in apps.get_app_config(label).get_models():
            key = model._meta.label_lower
            if key in NOT_AUDITED or auditlog.contains(model):
                continue
            auditlog.register(
                model, exclude_fields=EXCLUDED.get(key, []), m2m_fields=M2M.get(key, set())
            )


register_all()
