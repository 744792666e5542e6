"""Who may see and change finance records.

- Office staff (administrator, programme manager, M&E and finance officers) read every finance
  record of their country office; administrators and finance officers add, change and delete.
- Regional focal points read the budget lines, allocations and expenditures of their office.
- A donor viewer reads the donor record of their organisation, that donor's grants with their
  instalments and allocations, and the budget lines and expenditures of the results those
  grants are allocated to.
- A partner focal point reads the cash transfers of their own organisation's agreements.
- Public users and anonymous visitors read nothing.
- A grant's stage steps (``"pledge"``, ``"sign"``, ``"receive"``) are actions of its policy,
  allowed to the roles ``finance.workflow.GRANT`` names (administrators and finance officers)
  on the grants of their office; whoever reads a grant reads its history.

Who reads the figures of the whole office (planned, funded, gap and spent of a programme, on
the budget page, the dashboard, the results screens and the funding API) is an action of the
budget line policy: ``has_perm(user, VIEW_OFFICE_FIGURES, BudgetLine)``. It is asked on the
model, not on one line: the figures add up every line of the programme, so only those who read
every budget line of their office (office staff and regional focal points, not a donor viewer
who reads some) get them.

What comes from grants that the office's records do not show line by line — the
pipeline-weighted outlook, figures by donor and the grant warnings (expiring, unallocated) —
is the action ``VIEW_OFFICE_GRANT_FIGURES`` of the grant policy: only those who read every
grant of their office (office staff) get it. A regional focal point reads the budget,
allocations and expenditures, hence planned, funded, gap and spent, but not the outlook nor
any figure by donor; a donor viewer reads their own grants and none of the office's figures.
The programme's planned total (``CountryProgramme.planned_total``) is an office figure too.

Funding types and exchange rates are shared reference data (they have no country office):
every signed-in office user reads them. Exchange rates are facts of the world that every
office's figures are converted with, so only superusers set, change or delete them (an office
administrator could otherwise change another office's figures); funding types are fixed by
``funding_types_ensure`` and edited by superusers only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ayni.core.permissions import Action, Policy, office_id_of, register
from ayni.core.roles import OFFICE_STAFF_ROLES, Role
from ayni.finance.models import (
    Allocation,
    BudgetLine,
    CashTransfer,
    Donor,
    ExchangeRate,
    Expenditure,
    FundingType,
    Grant,
    GrantInstalment,
)
from ayni.finance.workflow import GRANT

WRITERS = frozenset({Role.ADMINISTRATOR, Role.FINANCE_OFFICER})
REGIONAL = frozenset({Role.REGIONAL_FOCAL_POINT})
DONOR = frozenset({Role.DONOR_VIEWER})
PARTNER = frozenset({Role.PARTNER_FOCAL_POINT})


# The action of ``BudgetLinePolicy``: reads the derived figures of their whole office.
VIEW_OFFICE_FIGURES = "view_office_figures"
# The action of ``GrantPolicy``: reads the figures derived from every grant of their office.
VIEW_OFFICE_GRANT_FIGURES = "view_office_grant_figures"


class OfficePolicy(Policy):
    """Records of the user's country office, reached through ``office_lookup``.

    ``readers`` read every record of the office; ``donor_lookup``/``partner_lookup`` (when set)
    narrow a donor viewer or partner focal point to the records of their own organisation.
    """

    office_lookup = "programme__country_office_id"
    readers: frozenset[str] = OFFICE_STAFF_ROLES
    donor_lookup: str | None = None
    partner_lookup: str | None = None

    def can(self, user: Any, action: str) -> bool:
        if office_id_of(user) is None:
            return False
        if action != Action.VIEW:
            return user.role in WRITERS
        if user.role in self.readers:
            return True
        if user.role in DONOR:
            return self.donor_lookup is not None
        if user.role in PARTNER:
            return self.partner_lookup is not None
        return False

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = queryset.filter(**{self.office_lookup: user.country_office_id})
        if action != Action.VIEW or user.role in self.readers:
            return queryset
        if user.role in DONOR and self.donor_lookup:
            return self.own_donor_records(user, queryset)
        if user.role in PARTNER and self.partner_lookup:
            return queryset.filter(**{self.partner_lookup: user.organisation_id})
        return queryset.none()

    def own_donor_records(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        assert self.donor_lookup is not None  # noqa: S101 - guarded by the caller
        return queryset.filter(**{self.donor_lookup: user.organisation_id})


class FundedResultsPolicy(OfficePolicy):
    """Budget lines and expenditures: a donor viewer reads those of the results their
    organisation's grants are allocated to."""

    office_lookup = "result__programme__country_office_id"
    readers = OFFICE_STAFF_ROLES | REGIONAL
    donor_lookup = "result_id"

    def own_donor_records(self, user: Any, queryset: QuerySet[Any]) -> QuerySet[Any]:
        funded = Allocation.objects.filter(
            grant__donor__organisation_id=user.organisation_id
        ).values("result_id")
        return queryset.filter(result_id__in=funded)


register(Expenditure)(FundedResultsPolicy)


@register(BudgetLine)
class BudgetLinePolicy(FundedResultsPolicy):
    actions = frozenset({VIEW_OFFICE_FIGURES})

    def can(self, user: Any, action: str) -> bool:
        if action == VIEW_OFFICE_FIGURES:
            return office_id_of(user) is not None and user.role in self.readers
        return super().can(user, action)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == VIEW_OFFICE_FIGURES:
            return queryset.filter(**{self.office_lookup: office_id_of(user)})
        return super().scope(user, action, queryset)


@register(Donor)
class DonorPolicy(OfficePolicy):
    office_lookup = "organisation__country_office_id"
    donor_lookup = "organisation_id"


@register(Grant)
class GrantPolicy(OfficePolicy):
    donor_lookup = "donor__organisation_id"
    actions = GRANT.actions | {VIEW_OFFICE_GRANT_FIGURES}

    def can(self, user: Any, action: str) -> bool:
        if action == VIEW_OFFICE_GRANT_FIGURES:
            # Asked on the model: the figures add up every grant, so only who reads them all.
            return office_id_of(user) is not None and user.role in self.readers
        if action in GRANT:
            return office_id_of(user) is not None and GRANT.role_may(user, action)
        return super().can(user, action)

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if action == VIEW_OFFICE_GRANT_FIGURES:
            return queryset.filter(**{self.office_lookup: office_id_of(user)})
        return super().scope(user, action, queryset)


@register(GrantInstalment)
class GrantInstalmentPolicy(OfficePolicy):
    office_lookup = "grant__programme__country_office_id"
    donor_lookup = "grant__donor__organisation_id"


@register(Allocation)
class AllocationPolicy(OfficePolicy):
    office_lookup = "grant__programme__country_office_id"
    readers = OFFICE_STAFF_ROLES | REGIONAL
    donor_lookup = "grant__donor__organisation_id"


@register(CashTransfer)
class CashTransferPolicy(OfficePolicy):
    # An agreement always has an office; its programme may be blank.
    office_lookup = "agreement__country_office_id"
    partner_lookup = "agreement__organisation_id"


class ReferencePolicy(Policy):
    """Shared by every office: any signed-in office user reads."""

    writers: frozenset[str] = frozenset()

    def can(self, user: Any, action: str) -> bool:
        if office_id_of(user) is None:
            return False
        if action == Action.VIEW:
            return user.role not in PARTNER
        return user.role in self.writers

    def scope(self, user: Any, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset


register(FundingType)(ReferencePolicy)


# No office role writes rates: superusers pass every check (see the module's docstring).
register(ExchangeRate)(ReferencePolicy)
