"""A scrape adds up every process's file, and one file still empty (its process made it and
has not sized it yet) does not fail it: prometheus_client reads such a file as corrupt, and
the whole scrape answered 500 (prometheus/client_python#1199)."""

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, values
from prometheus_client.parser import text_string_to_metric_families

from app.infra import metrics


def test_an_empty_process_file_is_a_process_with_nothing_yet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    # One process's samples, written as a process writes them in multiprocess mode.
    one_process = values.MultiProcessValue(lambda: "one")  # type: ignore[no-untyped-call]
    monkeypatch.setattr(values, "ValueClass", one_process)
    counted = Counter("scrape_test_rows", "Rows.", registry=CollectorRegistry())
    counted.inc(3)
    (tmp_path / "counter_starting.db").touch()  # another process, its file not sized yet

    said = metrics.exposition().decode()

    samples = {
        sample.name: sample.value
        for family in text_string_to_metric_families(said)
        for sample in family.samples
    }
    assert samples["scrape_test_rows_total"] == 3
