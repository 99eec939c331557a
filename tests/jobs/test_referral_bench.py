"""The referral benchmark itself works (at a tiny scale): every timed sign-up is accepted."""

from tests.bench import referrals


def test_referral_benchmark_times_accepted_sign_ups_at_small_scale():
    figures = referrals.measure(0.001, requests=20)
    assert figures["referral_rows"] == "10000"
    assert float(figures["referral_submit_p95_ms"]) > 0
