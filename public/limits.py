"""How much the public may send: per address, and all addresses together (a flood from many addresses).

Sliding windows of the times of recent sends, in memory: the board is served by one process per database, and a
restart forgetting them costs nothing worth storing. The table of addresses is bounded; when full, the address
seen longest ago is forgotten first."""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field

MAX_ADDRESSES = 10_000


@dataclass
class Window:
    most: int
    seconds: float
    times: deque[float] = field(default_factory=deque)

    def wait(self, now: float) -> float:
        """Seconds until one more is allowed (0: now)."""
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        return 0.0 if len(self.times) < self.most else self.times[0] + self.seconds - now

    def take(self, now: float) -> None:
        self.times.append(now)

    def give_back(self, at: float) -> None:
        if at in self.times:
            self.times.remove(at)


@dataclass
class SendLimits:
    """``per_address`` sends in ``address_seconds`` from one address; ``overall`` in ``overall_seconds`` from all."""

    per_address: int = 5
    address_seconds: float = 600.0
    overall: int = 120
    overall_seconds: float = 60.0
    _addresses: OrderedDict[str, Window] = field(default_factory=OrderedDict)
    _all: Window | None = None

    def check(self, address: str, now: float) -> float:
        """Seconds the sender must wait (0: allowed, and counted at once, so sends racing each other are counted
        before any of them is stored)."""
        if self._all is None:
            self._all = Window(self.overall, self.overall_seconds)
        window = self._addresses.get(address)
        if window is None:
            window = Window(self.per_address, self.address_seconds)
            self._addresses[address] = window
            while len(self._addresses) > MAX_ADDRESSES:
                self._addresses.popitem(last=False)
        self._addresses.move_to_end(address)
        wait = max(window.wait(now), self._all.wait(now))
        if wait == 0:
            window.take(now)
            self._all.take(now)
        return wait

    def give_back(self, address: str, at: float) -> None:
        """A send counted at ``at`` that was refused (a field to correct): the sender may try again at once."""
        if (window := self._addresses.get(address)) is not None:
            window.give_back(at)
        if self._all is not None:
            self._all.give_back(at)
