"""From the recorded requests to the printed figures, and the checks of the database afterwards."""

import math
import re
import subprocess
from collections import defaultdict

from sqlalchemy import create_engine, func, select, text

from app.models import Attempt, AttemptState, Referral
from tests.bench.load.browser import Recorder, Sample
from tests.bench.load.day import Window

DONE_STATES = (AttemptState.SUBMITTED, AttemptState.APPROVED, AttemptState.REJECTED)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def traffic(engine: str, recorder: Recorder, window: Window) -> dict[str, str]:
    """Requests per second and each page kind's p50/p95/p99 over the hold (every user on)."""
    held = [s for s in recorder.samples if window.start <= s.started < window.end]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for sample in held:
        if sample.status:
            by_kind[sample.kind].append((sample.ended - sample.started) * 1000)
    lines = {f"load_{engine}_rps": f"{len(held) / (window.end - window.start):.1f}"}
    worst = 0.0
    for kind, times in sorted(by_kind.items()):
        times.sort()
        for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
            lines[f"load_{engine}_{kind}_{name}_ms"] = f"{percentile(times, share):.0f}"
        worst = max(worst, percentile(times, 0.95))
    lines[f"load_{engine}_p95_ms"] = f"{worst:.0f}"
    errors, killed = split_errors(recorder)
    lines[f"load_{engine}_errors"] = str(len(errors))
    lines[f"load_{engine}_killed_inflight"] = str(len(killed))
    return lines


def split_errors(recorder: Recorder) -> tuple[list[Sample], list[Sample]]:
    """Failed requests of the whole run; a sync worker serves one request at a time, so at most one
    dropped connection in flight at each SIGKILL is the killed worker's, not an error."""
    failed = [s for s in recorder.samples if not 200 <= s.status < 400]
    killed: list[Sample] = []
    for at in recorder.kills:
        in_flight = [s for s in failed
                     if s.status == 0 and s not in killed and s.started <= at <= s.ended + 0.05]
        killed.extend(in_flight[:1])
    return [s for s in failed if s not in killed], killed


def describe_errors(errors: list[Sample], limit: int = 15) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for sample in errors:
        counts[f"{sample.kind}: {sample.error}"] += 1
    return [f"{n} x {what}" for what, n in sorted(counts.items(), key=lambda kv: -kv[1])[:limit]]


def verify_problems(flask: list[str], env: dict[str, str], cwd) -> int:
    """`flask points verify` as an operator runs it: 0 when it says OK, else the discrepancies it counts."""
    result = subprocess.run([*flask, "points", "verify"], env=env, cwd=cwd, capture_output=True, text=True,
                            timeout=1800, check=False)
    if result.returncode == 0 and result.stdout.startswith("OK"):
        return 0
    found = re.search(r"(\d+) discrepancies", result.stdout + result.stderr)
    if found is None:
        raise RuntimeError(f"points verify failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    return int(found.group(1))


def ledger_and_losses(engine: str, url: str, recorder: Recorder) -> dict[str, str]:
    """Duplicated ledger keys, and submissions the script saw succeed that the database lacks."""
    db = create_engine(url)
    try:
        with db.connect() as connection:
            duplicated = connection.scalar(text(
                "SELECT count(*) FROM (SELECT idempotency_key FROM ledger_entry "
                "GROUP BY idempotency_key HAVING count(*) > 1) AS twice"))
            kept = _count_in(connection, select(func.count()).select_from(Attempt).where(
                Attempt.state.in_(DONE_STATES)), Attempt.id, sorted(recorder.submitted_attempts))
            stored = _count_in(connection, select(func.count()).select_from(Referral), Referral.friend_email,
                               sorted(recorder.submitted_referrals))
    finally:
        db.dispose()
    lost = len(recorder.submitted_attempts) - kept + len(recorder.submitted_referrals) - stored
    return {f"load_{engine}_duplicated": str(duplicated), f"load_{engine}_lost": str(lost),
            f"load_{engine}_submissions": str(len(recorder.submitted_attempts)),
            f"load_{engine}_referrals": str(len(recorder.submitted_referrals))}


def _count_in(connection, query, column, values: list) -> int:
    total = 0
    for first in range(0, len(values), 500):
        total += connection.scalar(query.where(column.in_(values[first:first + 500])))
    return total
