"""Forms of the finance pages. They only collect input: the rules live in the services, whose
refusals are put back on the form next to the field they name (``apply_errors``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ayni.finance.models import Allocation, Donor, Grant
from ayni.finance.serializers import office_queryset
from ayni.programmes.models import CountryProgramme, Result

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's refusal on the form: on the field it names when the form has that
    field, at the top otherwise."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class GrantForm(forms.ModelForm):
    class Meta:
        model = Grant
        fields = [
            "programme",
            "donor",
            "reference",
            "title",
            "funding_type",
            "amount",
            "currency",
            "stage",
            "probability",
            "signed_date",
            "start_date",
            "expiry_date",
            "earmark",
            "earmarked_result",
            "source",
            "is_illustrative",
        ]
        widgets = {"signed_date": DATE, "start_date": DATE, "expiry_date": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["programme"].queryset = office_queryset(CountryProgramme, user)
        fields["donor"].queryset = office_queryset(Donor, user).select_related("organisation")
        fields["earmarked_result"].queryset = office_queryset(Result, user).filter(
            retired_at__isnull=True
        )
        fields["currency"].initial = "USD"
        programmes = list(fields["programme"].queryset[:2])
        if len(programmes) == 1:
            fields["programme"].initial = programmes[0].pk

    def _post_clean(self) -> None:
        # The service checks the grant (with messages that name the field); the model's own
        # checks would only repeat them in other words.
        pass


class AllocationForm(forms.ModelForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    class Meta:
        model = Allocation
        fields = ["result", "year", "amount", "date"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        results = Result.objects.filter(programme_id=grant.programme_id, retired_at__isnull=True)
        if grant.earmarked_result_id and grant.earmarked_result is not None:
            results = results.filter(path__startswith=grant.earmarked_result.path)
        fields["result"].queryset = results.order_by("code")
        fields["year"].choices = [(y, str(y)) for y in grant.programme.years]

    def _post_clean(self) -> None:
        pass
