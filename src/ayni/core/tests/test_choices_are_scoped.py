"""Every form and serializer of Ayni limits its choices of records through the one permission
check: one that offers related records without ``ScopedFormMixin``/``ScopedSerializerMixin``
fails here (as a view without ``ScopedView`` fails ``test_every_view_is_checked``)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

import ayni
from ayni.core.forms import ScopedFormMixin
from ayni.core.serializers import ScopedSerializerMixin


def _ayni_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(ayni.__path__, "ayni."):
        name = info.name
        if ".tests" in name or ".migrations" in name or name.endswith(".settings"):
            continue
        if name.split(".")[-1] in {"cli", "wsgi", "manage", "conftest"}:
            continue
        yield importlib.import_module(name)


def _classes(base: type) -> list[type]:
    found = {}
    for module in _ayni_modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, base)
                and value.__module__.startswith("ayni.")
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def _offers_records(form_class: type[forms.BaseForm]) -> bool:
    return any(isinstance(f, forms.ModelChoiceField) for f in form_class.base_fields.values())


def test_every_form_that_offers_records_scopes_them() -> None:
    form_classes = _classes(forms.BaseForm)
    assert form_classes, "no form found: the walk is broken"
    unscoped = [
        f"{c.__module__}.{c.__qualname__}"
        for c in form_classes
        if _offers_records(c) and not issubclass(c, ScopedFormMixin)
    ]
    assert unscoped == []


def _writable_relations(serializer: serializers.Serializer) -> list[str]:
    names = []
    for name, field in serializer.fields.items():
        relation = field.child_relation if isinstance(field, ManyRelatedField) else field
        if isinstance(relation, RelatedField) and not field.read_only:
            names.append(name)
    return names


@pytest.mark.django_db
def test_every_serializer_that_accepts_records_scopes_them() -> None:
    serializer_classes = [
        c for c in _classes(serializers.Serializer) if not issubclass(c, serializers.ListSerializer)
    ]
    assert serializer_classes, "no serializer found: the walk is broken"
    unscoped = []
    for serializer_class in serializer_classes:
        if issubclass(serializer_class, ScopedSerializerMixin):
            continue
        if issubclass(serializer_class, serializers.ModelSerializer) and not hasattr(
            serializer_class, "Meta"
        ):
            continue  # an abstract base (ProvenanceSerializer): its subclasses are walked
        if _writable_relations(serializer_class(context={})):
            unscoped.append(f"{serializer_class.__module__}.{serializer_class.__qualname__}")
    assert unscoped == []


@pytest.mark.django_db
def test_without_a_request_a_serializer_offers_nothing() -> None:
    from ayni.partners.api import AgreementSerializer

    fields = AgreementSerializer(context={}).fields
    assert not fields["organisation"].queryset.exists()  # type: ignore[attr-defined]
