"""Status of an indicator against its target, by one documented rule.

With a baseline value b in year y0 and a target t in year y1, the expected value in year y is
on the straight line between them: e(y) = b + (t − b) × (y − y0) / (y1 − y0) (for y past y1,
e(y) = t). For the latest value v in year y, progress is the share of the expected change
achieved: p = (v − b) / (e(y) − b), in the indicator's direction (the formula is the same for
"lower is better": both differences are then negative).

- **on track**: v is at least as good as e(y) (p ≥ 1, or v better than or equal to e(y) when
  no change was expected yet);
- **at risk**: half or more of the expected change achieved (0.5 ≤ p < 1);
- **off track**: less than half (p < 0.5), including moving the wrong way;
- **no target**: a value, but no baseline and target to compare it with;
- **no data**: no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_TARGET = "no_target"
NO_DATA = "no_data"

LABELS = {
    ON_TRACK: _("on track"),
    AT_RISK: _("at risk"),
    OFF_TRACK: _("off track"),
    NO_TARGET: _("no target"),
    NO_DATA: _("no data"),
}


@dataclass(frozen=True)
class Status:
    code: str
    expected: Decimal | None = None
    progress: Decimal | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.code])


def indicator_status(
    *,
    direction: str,
    value: Decimal | float | None,
    year: int | None,
    baseline: tuple[int, Decimal] | None,
    target: tuple[int, Decimal] | None,
) -> Status:
    """See the module docstring for the rule."""
    if value is None or year is None:
        return Status(NO_DATA)
    if baseline is None or target is None or target[0] <= baseline[0]:
        return Status(NO_TARGET)
    value = Decimal(str(value))
    (y0, b), (y1, t) = baseline, target
    share = min(max(Decimal(year - y0) / Decimal(y1 - y0), Decimal(0)), Decimal(1))
    expected = b + (t - b) * share
    sign = Decimal(1) if direction == "up" else Decimal(-1)
    if (value - expected) * sign >= 0:
        return Status(ON_TRACK, expected, None if expected == b else (value - b) / (expected - b))
    progress = (value - b) / (expected - b) if expected != b else Decimal(0)
    code = AT_RISK if progress >= Decimal("0.5") else OFF_TRACK
    return Status(code, expected, progress)
