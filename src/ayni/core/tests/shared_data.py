"""Where the third-party test data lives, and what happens when it is not there.

The interoperability tests read real files (DHIS2's fixtures, UNICEF's SDMX responses, Peru's
boundaries) in place from the ``shared/data`` folder beside the checkout, or from
``AYNI_SHARED_DATA``. Elsewhere they skip with the path they looked for; in CI
(``AYNI_REQUIRE_SHARED_DATA=1``) a missing file fails the run, so that these tests can never
skip silently there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("AYNI_SHARED_DATA") or Path(__file__).resolve().parents[5] / "shared" / "data"
)


def required() -> bool:
    return os.environ.get("AYNI_REQUIRE_SHARED_DATA") == "1"


def need(path: Path) -> Path:
    """``path`` when it is a file; otherwise skip the test (fail it in CI) saying where."""
    if not path.is_file():
        message = f"shared test data not found at {path} (set AYNI_SHARED_DATA)"
        if required():
            pytest.fail(message)
        pytest.skip(message)
    return path
