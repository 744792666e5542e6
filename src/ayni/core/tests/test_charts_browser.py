"""Charts and maps as Chromium draws them, in Spanish and English, on a phone and a desktop:
every label is whole (its characters in a row on one baseline, not scattered by a coordinate
list), inside its picture, and clear of the other labels and of the bars."""

from __future__ import annotations

from typing import Any

import pytest

from ayni.accounts.models import CountryOffice
from ayni.core.tests.world import PASSWORD, build_world
from ayni.demo.indicators import load_demo_indicators
from ayni.demo.programme import load_default_programme
from ayni.geography.models import Location
from ayni.monitoring import analytics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Problems with the labels of every <svg> on the page, as Chromium lays them out.
CHECK_LABELS = """() => {
  const problems = [];
  const box = (el) => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1
    && a.top < b.bottom - 1 && b.top < a.bottom - 1;
  for (const svg of document.querySelectorAll("main svg")) {
    const frame = box(svg);
    const texts = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    for (const text of texts) {
      const lines = text.querySelectorAll("tspan").length ? text.querySelectorAll("tspan") : [text];
      for (const line of lines) {
        const n = line.getNumberOfChars();
        const first = n ? line.getStartPositionOfChar(0) : null;
        for (let i = 1; i < n; i++) {
          const at = line.getStartPositionOfChar(i);
          if (Math.abs(at.y - first.y) > 0.5 || at.x <= line.getStartPositionOfChar(i - 1).x) {
            problems.push(`"${line.textContent}": character ${i} out of line`);
            break;
          }
        }
      }
      const b = box(text);
      if (b.left < frame.left - 1 || b.right > frame.right + 1 || b.top < frame.top - 1
          || b.bottom > frame.bottom + 1) {
        problems.push(`"${text.textContent}" is cut off by its picture`);
      }
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        if (overlap(box(texts[i]), box(texts[j]))) {
          problems.push(`"${texts[i].textContent}" overlaps "${texts[j].textContent}"`);
        }
      }
      for (const bar of svg.querySelectorAll("rect")) {
        if (texts[i].classList.contains("cat") && overlap(box(texts[i]), box(bar))) {
          problems.push(`"${texts[i].textContent}" overlaps a bar`);
        }
      }
    }
  }
  return problems;
}"""


@pytest.fixture
def demo(transactional_db: Any, settings: Any, tmp_path: Any) -> Any:
    if not Location.objects.exists():
        build_world()
    office = CountryOffice.objects.get(code="peru")
    programme = load_default_programme(office).programme
    load_demo_indicators(office.country)
    analytics.refresh()
    # Apurímac's provinces as squares side by side, so its page draws a labelled map; the
    # departments keep no boundary, so the dashboard and the indicator draw tile maps.
    region = Location.objects.get(country__iso2="PE", code="03")
    for index, province in enumerate(region.children.order_by("code")):
        x, y = -74.0 + (index % 3) * 0.5, -13.0 - (index // 3) * 0.5
        ring = [[x, y], [x + 0.48, y], [x + 0.48, y + 0.48], [x, y + 0.48], [x, y]]
        province.boundary = {"type": "Polygon", "coordinates": [ring]}
        province.save(update_fields=["boundary"])
    return programme


def test_chart_and_map_labels_are_whole_and_clear(
    live_server: Any, browser: Any, demo: Any
) -> None:
    pages = {
        demo.get_absolute_url(): 4 + 5 + 25,  # components, years, a tile per department
        "/monitoring/indicators/stunting-u5/": 8 + 25,  # years, a tile per department
        "/places/PE/03/": 5,  # the provinces whose name fits
    }
    problems = []
    for language in ("es", "en"):
        for width in (360, 1280):
            context = browser.new_context(
                locale="es-PE" if language == "es" else "en-GB",
                viewport={"width": width, "height": 900},
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.locator("#id_username").fill("ana")
            page.locator("#id_password").fill(PASSWORD)
            page.locator("form.form button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/")
            assert page.locator("html").get_attribute("lang") == language
            for url, labels in pages.items():
                page.goto(f"{live_server.url}{url}")
                where = f"{language} {width}px {url}"
                drawn = page.locator("main svg text").all_text_contents()
                if len([t for t in drawn if len(t.strip()) > 1]) < labels:
                    problems.append(f"{where}: fewer than {labels} labels")
                problems += [f"{where}: {p}" for p in page.evaluate(CHECK_LABELS)]
                # Nothing on the page is wider than the screen.
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    problems.append(f"{where}: wider than the screen")
            context.close()
    assert problems == []
