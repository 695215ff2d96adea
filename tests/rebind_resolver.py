"""A TWISTED_DNS_RESOLVER for tests: names under .rebind.lan answer public once, then 127.0.0.1.

The first answer is a public documentation-free address that nothing ever connects to
(it only passes the crawler's pre-flight check); every later answer, the one the
download connects with, is loopback: DNS rebinding, on 127.0.0.1 only.
"""

from __future__ import annotations

from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

#: a public (global) address, answered only to the first question about a name
PUBLIC = "93.184.215.14"
SUFFIX = ".rebind.lan"


class RebindingResolver(CachingThreadedResolver):
    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, 0, timeout)  # no cache: every lookup asks again
        self.asked: dict[str, int] = {}

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:
        if not name.endswith(SUFFIX):
            return super().getHostByName(name, timeout)
        self.asked[name] = self.asked.get(name, 0) + 1
        return defer.succeed(PUBLIC if self.asked[name] == 1 else "127.0.0.1")
