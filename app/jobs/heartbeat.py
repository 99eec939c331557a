"""The heartbeat that keeps a running job's lease alive, and the scheduler's timing settings.

While a job runs, a thread renews its lease every SCHEDULER_HEARTBEAT_SECONDS for another
SCHEDULER_LEASE_SECONDS, in its own app context and session (so it commits apart from the job's
transaction). When the process dies the renewals stop and the lease runs out within one lease
length; another scheduler then takes the job over.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from app.extensions import db
from app.services import clock
from app.services.operations import joblocks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timing:
    lease: timedelta
    heartbeat_s: float
    catch_up_s: float
    every_s: int | None  # SCHEDULER_INTERVAL_SECONDS: every job on this interval instead of its own

    @classmethod
    def of(cls, config) -> "Timing":
        return cls(lease=timedelta(seconds=float(config["SCHEDULER_LEASE_SECONDS"])),
                   heartbeat_s=float(config["SCHEDULER_HEARTBEAT_SECONDS"]),
                   catch_up_s=float(config["SCHEDULER_CATCH_UP_SECONDS"]),
                   every_s=config.get("SCHEDULER_INTERVAL_SECONDS") or None)


class Heartbeat:
    """`with Heartbeat(app, name, holder, timing):` renews the lease on `name` until the block ends."""

    def __init__(self, app, name: str, holder: str, timing: Timing):
        self.app, self.name, self.holder, self.timing = app, name, holder, timing
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat:{name}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timing.heartbeat_s + 30)

    def _beat(self) -> None:
        while not self._stop.wait(self.timing.heartbeat_s):
            with self.app.app_context():
                try:
                    self._renew()
                except Exception:  # noqa: BLE001 (a missed beat is logged; the next one tries again)
                    db.session.rollback()
                    log.exception("job %s: the lease could not be renewed", self.name)
                finally:
                    db.session.remove()

    def _renew(self) -> None:
        session = db.session
        if joblocks.renew(session, name=self.name, holder=self.holder, now=clock.utcnow(),
                          lease=self.timing.lease):
            session.commit()
            return
        session.rollback()
        log.warning("job %s: %s no longer holds its lease (it ran out and was taken over)",
                    self.name, self.holder)
