"""Numbers written into markup are the same in every language.

Every page Ayni serves is found from the URL configuration and rendered in Spanish (the
default, with its decimal comma) and in English, as a user who may see it, over the demo data so
that the charts have bars, the maps tiles or shapes. In each one, SVG geometry, inline CSS,
numeric data attributes, URLs and JSON must hold plain numbers, the geometry must not change
with the language, and bar and map labels must be whole. A new page with a chart is covered
without touching this file; a page whose URL takes a parameter the test cannot fill fails here
until the test is told how to reach it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from ayni.accounts.models import CountryOffice, User
from ayni.accounts.services import api_token_create
from ayni.core.charts import BarChart, LineChart, Series
from ayni.core.models import ImportBatch, Job
from ayni.core.permissions import Action, scope
from ayni.core.tests.markup import Page, geometry, geometry_problem, parse, problems
from ayni.demo.indicators import load_demo_indicators
from ayni.demo.programme import load_default_programme
from ayni.geography.models import Location
from ayni.geography.svg import department_map, draw
from ayni.monitoring import analytics
from ayni.monitoring.models import Indicator
from ayni.partners.models import Agreement
from ayni.partners.services import partner_report_create
from ayni.programmes.models import CountryProgramme, Result

pytestmark = pytest.mark.django_db

# The pages that hold a chart or a map today: the crawl must find an <svg> on each.
CHART_PAGES = {
    "reporting:programme-dashboard",
    "monitoring:indicator-detail",
    "geography:location-detail",
}
VIEWER = "ana"  # administrator of the Peru office: sees the programme, its money and its data
# URL parameters that name another model than the view's own.
PARAMETER_MODELS = {("partners:report-create", "pk"): Agreement}
BAD_IMPORT = (
    "indicator,location,period,value,source\n"
    "stunting-u5,03,2019,21.5,andina-inei-2018\n"
    "stunting-u5,99,2019,oops,andina-inei-2018\n"
)


def _square(longitude: Decimal, latitude: Decimal, half: float = 0.35) -> dict[str, Any]:
    x, y = float(longitude), float(latitude)
    ring = [[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _give_boundaries(places: Any) -> None:
    for place in places:
        place.boundary = _square(place.longitude, place.latitude)
        place.save(update_fields=["boundary"])


@dataclass
class Demo:
    programme: CountryProgramme
    region: Location
    agreement: Agreement


@pytest.fixture
def demo(settings: Any, tmp_path: Any, client_for: Any) -> Demo:
    """The default programme, the demo indicators, an import with a refused line (its job
    and its error report are pages too), boundaries for Apurímac and its provinces, and an API
    token of the viewer (its revocation page is a page too)."""
    settings.AYNI_JOBS = "worker"
    settings.MEDIA_ROOT = tmp_path / "media"
    office = CountryOffice.objects.get(code="peru")
    programme = load_default_programme(office).programme
    load_demo_indicators(office.country)
    analytics.refresh()
    upload = SimpleUploadedFile("values.csv", BAD_IMPORT.encode())
    response = client_for(VIEWER).post(
        reverse("monitoring:import"), {"file": upload, "format": "csv"}
    )
    assert response.status_code == 302
    call_command("worker", "--once")
    region = Location.objects.get(country__iso2="PE", code="03")
    _give_boundaries([region, *region.children.filter(latitude__isnull=False)])
    agreement = Agreement.objects.get(reference="PCA-2012-01")
    partner_report_create(
        agreement=agreement, period_start=date(2013, 1, 1), period_end=date(2013, 6, 30)
    )
    # The account page lists it, and its revocation page asks to confirm.
    api_token_create(user=User.objects.get(username=VIEWER), name="script", scope="read", days=30)
    return Demo(programme=programme, region=region, agreement=agreement)


def _routes(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Any:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern


def _pages(demo: Demo, viewer: User) -> tuple[dict[str, str], list[str]]:
    """Every Ayni page a browser can GET, with a URL filled from the demo records: ``(pages
    by URL name, routes the test does not know how to fill)``. The API, the admin and Django's
    own views are left out: they write no charts."""

    def sample(model: type[models.Model]) -> Any:
        preferred = {
            CountryProgramme: demo.programme,
            Location: demo.region,
            Indicator: Indicator.objects.filter(code="stunting-u5").first(),
            Result: Result.objects.filter(programme=demo.programme, level="component").first(),
            Job: Job.objects.order_by("-pk").first(),
            Agreement: demo.agreement,
        }
        found = preferred.get(model)
        return found or scope(viewer, Action.VIEW, model._default_manager.order_by("pk")).first()

    pages: dict[str, str] = {}
    unknown: list[str] = []
    for route, name, pattern in _routes(get_resolver()):
        view = getattr(pattern.callback, "view_class", None)
        if view is None or not view.__module__.startswith("ayni."):
            continue
        if route.startswith(("api/", "admin/")):
            continue  # the admin's sign-in page is Ayni's, but it only redirects
        if name.endswith("-download"):
            continue  # a file, not a page (and a job has one only once it has run)
        if "get" not in view.http_method_names or not hasattr(view, "get"):
            continue  # POST-only endpoints render no page
        model = getattr(view, "model", None)
        record = sample(model) if model is not None else None
        if model is ImportBatch:
            record = ImportBatch.objects.exclude(errors=[]).order_by("-pk").first()
        kwargs: dict[str, Any] = {}
        for key in pattern.pattern.regex.groupindex:
            if (name, key) in PARAMETER_MODELS:
                kwargs[key] = sample(PARAMETER_MODELS[name, key]).pk
            elif key in ("programme", "programme_pk"):
                kwargs[key] = demo.programme.pk
            elif key == "parent":
                kwargs[key] = sample(Result).pk
            elif record is not None and key == "country" and hasattr(record, "country"):
                kwargs[key] = record.country.iso2
            elif record is not None and hasattr(record, key):
                kwargs[key] = getattr(record, key)
            else:
                unknown.append(f"{route} ({key})")
                break
        else:
            pages[name] = reverse(name, kwargs=kwargs)
    return pages, unknown


def _context_values(response: Any, kind: type) -> list[Any]:
    found: dict[int, Any] = {}
    for context in response.context or []:
        for value in context.flatten().values():
            if isinstance(value, kind):
                found[id(value)] = value
    return list(found.values())


def _whole(text: str, label: str) -> bool:
    """The label (on one line or several), or for a long one its beginning and an ellipsis."""
    text, label = "".join(text.split()), "".join(label.split())
    return text == label or (text.endswith("…") and len(text) > 2 and label.startswith(text[:-1]))


def _label_problems(page: Page, response: Any) -> list[str]:
    """Bar labels and map labels are whole words, not single letters."""
    found = []
    categories = [str(c) for chart in _context_values(response, BarChart) for c in chart.categories]
    labels = [e.text.strip() for e in page.svg if e.tag == "text" and "cat" in e.classes]
    if len(labels) != len(categories):
        found.append(f"{len(labels)} bar labels for {len(categories)} categories")
    for label in labels:
        if not any(_whole(label, category) for category in categories):
            found.append(f"bar label {label!r} is none of the categories")
    maps = [v for v in _context_values(response, dict) if "tiles" in v or "shapes" in v]
    names = {str(tile["label"]) for m in maps for tile in m.get("tiles", [])}
    names |= {getattr(s, "text", "") for m in maps for s in m.get("shapes", [])} - {""}
    for element in page.svg:
        if element.tag == "text" and "label" in element.classes:
            text = element.text.strip()
            if text not in names or len(text) < 2:
                found.append(f"map label {text!r} is not a place's label")
    return found


@pytest.mark.parametrize("boundaries", ["tile maps", "every department drawn"])
def test_numbers_in_markup_are_plain_on_every_page_in_both_languages(
    demo: Demo, boundaries: str
) -> None:
    if boundaries == "every department drawn":
        _give_boundaries(Location.objects.filter(country__iso2="PE", level__depth=1))
    viewer = User.objects.get(username=VIEWER)
    client = Client()
    client.force_login(viewer)
    pages, unknown = _pages(demo, viewer)
    assert unknown == [], "tell _pages how to fill these URL parameters"
    assert set(pages) >= CHART_PAGES
    failures: list[str] = []
    drawn: dict[str, Page] = {}
    for name, url in sorted(pages.items()):
        rendered: dict[str, Page] = {}
        for language in ("es", "en"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code == 302:
                # A page for the signed-out (the login form), or one that sends this reader
                # on (the only programme, an agreement no longer editable): the page they see.
                response = Client().get(url, HTTP_ACCEPT_LANGUAGE=language)
                if response.status_code != 200:
                    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language, follow=True)
            if response.status_code != 200:
                failures.append(f"{language} {url}: status {response.status_code}")
                break
            if not response["Content-Type"].startswith("text/html"):
                break
            page = rendered[language] = parse(response.content.decode())
            where = f"{language} {name} {url}"
            failures += [f"{where}: {p}" for p in problems(page)]
            failures += [f"{where}: {p}" for p in _label_problems(page, response)]
        if "en" in rendered and rendered["es"].svg:
            drawn[name] = rendered["es"]
            if geometry(rendered["es"]) != geometry(rendered["en"]):
                failures.append(f"{name} {url}: the SVG geometry has other numbers in Spanish")
    assert failures == [], "\n".join(failures)
    assert set(drawn) >= CHART_PAGES
    # The charts are drawn, not empty: bars, lines, and a shape or a tile per place.
    dashboard = drawn["reporting:programme-dashboard"]
    assert sum(e.tag == "rect" and bool(e.classes & {"funded", "gap"}) for e in dashboard.svg) >= 8
    shape = "path" if boundaries == "every department drawn" else "rect"
    for name in ("reporting:programme-dashboard", "monitoring:indicator-detail"):
        assert sum(e.tag == shape and "shape" in e.classes for e in drawn[name].svg) == 25, name
    trend = drawn["monitoring:indicator-detail"].svg
    assert sum(e.tag == "line" and "line" in e.classes for e in trend) >= 2
    assert sum(e.tag == "circle" for e in trend) >= 3
    provinces = demo.region.children.filter(latitude__isnull=False).count()
    location = drawn["geography:location-detail"]
    assert sum(e.tag == "path" for e in location.svg) == provinces > 0


def test_chart_and_map_geometry_is_text_already_made_locale_independent() -> None:
    """The renderers hand templates strings: no template can localize a coordinate."""
    with translation.override("es"):
        bars = BarChart(
            title="t",
            unit="USD",
            categories=["Policies, social investment and dissemination of knowledge", 2013],
            series=[
                Series("funded", [Decimal("1234567.89"), Decimal("10.5")], "funded"),
                Series("gap", [Decimal("7.25"), Decimal("0")], "gap"),
            ],
        )
        line = LineChart(
            title="t",
            unit="%",
            years=[2012, 2013, 2016],
            series=[Series("x", [Decimal("1.5"), Decimal("2.25"), None], "a")],
            reference=((2012, Decimal("1.5")), (2016, Decimal("0.5"))),
        )
        places = list(Location.objects.filter(country__iso2="PE", level__depth=1))
        tiles = department_map(places, set(), {"03": Decimal("21.5")})
        square = _square(Decimal("-72.9"), Decimal("-13.6"))
        shapes = draw([(square, "Apurímac", "/places/PE/03/")])
    values: list[tuple[str, Any]] = [("height", bars.height), ("height", line.svg_height)]
    for row in bars.rows:
        values += [("y", text["y"]) for text in row["lines"]]
        values += [(k, bar[k]) for bar in row["bars"] for k in ("x", "y", "width", "height")]
    for tick in line.ticks:
        values += [("y", tick["y"]), ("y", tick["label_y"])]
    values += [(k, a[k]) for a in line.axis for k in ("x", "y")]
    assert line.target_line and line.lines[0]["segments"]
    values += [(k, line.target_line[k]) for k in ("x1", "y1", "x2", "y2")]
    values += [(k, s[k]) for s in line.lines[0]["segments"] for k in ("x1", "y1", "x2", "y2")]
    values += [(k, d[k]) for d in line.lines[0]["dots"] for k in ("cx", "cy")]
    assert tiles["kind"] == "tiles" and len(tiles["tiles"]) == 25
    for tile in tiles["tiles"]:
        values += [(k, tile[k]) for k in ("x", "y", "cx", "cy", "width", "height")]
    values += [("viewBox", tiles["viewbox"]), ("viewBox", shapes["viewbox"])]
    values += [("d", shape.d) for shape in shapes["shapes"]]
    for name, value in values:
        assert isinstance(value, str), (name, value)
        assert geometry_problem(name, value) is None, (name, value)
    assert [line["text"] for line in bars.rows[0]["lines"]] == [
        "Policies, social investment and",
        "dissemination of knowledge",
    ]


def test_the_markup_number_filter_ignores_the_language() -> None:
    from ayni.core.templatetags.ayni import plain_number

    with translation.override("es"):
        assert plain_number(Decimal("37.50")) == "37.5"
        assert plain_number(1234567.891) == "1234567.89"
        assert plain_number(2) == "2"
        assert plain_number("12.0") == "12"
        assert plain_number(Decimal("-0.001")) == "0"
        assert plain_number(None) == ""
        assert plain_number("n/a") == ""


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ('<svg><text x="0" y="23,0">C1</text></svg>', "not one plain number"),
        ('<svg viewBox="0 0 640 120,5"></svg>', "not four plain numbers"),
        ('<svg><path d="M1,5,2,5L3,5,4,5Z"/></svg>', "not plain numbers"),
        ('<svg><polyline points="7,5,10 8,5,12"/></svg>', "not plain x,y pairs"),
        ('<svg><g transform="translate(10,5,20,5)"></g></svg>', "transform"),
        ('<span style="width:37,5%"></span>', "localized number"),
        ('<div data-total="47\u00a0150\u00a0000"></div>', "localized number"),
        ('<a href="?value=12,5">x</a>', "localized number"),
        ('<script type="application/json">{"a": 1,5}</script>', "not JSON"),
    ],
)
def test_the_checks_refuse_localized_numbers(html: str, problem: str) -> None:
    found = problems(parse(html))
    assert len(found) == 1 and problem in found[0], found


def test_the_checks_accept_what_the_charts_write() -> None:
    html = (
        '<svg viewBox="0 0 420 612" width="100%" style="max-width:420px">'
        '<path d="M1.5,2L3,4.25Z"/><rect x="25.5%" y="18" width="74.5%" height="14"/>'
        '<text x="0" y="12"><tspan x="0" y="12">C1</tspan></text>'
        '<pattern patternTransform="rotate(45)"/><line stroke-dasharray="6 4"/></svg>'
        '<span style="width:37.5%;background:#cfe0ee"></span><a href="?page=2">2</a>'
    )
    assert problems(parse(html)) == []
