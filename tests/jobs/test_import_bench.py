"""The import benchmark itself works (at a tiny scale): the file imports, its invalid rows are rejected,
and every figure `make bench` prints is there."""

from tests.bench import import_bench


def test_import_benchmark_runs_at_small_scale():
    figures = import_bench.measure(0.002)
    assert figures["import_rows"] == "2000" and int(figures["import_rejected"]) == 2000 // 67
    for name in ("import_total_s", "import_rows_per_s", "import_rss_mb", "import_raw_executemany_s",
                 "import_phase_vs_raw_ratio", "import_vs_raw_ratio"):
        assert float(figures[name]) > 0, name
    assert float(figures["import_vs_raw_ratio"]) >= float(figures["import_phase_vs_raw_ratio"])
