"""The campaign-day load benchmark (`make bench-load`, `python -m tests.bench.load`); see __main__."""
