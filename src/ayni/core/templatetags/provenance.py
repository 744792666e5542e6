"""How a page shows where a record comes from, the same way everywhere.

- ``{% illustrative_mark record %}`` beside a record's name where records are listed (table
  rows, lists, a heading of a section about another record): the "illustrative" badge.
- ``{% provenance record %}`` where a record's facts are stated (under the header of its own
  page, or beside a source in a list of sources): the badge when it is illustrative, then
  "Source: …" ("no source recorded" when a record is neither cited nor illustrative).

``record`` is a ``core.models.Provenance``, or anything with ``is_illustrative`` (a data value,
a row of the analytics store: the page names their data source itself). The badge's text is
the label the API gives (``core.serializers.ProvenanceField``), so pages and API agree.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from ayni.core.models import Provenance

register = template.Library()


def _read(record: Any, name: str) -> Any:
    if isinstance(record, dict):
        return record.get(name)
    return getattr(record, name, None)


def _badge() -> SafeString:
    help_text = Provenance._meta.get_field("is_illustrative").help_text
    return format_html(
        '<span class="badge illustrative" title="{}">{}</span>',
        help_text,
        Provenance.ProvenanceStatus.ILLUSTRATIVE.label,
    )


@register.simple_tag
def illustrative_mark(record: Any) -> str:
    """The "illustrative" badge, after a space, when the record is illustrative."""
    return format_html(" {}", _badge()) if _read(record, "is_illustrative") else ""


@register.simple_tag
def provenance(record: Any) -> SafeString:
    """ "Source: …", after the badge when the record is illustrative; an illustrative record
    without a source shows the badge alone."""
    illustrative = bool(_read(record, "is_illustrative"))
    source = _read(record, "source")
    source = source.strip() if isinstance(source, str) else ""
    parts = [_badge()] if illustrative else []
    if source or not illustrative:
        parts.append(
            format_html(
                '<span class="source">{}: {}</span>',
                gettext("Source"),
                source or Provenance.ProvenanceStatus.UNSOURCED.label,
            )
        )
    return format_html(
        '<span class="provenance">{}</span>', format_html_join(" ", "{}", ((p,) for p in parts))
    )
