"""Operations: backups and restores, job leases and runs, and a first production set-up."""

from app.services.operations.backups import BackupError, backup_sqlite, holdings, read_sqlite, restore_sqlite
from app.services.operations.joblocks import (
    LeaseLive,
    acquire,
    claim,
    clear_stale,
    finish_run,
    latest_runs,
    leases,
    release,
    renew,
    start_run,
    stop_holder,
    unserved,
)
from app.services.operations.pg_backups import backup_pg, restore_pg
from app.services.operations.setup import contents, set_up

__all__ = [
    "BackupError", "backup_sqlite", "holdings", "read_sqlite", "restore_sqlite", "LeaseLive", "acquire",
    "claim", "clear_stale", "finish_run", "latest_runs", "leases", "release", "renew", "start_run",
    "stop_holder", "unserved", "backup_pg", "restore_pg", "contents", "set_up"
]
