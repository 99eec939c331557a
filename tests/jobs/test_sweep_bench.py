"""The expiry benchmark itself works (at a tiny scale): it expires exactly the due attempts."""

from tests.bench import sweeps


def test_expiry_benchmark_expires_every_due_attempt_at_small_scale():
    figures = sweeps.measure(0.001)
    assert figures["expire_attempts"] == "10000" and figures["expire_due"] == "1000"
    assert float(figures["expire_sweep_s"]) > 0 and float(figures["expire_sweep_rss_mb"]) > 0
