"""Reading numbers back out of rendered HTML: what a page writes into SVG geometry, inline CSS,
data attributes, URLs and JSON must be plain numbers (dot decimal, no grouping) in every
language. Used by ``test_markup_numbers``; the rules are strict on purpose: they describe how
Ayni writes markup, not everything SVG would accept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

NUMBER = r"[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?"
_NUMBER = re.compile(rf"^{NUMBER}$")
_LENGTH = re.compile(rf"^{NUMBER}(?:%|px|em|rem|pt)?$")

# One number (a length may carry a unit): a list here would place each character of a <text>
# at its own position, which is how "23,0" turned bar labels into single letters.
SINGLE = {
    "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "dx", "dy", "fx", "fy",
    "width", "height", "font-size", "stroke-width", "stroke-miterlimit", "stroke-dashoffset",
    "opacity", "fill-opacity", "stroke-opacity", "stop-opacity", "offset", "textLength",
    "refX", "refY", "markerWidth", "markerHeight", "pathLength",
}  # fmt: skip
LISTS = {"viewBox", "points", "d", "transform", "patternTransform", "gradientTransform",
         "stroke-dasharray"}  # fmt: skip
GEOMETRY = SINGLE | LISTS
URL_ATTRIBUTES = {"href", "src", "action", "hx-get", "hx-post", "formaction"}

# Arguments taken by each path command, and by each transform function.
_PATH_ARITY = {"M": 2, "L": 2, "T": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "A": 7, "Z": 0}
_TRANSFORM_ARITY = {
    "matrix": {6}, "translate": {1, 2}, "scale": {1, 2}, "rotate": {1, 3},
    "skewX": {1}, "skewY": {1},
}  # fmt: skip
_GROUPED = re.compile(r"\d[\u00a0\u202f']\d{3}(?!\d)")
_DECIMAL_COMMA = re.compile(r"\d,\d")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    classes: set[str]
    in_svg: bool
    text: str = ""


@dataclass
class Page:
    elements: list[Element] = field(default_factory=list)
    json_scripts: list[str] = field(default_factory=list)

    @property
    def svg(self) -> list[Element]:
        return [e for e in self.elements if e.in_svg]


class _Parser(HTMLParser):
    """Every element with its attributes, whether it sits inside an <svg>, and the text of
    SVG <text> elements (``html.parser`` keeps attribute names lower-cased)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.stack: list[Element] = []
        self.svg_depth = 0
        self.script_json = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=tag in self.VOID)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open(tag, attrs, closes=True)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]], closes: bool) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "svg":
            self.svg_depth += 1
        element = Element(
            tag, values, set(values.get("class", "").split()), in_svg=self.svg_depth > 0
        )
        self.page.elements.append(element)
        if tag == "script" and values.get("type") == "application/json":
            self.script_json = True
            self.page.json_scripts.append("")
        if closes:
            if tag == "svg":
                self.svg_depth -= 1
        else:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            element = self.stack.pop()
            if element.tag == "svg":
                self.svg_depth -= 1
            if element.tag == tag:
                break
        if tag == "script":
            self.script_json = False

    def handle_data(self, data: str) -> None:
        if self.script_json:
            self.page.json_scripts[-1] += data
        for element in reversed(self.stack):
            if element.tag == "text" and element.in_svg:
                element.text += data
                break


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.page


# html.parser lower-cases attribute names; SVG's are case-sensitive.
_ATTRIBUTE_NAMES = {name.lower(): name for name in GEOMETRY}


def _plain_list(value: str, per_chunk: int | None = None) -> list[str] | None:
    """The numbers of a whitespace-separated list, where a chunk may hold one ``x,y`` pair at
    most (``per_chunk`` = 2 demands exactly a pair). None when anything else is there."""
    numbers: list[str] = []
    for chunk in value.split():
        parts = chunk.split(",")
        if len(parts) > 2 or (per_chunk and len(parts) != per_chunk):
            return None
        if not all(_NUMBER.match(part) for part in parts):
            return None
        numbers += parts
    return numbers


def _path_problem(d: str) -> str | None:
    pieces = re.split(r"([MmLlHhVvCcSsQqTtAaZz])", d.strip())
    if pieces[0].strip():
        return "does not start with a command"
    for command, arguments in zip(pieces[1::2], pieces[2::2], strict=True):
        numbers = _plain_list(arguments)
        if numbers is None:
            return f"{command} has arguments that are not plain numbers: {arguments!r}"
        arity = _PATH_ARITY[command.upper()]
        if (arity == 0 and numbers) or (arity and (not numbers or len(numbers) % arity)):
            return f"{command} takes {arity} numbers at a time, not {len(numbers)}"
    return None


def _transform_problem(value: str) -> str | None:
    rest = re.sub(
        r"(\w+)\(([^)]*)\)",
        lambda m: "" if _transform_ok(m.group(1), m.group(2)) else "!",
        value,
    )
    return (
        f"not a list of transform functions of plain numbers: {value!r}" if rest.strip() else None
    )


def _transform_ok(name: str, arguments: str) -> bool:
    numbers = _plain_list(arguments.replace(", ", ","))
    return numbers is not None and len(numbers) in _TRANSFORM_ARITY.get(name, set())


def geometry_problem(name: str, value: str) -> str | None:
    """Why ``value`` is not locale-independent geometry for attribute ``name`` (None if it is)."""
    name = _ATTRIBUTE_NAMES.get(name, name)
    if name in SINGLE:
        return None if _LENGTH.match(value.strip()) else "not one plain number"
    if name == "viewBox":
        numbers = _plain_list(value)
        ok = numbers is not None and len(numbers) == 4 and "," not in value
        return None if ok else "not four plain numbers"
    if name == "points":
        return None if _plain_list(value, per_chunk=2) else "not plain x,y pairs"
    if name == "d":
        return _path_problem(value)
    if name == "stroke-dasharray":
        numbers = _plain_list(value)
        return None if numbers and "," not in value else "not plain numbers"
    return _transform_problem(value)


def style_problem(style: str) -> str | None:
    """Inline CSS: a decimal comma or a grouped number cannot be a CSS number."""
    for declaration in style.split(";"):
        _, _, value = declaration.partition(":")
        # Commas separate the arguments of a CSS function (rgba(0,0,0,.5)), not decimals.
        value = re.sub(r"\(([^)]*)\)", lambda m: "(" + m.group(1).replace(",", ", ") + ")", value)
        if _DECIMAL_COMMA.search(value) or _GROUPED.search(value):
            return f"localized number in {declaration.strip()!r}"
        for token in re.findall(r"(?<![#\w-])[-+]?[\d.]+[a-z%]*", value):
            if not re.fullmatch(rf"{NUMBER}(?:[a-z]+|%)?", token):
                return f"not a plain number: {token!r} in {declaration.strip()!r}"
    return None


def data_problem(value: str) -> str | None:
    """A data-* attribute that holds a number holds a plain one."""
    looks_numeric = re.fullmatch(r"[-+\d\s\u00a0\u202f.,']+%?", value) and re.search(r"\d", value)
    if looks_numeric and not _NUMBER.match(value.rstrip("%")):
        return "a localized number"
    return None


def url_problem(value: str) -> str | None:
    """Lists in Ayni's query strings repeat the parameter (``?year=2012&year=2013``), so a comma
    between digits in a URL can only be a decimal comma, and a space inside a number grouping."""
    value = value.replace("%2C", ",").replace("%2c", ",").replace("%C2%A0", "\u00a0")
    if _DECIMAL_COMMA.search(value) or _GROUPED.search(value):
        return "a localized number"
    return None


def json_problem(text: str) -> str | None:
    try:
        json.loads(text)
    except ValueError as error:
        return f"not JSON: {error}"
    return None


def problems(page: Page) -> list[str]:
    """Every place where the page writes a number into markup that is not plain."""
    found: list[str] = []
    for element in page.elements:
        for name, value in element.attrs.items():
            problem = None
            if element.in_svg and _ATTRIBUTE_NAMES.get(name, name) in GEOMETRY:
                problem = geometry_problem(name, value)
            elif name == "style":
                problem = style_problem(value)
            elif name.startswith("data-"):
                problem = data_problem(value)
            elif name in URL_ATTRIBUTES:
                problem = url_problem(value)
            if problem:
                found.append(f"<{element.tag} {name}={value[:80]!r}>: {problem}")
    for text in page.json_scripts:
        problem = json_problem(text)
        if problem:
            found.append(f"<script type=application/json>: {problem}")
    return found


def geometry(page: Page) -> list[tuple[str, str, str]]:
    """The geometry of every SVG element in document order with each number replaced by
    ``N``, to compare two languages: the values may differ (a label that wraps onto two lines
    in one language moves what follows it), the count of numbers in each attribute may not
    (``M1.5,2.5`` is one point, ``M1,5,2,5`` two). The lines of a wrapped label (<tspan>)
    are left out: how many there are depends on the words."""
    return [
        (element.tag, name, re.sub(NUMBER, "N", value))
        for element in page.svg
        if element.tag != "tspan"
        for name, value in element.attrs.items()
        if _ATTRIBUTE_NAMES.get(name, name) in GEOMETRY
    ]
