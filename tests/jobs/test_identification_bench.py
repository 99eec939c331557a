"""The scoring benchmark itself works (at a tiny scale): every record is scored, some get tiers."""

from tests.bench import identification


def test_scoring_benchmark_scores_every_record_at_small_scale():
    figures = identification.measure(0.01)
    assert figures["score_customers_records"] == "1000"
    assert float(figures["score_customers_s"]) > 0 and 0 < int(figures["score_customers_tiered"]) < 1000
    assert float(figures["rescore_one_ms"]) > 0 and float(figures["explain_one_ms"]) > 0
