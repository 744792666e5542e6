"""``ayni sdmx pull``: download SDMX-CSV from UNICEF's data warehouse, and optionally import it.

The query is the SDMX REST data query UNICEF documents and its own tools use::

    {base}/data/UNICEF,CME,1.0/PER.CME_MRY0T4?format=csv&startPeriod=2012&endPeriod=2016

The download goes through ``fetch``, a small module-level function, so tests serve saved
responses in its place and never reach the network.
"""

from __future__ import annotations

import csv
import importlib
import io
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ayni.accounts.models import CountryOffice
from ayni.geography.models import Country
from ayni.geography.selectors import CountryNotChosen, country_named
from ayni.monitoring.imports.base import ImportRefused, Mapping

DEFAULT_BASE_URL = "https://sdmx.data.unicef.org/ws/public/sdmxapi/rest"
DEFAULT_AGENCY = "UNICEF"
DEFAULT_VERSION = "1.0"
TIMEOUT_SECONDS = 60.0
SHOWN_ERRORS = 20


class FetchError(Exception):
    """The download failed; ``str()`` says why in words a user can act on."""


def build_url(
    dataflow: str,
    *,
    countries: list[str],
    indicators: list[str] | None = None,
    key_rest: str = "",
    start: str = "",
    end: str = "",
    base_url: str = DEFAULT_BASE_URL,
    agency: str = DEFAULT_AGENCY,
    version: str = DEFAULT_VERSION,
) -> str:
    """The SDMX REST data query for SDMX-CSV.

    ``dataflow`` is an id (``CME``, completed with ``agency`` and ``version``) or a full
    reference (``UNICEF,CME,1.0``). The key is ``REF_AREA.INDICATOR`` with several codes
    joined by ``+`` and an empty position meaning "all"; ``key_rest`` appends the positions
    after INDICATOR as written in the URL (``._T._T._T`` after ``BRA.CME_MRY0T4.``).
    """
    reference = dataflow if "," in dataflow else f"{agency},{dataflow},{version}"
    key = f"{'+'.join(countries)}.{'+'.join(indicators or [])}"
    if key_rest:
        key = f"{key}.{key_rest}"
    query = [("format", "csv")]
    if start:
        query.append(("startPeriod", str(start)))
    if end:
        query.append(("endPeriod", str(end)))
    path = "/".join(urllib.parse.quote(part, safe=",+._") for part in ("data", reference, key))
    return f"{base_url.rstrip('/')}/{path}?{urllib.parse.urlencode(query)}"


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, limit: int | None = None) -> bytes:
    """GET ``url`` and return the body, refusing one larger than ``limit`` bytes.

    Replaced by tests (monkeypatch) to serve saved responses offline.
    """
    limit = settings.AYNI_MAX_IMPORT_BYTES if limit is None else limit
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        # urlopen would also read file:// and ftp:// URLs; only web services are meant here.
        raise FetchError(_("only http and https URLs can be pulled, not %(url)s") % {"url": url})
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, headers={"Accept": "application/vnd.sdmx.data+csv, text/csv", "User-Agent": "ayni"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise FetchError(
                _("%(host)s has no data for this query (HTTP 404)") % {"host": parts.netloc}
            ) from exc
        raise FetchError(
            _("%(host)s answered HTTP %(code)d (%(reason)s)")
            % {"host": parts.netloc, "code": exc.code, "reason": exc.reason}
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(
            _("could not reach %(host)s (%(reason)s) (are you offline?)")
            % {"host": parts.netloc, "reason": reason}
        ) from exc
    if len(body) > limit:
        raise FetchError(
            _("the answer from %(host)s is larger than the limit of %(limit)s bytes")
            % {"host": parts.netloc, "limit": f"{limit:,}"}
        )
    return body


def _write(path: Path, body: bytes) -> None:
    """Write the whole file or nothing: a failed pull never leaves half a CSV behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _codes(values: list[str]) -> list[str]:
    """``["PER", "BOL+ECU", "COL,CHL"]`` → ``["PER", "BOL", "ECU", "COL", "CHL"]``."""
    return [
        code.strip().upper()
        for value in values
        for code in value.replace(",", "+").split("+")
        if code.strip()
    ]


class Command(BaseCommand):
    help = (
        "Download SDMX-CSV from UNICEF's SDMX web service (e.g. ayni sdmx pull CME --country "
        "PER --indicator CME_MRY0T4 --start 2012 --end 2016) and optionally import it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataflow", help="dataflow id (CME, NUTRITION …) or UNICEF,CME,1.0")
        parser.add_argument(
            "--country",
            action="append",
            required=True,
            help="REF_AREA code(s), ISO 3166-1 alpha-3 (PER); repeat or join with +",
        )
        parser.add_argument(
            "--indicator", action="append", default=[], help="indicator code(s); default all"
        )
        parser.add_argument(
            "--key-rest",
            default="",
            help="key positions after INDICATOR, as in the URL (e.g. '._T._T._T' for totals)",
        )
        parser.add_argument("--start", default="", help="first period, e.g. 2012")
        parser.add_argument("--end", default="", help="last period, e.g. 2016")
        parser.add_argument(
            "--output", type=Path, help="where to write the CSV (default: under the data folder)"
        )
        parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help="SDMX REST endpoint")
        parser.add_argument("--agency", default=DEFAULT_AGENCY)
        parser.add_argument(
            "--flow-version", default=DEFAULT_VERSION, help="dataflow version (default 1.0)"
        )
        parser.add_argument("--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds")
        parser.add_argument(
            "--import", dest="do_import", action="store_true", help="import the file after"
        )
        parser.add_argument("--source", default="", help="Ayni data source code (with --import)")
        parser.add_argument(
            "--office",
            help="with --import: the country office whose country's places the values are for "
            "(needed when more than one country is loaded)",
        )
        parser.add_argument("--mapping", type=Path, help="mapping JSON file (with --import)")
        parser.add_argument("--dry-run", action="store_true", help="with --import: write nothing")
        parser.add_argument(
            "--best-effort",
            action="store_true",
            help="with --import: load the good rows and report the bad (default: all or nothing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        countries = _codes(options["country"])
        indicators = _codes(options["indicator"])
        mapping = self._mapping(options) if options["do_import"] else None
        into = self._country(options["office"]) if options["do_import"] else None
        url = build_url(
            options["dataflow"],
            countries=countries,
            indicators=indicators,
            key_rest=options["key_rest"],
            start=options["start"],
            end=options["end"],
            base_url=options["base_url"],
            agency=options["agency"],
            version=options["flow_version"],
        )
        output: Path = options["output"] or self._default_output(
            options["dataflow"], countries, indicators, options["start"], options["end"]
        )
        self.stdout.write(_("Fetching %(url)s") % {"url": url})
        try:
            body = fetch(url, timeout=options["timeout"])
        except FetchError as exc:
            raise CommandError(str(exc)) from exc
        first_line = body.split(b"\n", 1)[0].decode("utf-8-sig", "replace")
        if "OBS_VALUE" not in first_line or "TIME_PERIOD" not in first_line:
            raise CommandError(
                _("the service did not answer with SDMX-CSV (it began: %(start)s)")
                % {"start": first_line[:200]}
            )
        _write(output, body)
        text = body.decode("utf-8-sig", "replace")
        rows = sum(1 for row in csv.reader(io.StringIO(text, newline="")) if any(row)) - 1
        self.stdout.write(
            _("Wrote %(file)s (%(bytes)s bytes, %(rows)d observations).")
            % {"file": output, "bytes": f"{len(body):,}", "rows": rows}
        )
        if mapping is not None and into is not None:
            self._import(output, mapping, into, options)

    def _default_output(
        self, dataflow: str, countries: list[str], indicators: list[str], start: str, end: str
    ) -> Path:
        flow = dataflow.split(",")[1] if "," in dataflow else dataflow
        parts = [flow, "+".join(countries) or "all", "+".join(indicators) or "all"]
        if start or end:
            parts.append(f"{start}-{end}")
        name = "_".join(parts).replace("/", "-").replace("+", "-")
        return Path(settings.DATA_DIR) / "sdmx" / f"{name}.csv"

    def _pipeline(self) -> ModuleType:
        try:
            # Imported lazily: the pull itself works without the import pipeline.
            return importlib.import_module("ayni.monitoring.imports.pipeline")
        except ImportError as exc:
            raise CommandError(
                _("--import needs the import pipeline, which is not available (%(error)s)")
                % {"error": exc}
            ) from exc

    def _mapping(self, options: dict[str, Any]) -> Mapping:
        """The mapping for --import, read before the download so a mistake costs nothing."""
        mapping = Mapping()
        if options["mapping"]:
            try:
                mapping = self._pipeline().load_mapping(options["mapping"])
            except ImportRefused as exc:
                raise CommandError(str(exc)) from exc
        if options["source"]:
            mapping.constants = {**mapping.constants, "source": options["source"]}
        if not mapping.constants.get("source"):
            raise CommandError(
                _("--import needs the Ayni data source: give --source CODE (or constants.source)")
            )
        return mapping

    def _country(self, office_code: str | None) -> Country:
        """The country --import writes to (its office's, or the only one loaded), found before
        the download so a mistake costs nothing. REF_AREA is not it: a mapping may put another
        area's values on a place of this country."""
        if office_code:
            office = CountryOffice.objects.select_related("country").filter(code=office_code)
            if not office:
                raise CommandError(_("unknown office '%(office)s'") % {"office": office_code})
            return office[0].country
        try:
            return country_named(None)
        except CountryNotChosen as exc:
            raise CommandError(_("%(reason)s: give --office") % {"reason": exc}) from None

    def _import(
        self, path: Path, mapping: Mapping, country: Country, options: dict[str, Any]
    ) -> None:
        """Import the saved file through the pipeline, reporting as ``ayni import`` does."""
        pipeline = self._pipeline()
        try:
            batch, result = pipeline.run_import(
                format="sdmx-csv",
                path=path,
                mapping=mapping,
                country=country,
                dry_run=options["dry_run"],
                atomic=not options["best_effort"],
            )
        except ImportRefused as exc:
            refused = getattr(exc, "result", None)
            if refused is None:
                raise CommandError(str(exc)) from exc
            self._errors(pipeline, refused)
            raise CommandError(
                _(
                    "%(file)s: %(count)s of %(read)s lines refused, nothing written "
                    "(batch %(batch)s)."
                )
                % {
                    "file": path.name,
                    "count": f"{refused.rejected:,}",
                    "read": f"{refused.read:,}",
                    "batch": exc.batch.pk if exc.batch else "-",
                }
            ) from exc
        self._errors(pipeline, result)
        counts = {key: f"{value:,}" for key, value in result.counts().items()}
        summary = _(
            "%(read)s values read: %(created)s created, %(updated)s updated, %(unchanged)s "
            "unchanged, %(deleted)s deleted, %(rejected)s refused (batch %(batch)s)."
        ) % {**counts, "batch": batch.pk}
        if options["dry_run"]:
            summary += " " + _("Dry run: nothing written.")
        self.stdout.write(self.style.SUCCESS(summary))

    def _errors(self, pipeline: ModuleType, result: Any) -> None:
        for error in result.errors[:SHOWN_ERRORS]:
            self.stderr.write(pipeline.format_error(error))
        more = result.error_count - min(len(result.errors), SHOWN_ERRORS)
        if more > 0:
            self.stderr.write(_("... and %(count)s more") % {"count": f"{more:,}"})
