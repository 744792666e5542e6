"""A corpus of hostile files for ``test_hostile_inputs.py``: one builder per attack, giving the
bytes of a file of a given kind (an import format, a mapping, an SDMX structure, GeoJSON).

Every file is small (the suite sets ``AYNI_MAX_IMPORT_BYTES`` to ``LIMIT``): the attacks are
in the structure of the file (entities, nesting, compression, encodings), not in its size,
except ``oversize``, which is one byte above the limit.
"""

from __future__ import annotations

import io
import json
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

LIMIT = 1_000_000
PARTS = 1_000  # AYNI_XLSX_MAX_PARTS in the suite
TEMPLATE = "indicator,location,period,value,source\nt-births,15,2015,120,t-sien\n"
DHIS2_CSV = "dataelement,period,orgunit,categoryoptioncombo,attributeoptioncombo,value\n"
SDMX_CSV = "DATAFLOW,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\nUNICEF:CME(1.0),PER,X,2014,1\n"
SDMX_ML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<message:GenericData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/'
    'message" xmlns:generic="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic">'
    "<message:Header><message:ID>x</message:ID></message:Header>{body}</message:GenericData>"
)
STRUCTURE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<message:Structure xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/'
    'message">{body}</message:Structure>'
)

# The kinds of file an attack can be aimed at. Import formats are read by their reader;
# "mapping" and "structure" go with a good template CSV or SDMX-ML file; "geojson" is the
# boundary import.
TEXT_KINDS = ("csv", "dhis2-csv", "sdmx-csv", "dhis2-json", "mapping", "geojson")
XML_KINDS = ("sdmx-ml", "structure", "xlsx")
ALL_KINDS = ("csv", "xlsx", "dhis2-json", "dhis2-csv", "sdmx-csv", "sdmx-ml", "mapping",
             "structure", "geojson")  # fmt: skip


def good_text(kind: str) -> str:
    """A small well-formed file of ``kind`` (the attacks change its bytes or its shape)."""
    return {
        "csv": TEMPLATE,
        "dhis2-csv": DHIS2_CSV + "de1,2014,ou1,,,5\n",
        "sdmx-csv": SDMX_CSV,
        "dhis2-json": json.dumps({"dataValues": [{"dataElement": "d", "period": "2014"}]}),
        "mapping": json.dumps({"constants": {"source": "t-sien"}}),
        "geojson": json.dumps({"type": "FeatureCollection", "features": []}),
        "sdmx-ml": SDMX_ML.format(body=""),
        "structure": STRUCTURE.format(body=""),
    }[kind]


def _xml(kind: str, doctype: str, body: str = "") -> bytes:
    """An XML file of ``kind`` with ``doctype`` before its root element."""
    if kind == "xlsx":
        sheet = (
            '<?xml version="1.0"?>' + doctype + '<worksheet xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is>'
            f"<t>{body}</t></is></c></row></sheetData></worksheet>"
        )
        return xlsx({"xl/worksheets/sheet1.xml": sheet.encode()})
    template = SDMX_ML if kind == "sdmx-ml" else STRUCTURE
    text = template.format(body=f"<x>{body}</x>")
    return text.replace("?>", "?>" + doctype, 1).encode()


def xxe_file(kind: str) -> bytes:
    return _xml(kind, '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")


def xxe_http(kind: str) -> bytes:
    return _xml(kind, '<!DOCTYPE m [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>', "&x;")


def billion_laughs(kind: str) -> bytes:
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    return _xml(kind, f"<!DOCTYPE m [{entities}]>", "&l9;")


def external_dtd(kind: str) -> bytes:
    return _xml(kind, '<!DOCTYPE m SYSTEM "http://127.0.0.1:9/m.dtd">')


# --- XLSX ----------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)


def xlsx(members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> bytes:
    """A zip with ``[Content_Types].xml`` and ``members`` (a symlink for each name in
    ``symlinks``), enough for the archive checks that run before openpyxl."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def zip_ratio(kind: str) -> bytes:
    return xlsx({"xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * 4_000_000 + b"</worksheet>"})


def zip_many_entries(kind: str) -> bytes:
    return xlsx({f"m/{number}": b"" for number in range(PARTS + 1)})


def shared_strings(kind: str) -> bytes:
    strings = "".join(f"<si><t>{number}</t></si>" for number in range(2_000))
    part = f'<?xml version="1.0"?><sst count="2000">{strings}</sst>'
    return xlsx({"xl/sharedStrings.xml": part.encode()})


def zip_parent_path(kind: str) -> bytes:
    return xlsx({"../../outside.xml": b"<x/>"})


def zip_absolute_path(kind: str) -> bytes:
    return xlsx({"/etc/outside.xml": b"<x/>"})


def zip_symlink(kind: str) -> bytes:
    return xlsx({"xl/link.xml": b"/etc/passwd"}, symlinks=("xl/link.xml",))


def xlsx_formula(kind: str) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["indicator", "location", "period", "value", "source"])
    sheet.append(["t-births", "15", "2015", "=cmd|' /C calc'!A0", "t-sien"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- JSON ----------------------------------------------------------------------------------

DEEP = 100_000


def deep_top(kind: str) -> bytes:
    return b"[" * DEEP + b"]" * DEEP


def deep_value(kind: str) -> bytes:
    inner = "[" * DEEP + "]" * DEEP
    documents = {
        "dhis2-json": '{"dataValues": [{"dataElement": "d", "value": %s}]}',
        "mapping": '{"constants": {"source": %s}}',
        "geojson": '{"type": "FeatureCollection", "features": [{"properties": %s}]}',
    }
    return (documents[kind] % inner).encode()


# --- encodings, sizes, shapes --------------------------------------------------------------


def utf16_bom(kind: str) -> bytes:
    return good_text(kind).encode("utf-16")


def utf16_no_bom(kind: str) -> bytes:
    return good_text(kind).encode("utf-16-le")


def latin1(kind: str) -> bytes:
    text = good_text(kind)
    if kind in ("dhis2-json", "mapping", "geojson"):
        return (
            text.replace('"d"', '"Añaño"')
            .replace("t-sien", "Añaño")
            .replace("[]", '[{"properties": {"n": "Añaño"}}]')
            .encode("latin-1")
        )
    return (text + text.splitlines()[-1].replace("1", "Añaño", 1) + "\n").encode("latin-1")


def invalid_utf8(kind: str) -> bytes:
    return latin1(kind).replace("ñ".encode("latin-1"), b"\xc3\x28")


def nul_bytes(kind: str) -> bytes:
    text = good_text(kind)
    if kind in ("dhis2-json", "mapping", "geojson"):
        # A raw NUL is not JSON; an escaped one is, and reaches the values.
        return (
            text.replace('"d"', '"d\\u0000"')
            .replace("t-sien", "t-sien\\u0000")
            .replace("[]", '[{"properties": {"n\\u0000": 1}}]')
            .encode()
        )
    if kind == "sdmx-ml":
        return text.replace("<message:ID>x", "<message:ID>x\x00").encode()
    return (text + text.splitlines()[-1].replace(",", ",\x00", 1) + "\n").encode()


def oversize(kind: str) -> bytes:
    return b" " * (LIMIT + 1)


def huge_line(kind: str) -> bytes:
    text = good_text(kind)
    return (text + "x" * 300_000 + "\n").encode()


def many_columns(kind: str) -> bytes:
    if kind == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook()
        workbook.active.append([f"c{number}" for number in range(2_000)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    header = good_text(kind).splitlines()[0]
    return (header + "".join(f",c{number}" for number in range(2_000)) + "\n").encode()


@dataclass(frozen=True)
class Attack:
    name: str
    kinds: tuple[str, ...]
    build: Callable[[str], bytes]
    # What the refusal says (a regular expression, searched case-insensitively).
    says: str


DECLARATION = r"DTD|entit|DOCTYPE"
ENCODING = r"UTF-8|not valid JSON|not valid XML|NUL|encoding|readable"
ATTACKS = [
    Attack("xxe-file", XML_KINDS, xxe_file, DECLARATION),
    Attack("xxe-http", XML_KINDS, xxe_http, DECLARATION),
    Attack("billion-laughs", XML_KINDS, billion_laughs, DECLARATION),
    Attack("external-dtd", XML_KINDS, external_dtd, DECLARATION),
    Attack("zip-ratio", ("xlsx",), zip_ratio, r"compressed \d+ times"),
    Attack("zip-many-entries", ("xlsx",), zip_many_entries, r"holds [\d,]+ parts"),
    Attack("shared-strings", ("xlsx",), shared_strings, r"more than [\d,]+ texts"),
    Attack("zip-parent-path", ("xlsx",), zip_parent_path, r"part \.\./\.\./outside\.xml is a link"),
    Attack("zip-absolute-path", ("xlsx",), zip_absolute_path, r"part /etc/outside\.xml is a link"),
    Attack("zip-symlink", ("xlsx",), zip_symlink, r"part xl/link\.xml is a link"),
    Attack("xlsx-formula", ("xlsx",), xlsx_formula, r"cell D2 holds a formula"),
    Attack("deep-json", ("dhis2-json", "mapping", "geojson"), deep_top, r"nested deeper"),
    Attack("deep-json-value", ("dhis2-json", "mapping", "geojson"), deep_value, r"nested deeper"),
    Attack("oversize", ALL_KINDS, oversize, r"limit|at most|larger than"),
    Attack("utf16-bom", TEXT_KINDS, utf16_bom, ENCODING),
    Attack("utf16-no-bom", TEXT_KINDS, utf16_no_bom, ENCODING),
    Attack("latin-1", (*TEXT_KINDS, "sdmx-ml"), latin1, ENCODING),
    Attack("invalid-utf8", (*TEXT_KINDS, "sdmx-ml"), invalid_utf8, ENCODING),
    Attack("nul-bytes", (*TEXT_KINDS, "sdmx-ml"), nul_bytes, ENCODING),
    Attack("huge-line", ("csv", "dhis2-csv", "sdmx-csv"), huge_line, r"line \d|field larger"),
    Attack("many-columns", ("csv", "xlsx", "dhis2-csv", "sdmx-csv"), many_columns, r"columns"),
]
