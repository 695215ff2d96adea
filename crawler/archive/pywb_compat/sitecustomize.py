"""Lets pywb's `wayback` start beside redis >= 4: fakeredis 0.x imports ``redis.utils.dummy``.

pywb pins fakeredis < 1.0, which imports a class redis-py dropped after 3.x; the
distributed mode needs redis >= 4.2 (scrapy-redis). Only the import needs the name.
`newsvault replay` puts this directory on the PYTHONPATH of the `wayback` it starts.
"""

import redis.utils

if not hasattr(redis.utils, "dummy"):

    class dummy:
        pass

    redis.utils.dummy = dummy  # type: ignore[attr-defined]
