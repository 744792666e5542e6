"""One provenance model: the fields, what they mean, and how pages and the API show them."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template
from django.utils import translation
from rest_framework import serializers

from ayni.core.models import Provenance
from ayni.core.serializers import ProvenanceField, ProvenanceSerializer
from ayni.evidence.models import Study
from ayni.monitoring.models import DataSource, DataValue
from ayni.programmes.models import FocusPopulation

BADGE = 'class="badge illustrative"'


def ayni_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("ayni.")]


def provenance_models() -> list[type[models.Model]]:
    return [m for m in ayni_models() if issubclass(m, Provenance)]


def render(text: str, **context: Any) -> str:
    return Template("{% load provenance %}" + text).render(Context(context))


def test_every_model_with_a_source_or_the_flag_inherits_provenance() -> None:
    apart = []
    for model in ayni_models():
        names = {f.name for f in model._meta.get_fields()}
        if names & {"source", "is_illustrative"} and not issubclass(model, Provenance):
            apart.append(model.__name__)
    # A data value's source is its DataSource (see DataValue's docstring).
    assert apart == ["DataValue"]


def test_every_provenance_model_has_the_one_definition_of_the_fields() -> None:
    expected = [
        Provenance._meta.get_field(name).deconstruct()[1:] for name in ("source", "is_illustrative")
    ]
    for model in provenance_models():
        fields = [
            model._meta.get_field(name).deconstruct()[1:] for name in ("source", "is_illustrative")
        ]
        assert fields == expected, model.__name__
    assert len(provenance_models()) == 21


def test_a_data_value_flag_is_the_same_field() -> None:
    flag = DataValue._meta.get_field("is_illustrative")
    assert flag.deconstruct()[1:] == Provenance._meta.get_field("is_illustrative").deconstruct()[1:]


@pytest.mark.parametrize(
    ("source", "illustrative", "status", "cited"),
    [
        ("INEI, ENDES 2016", False, "cited", True),
        ("Illustrative demo record", True, "illustrative", False),
        ("", True, "illustrative", False),
        ("   ", False, "unsourced", False),
    ],
)
def test_the_flag_decides_then_the_source(
    source: str, illustrative: bool, status: str, cited: bool
) -> None:
    study = Study(source=source, is_illustrative=illustrative)
    assert study.provenance_status == status
    assert study.is_cited is cited


def test_the_label_follows_the_language() -> None:
    study = Study(is_illustrative=True)
    assert study.provenance_label == "illustrative"
    with translation.override("es"):
        assert study.provenance_label == "ilustrativo"
        assert Study(source="").provenance_label == "no se registró la fuente"


def test_the_mark_shows_only_on_illustrative_records() -> None:
    assert render("{% illustrative_mark s %}", s=Study(source="x")) == ""
    mark = render("{% illustrative_mark s %}", s=Study(is_illustrative=True))
    assert mark.startswith(" <span " + BADGE) and mark.endswith(">illustrative</span>")


def test_the_mark_reads_rows_of_the_analytics_store() -> None:
    assert BADGE in render("{% illustrative_mark r %}", r={"is_illustrative": True})
    assert render("{% illustrative_mark r %}", r={"is_illustrative": False}) == ""


def test_provenance_states_the_source_escaped() -> None:
    html = render("{% provenance s %}", s=Study(source="<b>INEI</b> & ENDES"))
    assert "Source: &lt;b&gt;INEI&lt;/b&gt; &amp; ENDES" in html
    assert BADGE not in html


def test_provenance_of_an_illustrative_record_shows_the_badge_then_its_source() -> None:
    html = render("{% provenance s %}", s=Study(source="Invented", is_illustrative=True))
    assert html.index(BADGE) < html.index("Source: Invented")
    alone = render("{% provenance s %}", s=Study(is_illustrative=True))
    assert BADGE in alone and "Source" not in alone


def test_provenance_says_when_a_record_has_no_source() -> None:
    assert "Source: no source recorded" in render("{% provenance s %}", s=Study())


def test_the_api_field_gives_what_the_page_shows() -> None:
    study = Study(source="Invented", is_illustrative=True)
    data = ProvenanceField().to_representation(study)
    assert data == {
        "status": "illustrative",
        "label": "illustrative",
        "source": "Invented",
        "is_illustrative": True,
        "is_cited": False,
    }
    assert f">{data['label']}</span>" in render("{% illustrative_mark s %}", s=study)


def all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found | {sub for child in found for sub in all_subclasses(child)}


def test_every_serializer_of_a_provenance_model_gives_the_provenance() -> None:
    import ayni.urls  # noqa: F401  (imports every app's API)

    model_serializers = [
        cls
        for cls in all_subclasses(serializers.ModelSerializer)
        if cls.__module__.startswith("ayni.")
        and issubclass(getattr(getattr(cls, "Meta", None), "model", object), Provenance)
    ]
    # Data sources and focus populations have no endpoint of their own.
    expected = set(provenance_models()) - {DataSource, FocusPopulation}
    assert {s.Meta.model for s in model_serializers} == expected
    for cls in model_serializers:
        assert issubclass(cls, ProvenanceSerializer), cls.__name__
        assert "provenance" in cls().fields, cls.__name__
