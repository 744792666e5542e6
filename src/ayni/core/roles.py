"""The roles a user can hold. They are the vocabulary of the permission policies of every
domain, so they live at the bottom layer with the permission framework; ``accounts`` stores
them on the user."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    PROGRAMME_MANAGER = "programme_manager", _("Programme manager")
    ME_OFFICER = "me_officer", _("M&E officer")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    REGIONAL_FOCAL_POINT = "regional_focal_point", _("Regional government focal point")
    PARTNER_FOCAL_POINT = "partner_focal_point", _("Partner focal point")
    DONOR_VIEWER = "donor_viewer", _("Donor viewer")
    PUBLIC = "public", _("Public")


# Roles that work for the country office itself and so read all of its records.
OFFICE_STAFF_ROLES = frozenset(
    {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.ME_OFFICER, Role.FINANCE_OFFICER}
)
