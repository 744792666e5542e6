"""A service's refusal reads the same everywhere: a 400 naming its fields in the API, the
message next to its field on a form, "Field: message" on a page without a form."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework.exceptions import ValidationError as DRFValidationError

from ayni.core.api import exception_handler
from ayni.core.forms import add_service_errors, message_service_errors


def answer(exc: Exception) -> dict:
    response = exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 400
    return response.data["error"]


def test_a_refusal_naming_fields_answers_400_with_those_fields() -> None:
    error = answer(
        ValidationError({"amount": ["Too much."], "year": ["Enter a year.", "Out of range."]})
    )
    assert error["code"] == "invalid"
    assert error["fields"] == {"amount": ["Too much."], "year": ["Enter a year.", "Out of range."]}
    assert "amount: Too much." in error["message"]


def test_all_and_no_field_answer_as_non_field_errors() -> None:
    assert answer(ValidationError({"__all__": ["Others depend on it."]}))["fields"] == {
        "non_field_errors": ["Others depend on it."]
    }
    assert answer(ValidationError("No rate for PEN."))["fields"] == {
        "non_field_errors": ["No rate for PEN."]
    }
    assert answer(ValidationError(["One.", "Two."]))["fields"] == {
        "non_field_errors": ["One.", "Two."]
    }


def test_messages_with_parameters_are_formatted() -> None:
    exc = ValidationError(
        {"currency": ValidationError("%(code)s is unknown.", params={"code": "XYZ"})}
    )
    assert answer(exc)["fields"] == {"currency": ["XYZ is unknown."]}


def test_drf_errors_keep_their_format() -> None:
    assert answer(DRFValidationError({"year": ["Enter a whole number."]}))["fields"] == {
        "year": ["Enter a whole number."]
    }


class GrantLikeForm(forms.Form):
    reference = forms.CharField()
    amount = forms.DecimalField()


def test_errors_land_next_to_the_field_they_name_the_rest_at_the_top() -> None:
    form = GrantLikeForm({"reference": "G-1", "amount": "10"})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError(
            {
                "reference": ["Another grant has this reference."],
                "stage": ["Only signed grants are allocated."],  # not a field of this form
                "__all__": ["Try again later."],
            }
        ),
    )
    assert not form.is_valid()
    assert form.errors["reference"] == ["Another grant has this reference."]
    assert "amount" not in form.errors
    assert form.non_field_errors() == ["Only signed grants are allocated.", "Try again later."]
    assert "reference" not in form.cleaned_data  # the refused value is not taken as clean


def test_an_error_without_a_field_goes_to_the_top() -> None:
    form = GrantLikeForm({"reference": "G-1", "amount": "10"})
    form.is_valid()
    add_service_errors(form, ValidationError("There is no exchange rate for PEN."))
    assert form.non_field_errors() == ["There is no exchange rate for PEN."]
    assert set(form.errors) == {"__all__"}


def _request() -> object:
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def test_pages_without_a_form_show_field_and_message() -> None:
    request = _request()
    message_service_errors(
        request,  # type: ignore[arg-type]
        ValidationError({"reason": ["Give the reason."], "__all__": ["Not now."]}),
        {"reason": "Reason"},
    )
    assert [str(m) for m in get_messages(request)] == ["Reason: Give the reason.", "Not now."]


def test_labels_may_be_a_function() -> None:
    request = _request()
    message_service_errors(
        request,  # type: ignore[arg-type]
        ValidationError({"unicef_contribution": ["Enter the budget."]}),
        lambda name: name.replace("_", " ").capitalize(),
    )
    assert [str(m) for m in get_messages(request)] == ["Unicef contribution: Enter the budget."]


@pytest.mark.django_db
def test_a_service_refusal_through_the_api_is_a_400_not_a_500(api_for, programme) -> None:
    # programmes.services.result_retire refuses without a reason (a Django ValidationError).
    c1 = programme.results.get(code="C1")
    response = api_for("pablo").post(f"/api/results/{c1.pk}/retire/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["retired_reason"]
    c1.refresh_from_db()
    assert c1.retired_at is None
