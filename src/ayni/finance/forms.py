"""Forms of the finance pages. They only collect input: the rules live in the services, whose
refusals are put back on the form next to the field they name (``core.forms``). Their choices
are what the user may pick (``ScopedFormMixin``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ayni.core.forms import ScopedFormMixin
from ayni.finance.models import Allocation, Grant
from ayni.programmes.models import Result

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class GrantForm(ScopedFormMixin, forms.ModelForm):
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

    def limit_choices(self) -> None:
        fields: Any = self.fields
        fields["donor"].queryset = fields["donor"].queryset.select_related("organisation")
        fields["earmarked_result"].queryset = Result.objects.filter(retired_at__isnull=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["currency"].initial = "USD"
        programmes = list(fields["programme"].queryset[:2])
        if len(programmes) == 1:
            fields["programme"].initial = programmes[0].pk

    def _post_clean(self) -> None:
        # The service checks the grant (with messages that name the field); the model's own
        # checks would only repeat them in other words.
        pass


class AllocationForm(ScopedFormMixin, forms.ModelForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)

    class Meta:
        model = Allocation
        fields = ["result", "year", "amount", "date"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, grant: Grant, **kwargs: Any) -> None:
        self.grant = grant
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["year"].choices = [(y, str(y)) for y in grant.programme.years]

    def limit_choices(self) -> None:
        grant = self.grant
        results = Result.objects.filter(programme_id=grant.programme_id, retired_at__isnull=True)
        if grant.earmarked_result_id and grant.earmarked_result is not None:
            results = results.filter(path__startswith=grant.earmarked_result.path)
        self.fields["result"].queryset = results.order_by("code")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        pass
