"""A timer that ends a response's blocked reads at the total deadline or after an idle spell.

httpx's read timeout restarts with every byte, so a body trickled a byte at a time, or a
stream of keep-alive comments, would never end. The watchdog thread waits for the earlier of
the request's Deadline and `idle` seconds after the last real progress, then shuts the
connection's socket down: a blocked read returns at once (data already received is still
read), and the body readers raise Expired for the caller to turn into its own message.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from mistral_cli.api.deadline import Deadline

TOTAL = "total"
IDLE = "idle"


class Expired(Exception):  # an event, like Interrupted; never leaves the api package
    """A read was ended by the watchdog; `reason` is TOTAL or IDLE."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Watchdog:
    """Watches one response; `progress()` restarts the idle spell, `stop()` ends the watch."""

    def __init__(self, deadline: Deadline, idle: float | None = None) -> None:
        self.deadline = deadline
        self.idle = idle
        self.fired: str | None = None  # TOTAL or IDLE once the time is up
        self.cut = False  # the socket was shut down (else readers stop at their next chunk)
        self._idle_from = deadline.clock()
        self._cond = threading.Condition()
        self._stopped = False
        self._response: httpx.Response | None = None

    def watch(self, response: httpx.Response) -> Watchdog:
        """Start timing `response` (no thread without a deadline or an idle limit)."""
        if self.deadline.limit is None and self.idle is None:
            return self
        self._response = response
        thread = threading.Thread(target=self._run, name="mistral-watchdog", daemon=True)
        thread.start()
        return self

    def progress(self) -> None:
        """Real data arrived: the idle spell starts again (read by the thread when it wakes)."""
        self._idle_from = self.deadline.clock()

    def recheck(self) -> None:
        """Look at the clock now rather than when the current wait ends (tests move the clock)."""
        with self._cond:
            self._cond.notify()

    def stop(self) -> None:
        """End the watch; after this the socket is never touched."""
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def check(self) -> None:
        """Raise Expired when the time is up and the socket could not be cut (readers call this)."""
        if self.fired is not None and not self.cut:
            raise Expired(self.fired)

    def _left(self) -> tuple[float, str]:
        """Seconds until the earlier limit, and which one it is."""
        left = self.deadline.remaining()
        reason = TOTAL
        if self.idle is not None:
            idle_left = self.idle - (self.deadline.clock() - self._idle_from)
            if left is None or (left > 0 and idle_left < left):  # both up: name the total
                left, reason = idle_left, IDLE
        return (left if left is not None else 0.0), reason

    def _run(self) -> None:
        with self._cond:
            while not self._stopped:
                left, reason = self._left()
                if left <= 0:
                    self._fire(reason)
                    return
                self._cond.wait(left)

    def _fire(self, reason: str) -> None:
        """Mark the time as up, then shut the socket down (under the lock: never after stop())."""
        sock = self._socket()
        self.cut = sock is not None  # both set before the shutdown wakes the reader
        self.fired = reason
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed: nothing left to interrupt
                # socket.socket's own shutdown: SSLSocket.shutdown would drop its SSL object
                # under the reading thread; this one makes that thread's read see end-of-file
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _socket(self) -> socket.socket | None:
        """The response's socket; None for an in-process transport (readers check each chunk)."""
        stream = None if self._response is None else self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        return sock if isinstance(sock, socket.socket) else None
