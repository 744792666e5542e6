"""A header with a huge number of columns is refused with a short message."""

from __future__ import annotations

from typing import Any

import pytest

from ayni.core.imports import MAX_MESSAGE_CHARS, ImportRefused
from ayni.monitoring.imports.base import Mapping
from ayni.monitoring.imports.tabular import read_csv


def test_a_header_with_a_million_columns_is_refused_in_a_short_message(tmp_path: Any) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column{index}" for index in range(1_000_000)) + "\n")
    with pytest.raises(ImportRefused) as refused:
        list(read_csv(path, Mapping()))
    message = str(refused.value)
    assert message == "wide.csv: the header has 1000000 columns; at most 500 are read"


def test_a_missing_column_lists_only_the_first_columns_found(tmp_path: Any, settings: Any) -> None:
    settings.AYNI_IMPORT_MAX_COLUMNS = 10_000
    path = tmp_path / "wide.csv"
    names = [f"{'x' * 300}{index}" for index in range(5_000)]
    path.write_text(",".join(names) + "\n")
    with pytest.raises(ImportRefused) as refused:
        list(read_csv(path, Mapping()))
    message = str(refused.value)
    assert len(message) <= MAX_MESSAGE_CHARS
    assert "(5000 columns)" in message
    assert "x" * 41 not in message
