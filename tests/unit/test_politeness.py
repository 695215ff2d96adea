"""robots.txt Crawl-delay parsing and the depth of redirect hops."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.politeness import SAME_DEPTH, RedirectDepthMiddleware, crawl_delay

ROBOTS = b"""User-agent: newsvault
Crawl-delay: 4
Disallow: /x/

User-agent: *
Crawl-delay: 1.5
"""


def test_crawl_delay_of_the_agent_or_of_everyone() -> None:
    assert crawl_delay(ROBOTS, "newsvault/0.1 (+https://example.org)") == 4.0
    assert crawl_delay(ROBOTS, "otherbot") == 1.5
    assert crawl_delay(b"User-agent: *\nDisallow: /private/\n", "newsvault") is None
    assert crawl_delay(b"\xff\xfe garbage", "newsvault") is None


def test_a_redirect_hop_keeps_the_depth_of_its_origin() -> None:
    crawler = get_crawler(settings_dict={"DEPTH_LIMIT": 2})
    crawler.stats = MemoryStatsCollector(crawler)
    mw = RedirectDepthMiddleware.from_crawler(crawler)
    response = Response("https://news.example/go/a", request=Request("https://news.example/go/a"))
    response.request.meta["depth"] = 2
    hop = Request("https://news.example/go/b", meta={SAME_DEPTH: True})
    link = Request("https://news.example/elsewhere")
    assert mw.get_processed_request(hop, response) is hop
    assert hop.meta["depth"] == 2 and SAME_DEPTH not in hop.meta
    assert response.meta["depth"] == 2  # restored
    assert mw.get_processed_request(link, response) is None  # depth 3 > DEPTH_LIMIT 2
