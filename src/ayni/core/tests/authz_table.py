"""The expected answers of the authorization matrix: for every URL name and HTTP method, who
is allowed, on the record of the Peru office (``PE``) and on the Bolivia office's (``BO``).

Written out by hand from the policies (``*/policies.py``, ``core/permissions.py``) and the
roles table of docs/security.md, on purpose: a policy change makes the matrix fail until this
table says the same. Everyone not named is refused (403, 404, 401, or the sign-in page for an
anonymous visitor of a page; for a write with a record of the other office in its body, a 400
or the form shown again; in every case nothing is written).

A cell is either one string (the URL takes no record: a list, a form without a parent) or a
``{"PE": …, "BO": …}`` pair. ``OPEN`` marks Django's and DRF's own authentication endpoints
(sign-in, sign-out, the language switch, the token): open to everyone, answered without a 5xx.
A method key ``"POST retire"`` names the value of a path argument (``<action>``).

Actors: anonymous, paula (public), ana (Peru administrator), pablo (programme manager), mia
(M&E officer), fiona (finance officer), rosa (regional focal point, Apurímac), pia (PLAN's
focal point), carlos (CARE's), diego (donor viewer, CIDA), bruno (Bolivia administrator), root
(superuser, no office).
"""

from __future__ import annotations

from typing import Any

ACTORS = (
    "anonymous",
    "paula",
    "ana",
    "pablo",
    "mia",
    "fiona",
    "rosa",
    "pia",
    "carlos",
    "diego",
    "bruno",
    "root",
)
OPEN = "OPEN"
# The signed-in person's own account (password, two-step verification): no record of an
# office, nobody else's. Refused to anonymous visitors; answered, without a 5xx, to anyone
# signed in. That one person cannot reach another's is tested in accounts/tests.
SELF = "SELF"
EVERYONE = " ".join(ACTORS)
SIGNED_IN = "paula ana pablo mia fiona rosa pia carlos diego bruno root"
# Who reads public data of a country: its own office's users and those without an office.
PERU_DATA = "anonymous paula ana pablo mia fiona rosa pia carlos diego root"
BOLIVIA_DATA = "anonymous paula bruno root"
BOTH = {"PE": EVERYONE, "BO": EVERYONE}

TABLE: dict[str, dict[str, Any]] = {
    # --- pages ---------------------------------------------------------------------------
    "reporting:home": {"GET": EVERYONE},
    "reporting:programme-dashboard": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"}
    },
    "reporting:result-tree": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"}
    },
    "reporting:result-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"}
    },
    "core:job-list": {"GET": SIGNED_IN},
    # A job is its starter's alone, a superuser's included.
    "core:job": {"GET": {"PE": "ana", "BO": "bruno"}},
    "core:job-download": {"GET": {"PE": "ana", "BO": "bruno"}},
    "core:job-retry": {"POST": {"PE": "ana", "BO": "bruno"}},
    "geography:location-list": {"GET": EVERYONE},
    "geography:zone-detail": {"GET": BOTH},
    "geography:location-detail": {"GET": BOTH},
    "geography:location-edit": {
        "GET": {"PE": "ana rosa root", "BO": "bruno root"},
        "POST": {"PE": "ana rosa root", "BO": "bruno root"},
    },
    "partners:organisation-list": {"GET": "ana pablo mia fiona rosa pia carlos diego bruno root"},
    # root has no office to add an organisation to: he uses the administration.
    "partners:organisation-create": {"GET": "ana pablo bruno root", "POST": "ana pablo bruno"},
    "partners:organisation-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia root", "BO": "bruno root"}
    },
    "partners:organisation-edit": {
        "GET": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "partners:agreement-list": {"GET": "ana pablo mia fiona rosa pia carlos bruno root"},
    "partners:agreement-create": {
        "GET": "ana pablo bruno",
        "POST": {"PE": "ana pablo", "BO": "bruno"},
    },
    "partners:agreement-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia root", "BO": "bruno root"}
    },
    "partners:agreement-edit": {
        "GET": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "partners:agreement-transition": {"POST": {"PE": "ana pablo root", "BO": "bruno root"}},
    "partners:report-create": {
        "GET": {"PE": "ana pablo pia root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo pia root", "BO": "bruno root"},
    },
    "partners:report-detail": {"GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"}},
    "partners:report-edit": {
        "GET": {"PE": "ana pablo pia root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo pia root", "BO": "bruno root"},
    },
    "partners:report-action": {
        "POST submit": {"PE": "ana pablo pia root", "BO": "bruno root"},
        "POST accept": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST return": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "programmes:programme-list": {"GET": "ana pablo mia fiona rosa diego bruno root"},
    "programmes:component-create": {
        "GET": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "programmes:result-create": {
        "GET": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "programmes:result-edit": {
        "GET": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "programmes:result-action": {
        "POST retire": {"PE": "ana pablo root", "BO": "bruno root"},
        "POST down": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "programmes:framework-list": {"GET": EVERYONE},
    "programmes:workplan-list": {"GET": "ana pablo mia fiona rosa bruno root"},
    "programmes:workplan-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa root", "BO": "bruno root"}
    },
    "finance:home": {"GET": "ana pablo mia fiona rosa diego bruno root"},
    "finance:donor-list": {"GET": "ana pablo mia fiona diego bruno root"},
    "finance:donor-detail": {"GET": {"PE": "ana pablo mia fiona diego root", "BO": "bruno root"}},
    "finance:grant-list": {"GET": "ana pablo mia fiona diego bruno root"},
    "finance:grant-create": {
        "GET": "ana fiona bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "finance:grant-detail": {"GET": {"PE": "ana pablo mia fiona diego root", "BO": "bruno root"}},
    "finance:grant-allocate": {"POST": {"PE": "ana fiona root", "BO": "bruno root"}},
    "finance:grant-stage": {"POST": {"PE": "ana fiona root", "BO": "bruno root"}},
    "finance:budget": {"GET": {"PE": "ana pablo mia fiona rosa root", "BO": "bruno root"}},
    "evidence:study-list": {"GET": "ana pablo mia fiona rosa pia carlos diego bruno root"},
    "evidence:study-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia carlos diego root", "BO": "bruno root"}
    },
    "monitoring:indicator-list": {"GET": EVERYONE},
    "monitoring:indicator-detail": {"GET": EVERYONE},
    "monitoring:import": {"GET": "ana mia bruno root", "POST": "ana mia bruno root"},
    "monitoring:import-job": {
        "GET": {"PE": "ana", "BO": "bruno"},
        "POST": {"PE": "ana", "BO": "bruno"},
    },
    "monitoring:import-errors": {"GET": {"PE": "ana mia root", "BO": "bruno root"}},
    "monitoring:region": {"GET": {"PE": PERU_DATA, "BO": BOLIVIA_DATA}},
    "accounts:login": {"GET": OPEN, "POST": OPEN},
    "accounts:login-code": {"GET": OPEN, "POST": OPEN},
    "accounts:logout": {"POST": OPEN},
    "accounts:account": {"GET": SIGNED_IN},
    "accounts:password-change": {"POST": SELF},
    "accounts:token-create": {"POST": SIGNED_IN},
    # A token is its owner's alone, a superuser's included.
    "accounts:token-revoke": {
        "GET": {"PE": "ana", "BO": "bruno"},
        "POST": {"PE": "ana", "BO": "bruno"},
    },
    "accounts:two-step": {"GET": SIGNED_IN},
    "accounts:two-step-setup": {"GET": SELF, "POST": SELF},
    "accounts:two-step-recovery-codes": {"GET": SELF, "POST": SELF},
    "accounts:two-step-off": {"GET": SELF, "POST": SELF},
    "core:healthz": {"GET": EVERYONE},
    "set_language": {"POST": OPEN},
    # --- API -------------------------------------------------------------------------------
    "api-root": {"GET": EVERYONE},
    "api-schema": {"GET": EVERYONE},
    "api-docs": {"GET": EVERYONE},
    "programme-funding": {"GET": {"PE": "ana pablo mia fiona rosa root", "BO": "bruno root"}},
    "result-funding": {"GET": {"PE": "ana pablo mia fiona rosa root", "BO": "bruno root"}},
    "location-list": {"GET": EVERYONE},
    "location-detail": {
        "GET": BOTH,
        "PUT": {"PE": "ana rosa root", "BO": "bruno root"},
        "PATCH": {"PE": "ana rosa root", "BO": "bruno root"},
    },
    "zone-list": {"GET": EVERYONE},
    "zone-detail": {"GET": BOTH},
    "organisation-list": {
        "GET": "ana pablo mia fiona rosa pia carlos diego bruno root",
        "POST": "ana pablo bruno",
    },
    "organisation-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia root", "BO": "bruno root"},
        "PUT": {"PE": "ana pablo root", "BO": "bruno root"},
        "PATCH": {"PE": "ana pablo root", "BO": "bruno root"},
        "DELETE": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "agreement-list": {
        "GET": "ana pablo mia fiona rosa pia carlos bruno root",
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "agreement-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia root", "BO": "bruno root"},
        "PUT": {"PE": "ana pablo root", "BO": "bruno root"},
        "PATCH": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    # Regional focal points read agreements in their places, not their history.
    "agreement-history": {"GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"}},
    "agreement-event-detail": {"GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"}},
    "agreement-transition": {"POST": {"PE": "ana pablo root", "BO": "bruno root"}},
    "partner-report-list": {
        "GET": "ana pablo mia fiona pia carlos bruno root",
        "POST": {"PE": "ana pablo pia root", "BO": "bruno root"},
    },
    "partner-report-detail": {
        "GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"},
        "PUT": {"PE": "ana pablo pia root", "BO": "bruno root"},
        "PATCH": {"PE": "ana pablo pia root", "BO": "bruno root"},
    },
    "partner-report-history": {"GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"}},
    "partner-report-submit": {"POST": {"PE": "ana pablo pia root", "BO": "bruno root"}},
    "partner-report-accept": {"POST": {"PE": "ana pablo root", "BO": "bruno root"}},
    "partner-report-return": {"POST": {"PE": "ana pablo root", "BO": "bruno root"}},
    "agreement-event-list": {"GET": "ana pablo mia fiona pia carlos bruno root"},
    "programme-list": {"GET": "ana pablo mia fiona rosa diego bruno root"},
    "programme-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"},
        "PATCH": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "result-list": {
        "GET": "ana pablo mia fiona rosa diego bruno root",
        "POST": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "result-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"},
        "PATCH": {"PE": "ana pablo root", "BO": "bruno root"},
    },
    "result-retire": {"POST": {"PE": "ana pablo root", "BO": "bruno root"}},
    "framework-list": {"GET": EVERYONE},
    "framework-detail": {"GET": EVERYONE},
    "workplan-list": {"GET": "ana pablo mia fiona rosa bruno root"},
    "workplan-detail": {"GET": {"PE": "ana pablo mia fiona rosa root", "BO": "bruno root"}},
    "funding-type-list": {"GET": "ana pablo mia fiona rosa diego bruno root"},
    "funding-type-detail": {"GET": "ana pablo mia fiona rosa diego bruno root"},
    # Rates are facts of the world every office converts with: only a superuser sets them.
    "exchange-rate-list": {"GET": "ana pablo mia fiona rosa diego bruno root", "POST": "root"},
    "exchange-rate-detail": {
        "GET": "ana pablo mia fiona rosa diego bruno root",
        "PUT": "root",
        "PATCH": "root",
        "DELETE": "root",
    },
    "budget-line-list": {
        "GET": "ana pablo mia fiona rosa diego bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    # The Peru line is on a result CIDA's grant funds: diego reads it.
    "budget-line-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"},
        "PUT": {"PE": "ana fiona root", "BO": "bruno root"},
        "PATCH": {"PE": "ana fiona root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "donor-list": {
        "GET": "ana pablo mia fiona diego bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "donor-detail": {
        "GET": {"PE": "ana pablo mia fiona diego root", "BO": "bruno root"},
        "PUT": {"PE": "ana fiona root", "BO": "bruno root"},
        "PATCH": {"PE": "ana fiona root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "grant-list": {
        "GET": "ana pablo mia fiona diego bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "grant-detail": {
        "GET": {"PE": "ana pablo mia fiona diego root", "BO": "bruno root"},
        "PUT": {"PE": "ana fiona root", "BO": "bruno root"},
        "PATCH": {"PE": "ana fiona root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "grant-advance": {"POST": {"PE": "ana fiona root", "BO": "bruno root"}},
    "grant-history": {"GET": {"PE": "ana pablo mia fiona diego root", "BO": "bruno root"}},
    "grant-instalments": {"POST": {"PE": "ana fiona root", "BO": "bruno root"}},
    "allocation-list": {
        "GET": "ana pablo mia fiona rosa diego bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "allocation-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "expenditure-list": {
        "GET": "ana pablo mia fiona rosa diego bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "expenditure-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa diego root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "cash-transfer-list": {
        "GET": "ana pablo mia fiona pia carlos bruno root",
        "POST": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "cash-transfer-detail": {
        "GET": {"PE": "ana pablo mia fiona pia root", "BO": "bruno root"},
        "DELETE": {"PE": "ana fiona root", "BO": "bruno root"},
    },
    "study-list": {"GET": "ana pablo mia fiona rosa pia carlos diego bruno root"},
    "study-detail": {
        "GET": {"PE": "ana pablo mia fiona rosa pia carlos diego root", "BO": "bruno root"}
    },
    "indicator-list": {"GET": EVERYONE},
    "indicator-detail": {"GET": EVERYONE},
    "data-value-list": {"GET": EVERYONE},
    "data-value-detail": {"GET": {"PE": PERU_DATA, "BO": BOLIVIA_DATA}},
    "target-list": {"GET": EVERYONE},
    "target-detail": {"GET": {"PE": PERU_DATA, "BO": BOLIVIA_DATA}},
    "analytics-list": {"GET": {"PE": PERU_DATA, "BO": BOLIVIA_DATA}},
    "analytics-equity": {"GET": {"PE": PERU_DATA, "BO": BOLIVIA_DATA}},
    "import-list": {"POST": "ana mia bruno root"},
    "import-detail": {"GET": {"PE": "ana root", "BO": "bruno root"}},
    "import-confirm": {"POST": {"PE": "ana root", "BO": "bruno root"}},
    "job-list": {"GET": SIGNED_IN},
    "job-detail": {"GET": {"PE": "ana", "BO": "bruno"}},
    "job-download": {"GET": {"PE": "ana", "BO": "bruno"}},
    "job-retry": {"POST": {"PE": "ana", "BO": "bruno"}},
    "export-list": {"POST": "ana pablo mia fiona diego bruno root"},
}

# Who may read the records carrying each marker (``authz_world``); everyone else must never
# find it in a response.
MARKER_READERS = {
    "QQPERUMARK": "ana pablo mia fiona rosa pia carlos diego root",
    "QQBOLIVIAMARK": "bruno root",
    "QQCAREMARK": "ana pablo mia fiona carlos root",
}

# Downloads of list pages and of the API (extra GETs with these query strings).
DOWNLOADS: dict[str, list[dict[str, str]]] = {
    "partners:organisation-list": [{"format": "csv"}, {"format": "xlsx"}],
    "partners:agreement-list": [{"format": "csv"}, {"format": "xlsx"}],
    "finance:donor-list": [{"format": "csv"}, {"format": "xlsx"}],
    "finance:grant-list": [{"format": "csv"}, {"format": "xlsx"}],
    "finance:budget": [{"format": "csv"}, {"format": "xlsx"}],
    "monitoring:indicator-detail": [{"format": "csv"}],
    "data-value-list": [{"output": "csv"}],
}
