"""A budget of log lines, so that a flood of bad requests is a handful of lines in the journal."""

from __future__ import annotations


class LogBudget:
    """At most ``burst`` lines at once, then one per ``interval_s``: a flood of wrong tokens is
    a handful of journal lines, each saying how many were left out since the last one."""

    def __init__(self, burst: int = 10, interval_s: float = 60.0) -> None:
        self.burst = burst
        self.interval_s = interval_s
        self._tokens = float(burst)
        self._since: float | None = None
        self.left_out = 0

    def take(self, now: float) -> int | None:
        """None when this line must be left out; otherwise how many were left out before it."""
        if self._since is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._since) / self.interval_s)
        self._since = now
        if self._tokens < 1.0:
            self.left_out += 1
            return None
        self._tokens -= 1.0
        left_out, self.left_out = self.left_out, 0
        return left_out
