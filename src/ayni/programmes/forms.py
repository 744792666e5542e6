from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ayni.core.forms import ScopedFormMixin
from ayni.geography.models import Zone
from ayni.geography.policies import PICK
from ayni.programmes.models import CountryProgramme, Result

M2M_FIELDS = ["approaches", "focus_populations", "zones", "goals"]


class ResultForm(ScopedFormMixin, forms.ModelForm):
    scope_actions = {"zones": PICK}

    class Meta:
        model = Result
        fields = [
            "code",
            "title_es",
            "title_en",
            "description_es",
            "description_en",
            "sector_code",
            "gender_marker",
            "humanitarian_marker",
            "interculturality_marker",
            *M2M_FIELDS,
        ]
        widgets = {
            "description_es": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, programme: CountryProgramme, **kwargs: Any) -> None:
        self.programme = programme
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Codes are what reports and other systems refer to: fixed once created.
            self.fields["code"].disabled = True

    def limit_choices(self) -> None:
        zones = self.fields["zones"]
        zones.queryset = Zone.objects.filter(country=self.programme.country)  # type: ignore[attr-defined]

    def clean_sector_code(self) -> str:
        code: str = self.cleaned_data.get("sector_code", "")
        if code and (len(code) != 5 or not code.isdigit()):
            raise forms.ValidationError(
                _("A DAC purpose code has 5 digits, e.g. 12240 (basic nutrition).")
            )
        return code


class MoveForm(ScopedFormMixin, forms.Form):
    parent = forms.ModelChoiceField(
        queryset=Result.objects.none(),
        required=False,
        label=_("New parent"),
        help_text=_("Leave empty to put a component directly under the programme."),
    )
    position = forms.IntegerField(
        min_value=1,
        required=False,
        label=_("Position"),
        help_text=_("1 = first among its new siblings; empty = last."),
    )

    def __init__(self, *args: Any, result: Result, **kwargs: Any) -> None:
        self.result = result
        super().__init__(*args, **kwargs)

    def limit_choices(self) -> None:
        parent = self.fields["parent"]
        parent.queryset = Result.objects.filter(  # type: ignore[attr-defined]
            programme=self.result.programme, retired_at__isnull=True
        ).exclude(path__startswith=self.result.path)


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this result retired?"),
        max_length=500,
        help_text=_("Kept with the result; its budget, funding and history stay."),
    )
