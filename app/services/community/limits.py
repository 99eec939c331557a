"""A per-embed request limit that protects the app from a page (or a script) hammering one embed.

At most `limit` requests per embed in any `window` (a sliding log of request times), counted in this
process: embeds are public reads, so the count stays in memory rather than taking the database's
write lock on every view; with N processes an embed gets at most N × limit. A refused request is told
when the oldest counted request leaves the window (whole seconds, for Retry-After)."""

import math
import threading
from collections import deque
from datetime import datetime, timedelta


class EmbedLimiter:
    def __init__(self, limit: int, window: timedelta = timedelta(seconds=60)):
        self.limit, self.window = limit, window
        self._seen: dict[int, deque[datetime]] = {}
        self._lock = threading.Lock()

    def take(self, embed_id: int, *, now: datetime) -> int:
        """Count one request of the embed if the window has room: 0 (counted), or the seconds to wait."""
        with self._lock:
            seen = self._seen.setdefault(embed_id, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                if not seen:
                    return math.ceil(self.window.total_seconds())  # a limit of 0: nothing passes
                return max(1, math.ceil((seen[0] + self.window - now).total_seconds()))
            seen.append(now)
            if len(self._seen) > 10_000:  # forget embeds gone quiet, so memory stays bounded
                self._forget_quiet(now)
            return 0

    def _forget_quiet(self, now: datetime) -> None:
        for embed_id in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.window]:
            del self._seen[embed_id]
