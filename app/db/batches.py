"""Batched work: a long sweep commits after each batch through the callback its caller passes."""

from collections.abc import Callable

# What a job passes (app.jobs.batch_commit) so a sweep commits between batches; None keeps one transaction.
Commit = Callable[[], None] | None
