"""No query parameter, however malformed, makes a list or a page answer 500.

Walks the OpenAPI schema (every list endpoint and the query parameters it declares) and the URL
conf (every page without arguments, with the filters pages read), sends each parameter hostile
values as an anonymous user and as an office user, and asks for no 500; a parameter that is
parsed as a number, or that takes one of a set of values (``enum`` in the schema), answers 400
naming it. Then every URL of the URL conf, those with arguments too (filled with the records of
``authz_world``), is asked with hostile values of each parameter its view reads (recorded while
it answers a plain request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any
from unittest import mock

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.datastructures import MultiValueDict
from rest_framework.test import APIClient

from ayni.accounts.models import User
from ayni.core import tables
from ayni.core.exports import export_params
from ayni.core.tests import authz_requests, authz_table
from ayni.core.tests.authz_table import OPEN, SELF, TABLE
from ayni.core.tests.urlwalk import url_routes
from ayni.monitoring import api as monitoring_api
from ayni.monitoring.models import Indicator

BAD_VALUES = ["abc", "-1", "99999999999999999999", "\x00", "'"]
# The filters that list pages read (pages declare no schema).
PAGE_PARAMETERS = [
    "year", "level", "parent", "programme", "country", "status", "type", "partner", "donor",
    "stage", "funding_type", "q", "sort", "page", "format", "indicator", "result", "retired",
]  # fmt: skip
ACTORS = [None, "ana"]
PAGINATION = ("page", "page_size")


def _schema(api: Any) -> dict[str, Any]:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _list_endpoints(schema: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    endpoints = []
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "{" in path or path.startswith("/api/schema"):
            continue
        parameters = [p for p in get.get("parameters", []) if p["in"] == "query"]
        endpoints.append((path, parameters))
    return endpoints


def _pages() -> list[str]:
    def walk(resolver: URLResolver, prefix: str) -> Any:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                yield route

    pages = []
    for route in walk(get_resolver(), ""):
        if "<" in route or "(" in route or route.startswith(("api/", "admin/", "static/")):
            continue
        if route.endswith(("logout/", "i18n/setlang/")):
            continue
        pages.append("/" + route.lstrip("^").rstrip("$"))
    return sorted(set(pages))


def _is_choice(parameter: dict[str, Any]) -> bool:
    return bool(parameter.get("schema", {}).get("enum"))


def _is_integer(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    return schema.get("type") == "integer" or schema.get("items", {}).get("type") == "integer"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ACTORS)
def test_api_lists_refuse_bad_parameters_without_500(api_for: Any, who: str | None) -> None:
    api = api_for(who)
    api.raise_request_exception = False
    failures = []
    endpoints = _list_endpoints(_schema(api_for("ana")))
    assert len(endpoints) > 20
    for path, parameters in endpoints:
        for parameter in parameters:
            name = parameter["name"]
            for value in BAD_VALUES:
                response = api.get(path, {name: value})
                if response.status_code >= 500:
                    failures.append((path, name, value, response.status_code))
                elif name in PAGINATION:
                    continue  # DRF's pagination reads a bad page size as the default
                elif (_is_integer(parameter) or _is_choice(parameter)) and (
                    response.status_code not in (400, 401, 403, 404)
                ):
                    failures.append((path, name, value, response.status_code))
                elif (
                    response.status_code == 400
                    and (_is_integer(parameter) or _is_choice(parameter))
                    # A required parameter left out may be named instead (the analytics).
                    and not response.json()["error"]["fields"]
                ):
                    failures.append((path, name, value, "400 not naming it"))
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.django_db
@pytest.mark.parametrize("who", ACTORS)
def test_pages_refuse_bad_parameters_without_500(client_for: Any, client: Any, who: Any) -> None:
    browser = client_for(who) if who else client
    browser.raise_request_exception = False
    failures = []
    pages = _pages()
    assert len(pages) > 10
    for page in pages:
        for name in PAGE_PARAMETERS:
            for value in BAD_VALUES:
                response = browser.get(page, {name: value})
                if response.status_code >= 500:
                    failures.append((page, name, value, response.status_code))
    assert failures == [], "\n".join(map(str, failures))


@pytest.mark.django_db
def test_an_overflowing_id_is_a_400_naming_the_parameter(api_for: Any) -> None:
    response = api_for("ana").get("/api/results/", {"programme": "99999999999999999999"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["programme"]


@pytest.mark.django_db
def test_a_page_answers_400_naming_a_malformed_year(client: Any) -> None:
    Indicator.objects.create(
        code="t-params",
        name_es="Prueba",
        name_en="Test",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.LOWER_IS_BETTER,
    )
    url = reverse("monitoring:indicator-detail", args=["t-params"])
    assert client.get(url, {"country": "PE"}).status_code == 200
    for value in BAD_VALUES:
        response = client.get(url, {"country": "PE", "year": value}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, value
        assert "year: " in response.content.decode(), value


@pytest.mark.django_db
def test_the_analytics_refuse_an_unknown_level_naming_it(api_for: Any) -> None:
    Indicator.objects.create(
        code="t-level",
        name_es="Prueba",
        name_en="Test",
        unit=Indicator.Unit.PERCENT,
        direction=Indicator.Direction.LOWER_IS_BETTER,
    )
    api = api_for(None)
    api.raise_request_exception = False
    query = {"indicator": "t-level", "country": "PE"}
    assert api.get("/api/analytics/", query).status_code == 200
    response = api.get("/api/analytics/", {**query, "level": "x"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["level"]


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["abc", "99999999999999999999", "0"])
def test_a_job_download_with_an_unreadable_id_is_not_found(api_for: Any, pk: str) -> None:
    api = api_for("ana")
    api.raise_request_exception = False
    assert api.get(f"/api/jobs/{pk}/download/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["99999999999999999999", "0"])
def test_a_token_revocation_with_an_unreadable_id_is_not_found(client_for: Any, pk: str) -> None:
    client = client_for("ana")
    client.raise_request_exception = False
    assert client.get(f"/accounts/me/tokens/{pk}/revoke/").status_code == 404
    assert client.post(f"/accounts/me/tokens/{pk}/revoke/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/api/analytics.json", "/api/analytics/equity.json", "/api/jobs/1/download.json"]
)
def test_a_format_suffix_is_not_an_address(api_for: Any, path: str) -> None:
    """``?format=json`` chooses the format; a suffix (``/api/grants.json``) reached actions
    that take no ``format`` argument and answered 500."""
    api = api_for("ana")
    api.raise_request_exception = False
    assert api.get(path, {"indicator": "x"}).status_code == 404


# Filters that take one of a set of values (a status, a type, a level, a format): a value
# outside the set answers 400 naming the filter instead of being ignored. API filters with a
# set of values declare it in the schema (``enum``), where the walk above finds them too.
PAGE_CHOICES = [
    ("/partners/", "type"),
    ("/partners/", "format"),
    ("/partners/agreements/", "status"),
    ("/partners/agreements/", "type"),
    ("/funding/grants/", "stage"),
    ("/funding/grants/", "funding_type"),
    ("/funding/donors/", "format"),
    ("/monitoring/", "status"),
    ("/places/", "level"),
    ("/places/", "country"),
]
API_CHOICES = [
    ("/api/agreements/", "status"),
    ("/api/agreements/", "type"),
    ("/api/partner-reports/", "status"),
    ("/api/grants/", "stage"),
    ("/api/grants/", "funding_type"),
    ("/api/allocations/", "stage"),
    ("/api/budget-lines/", "funding_type"),
    ("/api/expenditures/", "funding_type"),
    ("/api/locations/", "level"),
    ("/api/locations/", "country"),
    ("/api/results/", "level"),
    ("/api/results/", "retired"),
    ("/api/data-values/", "period_type"),
    ("/api/data-values/", "output"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), PAGE_CHOICES)
def test_a_page_refuses_an_unknown_choice_naming_it(client_for: Any, path: str, name: str) -> None:
    browser = client_for("ana")
    assert browser.get(path).status_code == 200
    response = browser.get(path, {name: "zzz"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert f"{name}: " in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), API_CHOICES)
def test_an_api_filter_refuses_an_unknown_choice_naming_it(
    api_for: Any, path: str, name: str
) -> None:
    api = api_for("ana")
    api.raise_request_exception = False
    assert api.get(path).status_code == 200
    response = api.get(path, {name: "zzz"})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [name]


@pytest.mark.django_db
def test_the_funding_figures_refuse_an_unknown_dimension_naming_it(
    api_for: Any, programme: Any
) -> None:
    api = api_for("ana")
    api.raise_request_exception = False
    response = api.get(f"/api/programmes/{programme.pk}/funding/", {"by": "zzz"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["by"]
    assert "component" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_a_parameter_called_items_does_not_break_the_page_links(client: Any) -> None:
    """The page links copied the query string with ``request.GET.items``, which a template
    reads as the parameter ``items`` when there is one: ``?items=x`` answered 500."""
    response = client.get("/places/", {"items": "x", "q": "a"})
    assert response.status_code == 200
    assert "items=x&amp;q=a&amp;page=2" in response.content.decode()


@contextmanager
def reading_parameters() -> Iterator[set[str]]:
    """The names of the query parameters a view looks up while it answers: on the request's
    ``GET`` (pages and DRF's ``query_params``) and on the parameters a list page hands to its
    table (``export_params``)."""
    names: set[str] = set()

    def recording(original: Any) -> Any:
        def read(self: Any, key: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(self, QueryDict):
                names.add(str(key))
            return original(self, key, *args, **kwargs)

        return read

    class RecordingDict(dict[str, str]):
        def get(self, key: Any, default: Any = None) -> Any:
            names.add(str(key))
            return super().get(key, default)

        def __getitem__(self, key: Any) -> Any:
            names.add(str(key))
            return super().__getitem__(key)

    def recorded_export_params(query: Any) -> dict[str, str]:
        return RecordingDict(export_params(query))

    with ExitStack() as stack:
        for method in ("get", "__getitem__", "getlist", "__contains__"):
            original = getattr(MultiValueDict, method)
            stack.enter_context(mock.patch.object(MultiValueDict, method, recording(original)))
        for module in (tables, monitoring_api):
            stack.enter_context(mock.patch.object(module, "export_params", recorded_export_params))
        yield names


def _reader_of(name: str) -> str:
    """An actor the URL answers (its parameters are read only past the permission check)."""
    cell = TABLE[name]["GET"]
    allowed = cell["PE"] if isinstance(cell, dict) else cell
    if allowed == OPEN:
        return "anonymous"
    if allowed == SELF:
        return "ana"  # the signed-in person's own account pages
    return next(a for a in ("ana", "anonymous", *authz_table.ACTORS) if a in allowed.split())


def _names_the_parameter(response: Any, name: str) -> bool:
    if response["Content-Type"].startswith("application/json"):
        error = response.json()["error"]
        return name in error["fields"] or name in error["message"]
    return f"{name}: " in response.content.decode("utf-8", "replace")


@pytest.mark.django_db
def test_every_url_with_its_arguments_refuses_bad_parameters_without_500(
    matrix: dict[str, Any], matrix_dirs: None
) -> None:
    """Every page and endpoint that answers GET, its path filled with records of the Peru
    office: each parameter its view reads, sent every hostile value, answers without a 500,
    and a 400 names the parameter."""
    clients: dict[str, APIClient] = {}
    failures: list[Any] = []
    walked = pairs = 0
    for name, route in sorted(url_routes().items()):
        if "GET" not in route["methods"] or name == "api-schema":
            continue  # the schema reads no filter (and is walked above)
        actor = _reader_of(name)
        if actor not in clients:
            clients[actor] = APIClient()
            clients[actor].raise_request_exception = False
            if actor != "anonymous":
                clients[actor].force_login(User.objects.get(username=actor))
        client = clients[actor]
        key, kwargs_of = authz_requests.target(name, "GET")
        records = matrix["PE"]
        url = reverse(name, kwargs=kwargs_of(records[key] if key else None))
        needed = authz_requests.query(name, records)
        with reading_parameters() as read:
            plain = client.get(url, needed)
        if plain.status_code >= 400:
            failures.append((name, url, actor, "plain request", plain.status_code))
            continue
        walked += 1
        for parameter in sorted(read - {"csrfmiddlewaretoken"}):
            pairs += 1
            for value in BAD_VALUES:
                response = client.get(url, {**needed, parameter: value})
                if response.status_code >= 500:
                    failures.append((name, url, parameter, value, response.status_code))
                elif response.status_code == 400 and not _names_the_parameter(response, parameter):
                    failures.append((name, url, parameter, value, "400 not naming it"))
    print(f"\n{walked} URLs, {pairs} parameters read, {pairs * len(BAD_VALUES)} requests")
    assert walked > 60, "the walk of the URL configuration is broken"
    assert failures == [], "\n".join(map(str, failures))
