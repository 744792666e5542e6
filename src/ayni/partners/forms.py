"""Forms of the partners pages. They only collect and shape input: the rules live in
``partners.services``, whose refusals are put back on the form next to the field they name
(``core.forms``). Their choices are what the user may pick (``ScopedFormMixin``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ayni.core.forms import ScopedFormMixin
from ayni.geography.models import Location
from ayni.geography.policies import PICK
from ayni.partners.models import Agreement, Organisation, PartnerReport
from ayni.programmes.models import Result


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "acronym",
            "type",
            "country",
            "iati_identifier",
            "website",
            "source",
            "is_illustrative",
        ]
        help_texts = {
            "iati_identifier": _("Where known, e.g. CA-3 for CIDA or XM-DAC-41122 for UNICEF."),
        }


class AgreementForm(ScopedFormMixin, forms.ModelForm):
    """An agreement's terms. Partners, programmes and results are limited to what the user may
    see (their office's), places to those of the office's country; the services check the
    same again."""

    scope_actions = {"locations": PICK}

    class Meta:
        model = Agreement
        fields = [
            "reference",
            "type",
            "title",
            "organisation",
            "programme",
            "start_date",
            "end_date",
            "currency",
            "unicef_contribution",
            "partner_contribution",
            "results",
            "locations",
            "source",
            "is_illustrative",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "results": forms.SelectMultiple(attrs={"size": 8}),
            "locations": forms.SelectMultiple(attrs={"size": 10}),
        }
        help_texts = {
            "currency": _("ISO 4217 code, e.g. USD, PEN, CAD."),
            "results": _("The programme results the agreement contributes to."),
            "locations": _("Departments and provinces where the partner works."),
        }

    def limit_choices(self) -> None:
        fields: dict[str, Any] = self.fields
        fields["results"].queryset = Result.objects.filter(retired_at__isnull=True).order_by(
            "programme", "path", "position"
        )
        fields["locations"].queryset = (
            Location.objects.filter(level__depth__in=(1, 2))
            .select_related("level")
            .order_by("code")
        )
        fields["results"].label_from_instance = lambda r: f"{r.code} {r.title}"

    def clean(self) -> dict[str, Any]:
        # Said here too (the service says it again) so it shows with the form's other errors.
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return data


class PartnerReportForm(forms.ModelForm):
    class Meta:
        model = PartnerReport
        fields = ["period_start", "period_end", "narrative", "challenges"]
        widgets = {
            "period_start": DateInput(),
            "period_end": DateInput(),
            "narrative": forms.Textarea(attrs={"rows": 6}),
            "challenges": forms.Textarea(attrs={"rows": 4}),
        }
