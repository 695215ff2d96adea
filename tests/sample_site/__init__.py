"""The bundled sample news site that tests and the demo crawl.

URL map (all on ``SampleSite().url``; ground truth in ``expected.json``)::

    /                                   home: latest articles, sections, RSS+Atom+JSON Feed
                                        <link rel=alternate>, two Set-Cookie headers, a
                                        ?utm_ tracking link, a 404 link, a /private/ link
    /world/  /world/page/2/             section pages (6 per page, rel=next/prev)
    /science/  /science/page/2/
    /about/                             plain page
    /private/staff-notes/               disallowed by robots.txt (never fetch)
    /robots.txt                         Disallow: /private/, Sitemap: <live url>/sitemap_index.xml
    /feed/  /atom.xml  /feed.json       RSS 2.0, Atom, JSON Feed 1.1 (each a subset)
    /sitemap_index.xml                  -> /news-sitemap.xml, /sitemap-1.xml, /sitemap-2.xml.gz
    /YYYY/MM/DD/slug/                   WordPress-style articles
    /news/NNNNN-slug                    Drupal-style articles (gzip when accepted)
    /print/news/12350-...               duplicate of /news/12350-... (rel=canonical to it)
    /article.php?id=42&lang=en          article selected by query string
    /2026/11/05/fusion-record-claim/    301 -> /2026/11/05/fusion-experiment-sustains-plasma-record/
    /2026/10/02/harbour-authority-denies-report/   404 (linked from home and an article)

``SampleSite(traps=True)`` adds the discovery traps of ``traps.py`` (listings dressed as
articles, a 3-hop redirect chain, hreflang editions, a tracking link) and their articles
to the site and its ground truth; ``SampleSite(crawl_delay=S)`` puts ``Crawl-delay: S``
in robots.txt; ``update_article(key)`` edits an article (new modified date everywhere).
"""

from __future__ import annotations

import logging

from .expected import EXPECTED_PATH, build_expected, load_expected
from .server import SampleSite

logger = logging.getLogger(__name__)

__all__ = ["EXPECTED_PATH", "SampleSite", "build_expected", "load_expected"]
