"""Discovery traps of ``SampleSite(traps=True)``: what a careful archival crawler must handle.

Served only when asked for, so the plain site's ground truth stays as it is::

    /tag/harbours/  /author/ana-lima/  /search/?q=harbour
                                        listings that carry og:type=article and a date
                                        (never articles), linked from home (the author
                                        page with utm_*/fbclid parameters)
    /go/ferry -> /go/ferry-2 -> /go/ferry-3 -> CHAIN article
                                        a 3-hop redirect chain, linked from home only
    /sitemap-intl.xml                   (in robots.txt) lists HREFLANG_EN, with an xhtml:link
                                        hreflang=fr -> SITEMAP_EDITION (linked nowhere else)
    HREFLANG_EN article's <head>        <link rel=alternate hreflang=de> -> HEAD_EDITION
    /robots.txt                         + ``Crawl-delay`` when ``SampleSite(crawl_delay=...)``
"""

from __future__ import annotations

from html import escape

from .catalog import SITE_NAME
from .model import WORDPRESS, ArticleSpec
from .render_html import page_shell, teaser

CHAIN_HOPS = ("/go/ferry", "/go/ferry-2", "/go/ferry-3")
LISTINGS = ("/tag/harbours/", "/author/ana-lima/", "/search/?q=harbour")

_BODY = (
    "The ferry line between the two harbours reopened on Thursday after a storm damaged the "
    "landing stage last month. Engineers replaced the pontoon and its access bridge.",
    "Operators said timetables return to normal next week, with an extra evening crossing "
    "on Fridays while the repairs to the second berth continue.",
)


def _article(key: str, path: str, title: str, summary: str) -> ArticleSpec:
    return ArticleSpec(
        key=key,
        cms=WORDPRESS,
        path=path,
        title=title,
        authors=("Ana Lima",),
        published="2026-11-26T07:15:00+00:00",
        section="world",
        summary=summary,
        body=_BODY,
        feeds=(),
        sitemap=None,
        on_home=False,
        in_section=False,
    )


CHAIN = _article(
    "trap-chain",
    "/2026/11/26/ferry-line-reopens-after-storm/",
    "Ferry line reopens after storm repairs",
    "The crossing between the two harbours runs again after a month.",
)
HREFLANG_EN = _article(
    "trap-hreflang-en",
    "/2026/11/26/harbour-pontoon-replaced-in-record-time/",
    "Harbour pontoon replaced in record time",
    "Engineers swapped the storm-damaged landing stage in nine days.",
)
HEAD_EDITION = _article(
    "trap-hreflang-de",
    "/de/2026/11/26/faehrlinie-nach-sturm-wieder-offen/",
    "Fährlinie nach Sturmschäden wieder in Betrieb",
    "Die Verbindung zwischen den beiden Häfen fährt nach einem Monat wieder.",
)
SITEMAP_EDITION = _article(
    "trap-hreflang-fr",
    "/fr/2026/11/26/la-ligne-de-ferry-rouvre-apres-la-tempete/",
    "La ligne de ferry rouvre après la tempête",
    "La traversée entre les deux ports reprend après un mois.",
)
ARTICLES = (CHAIN, HREFLANG_EN, HEAD_EDITION, SITEMAP_EDITION)
SITEMAP_INTL = "/sitemap-intl.xml"
#: linked from home with tracking parameters, which newsvault drops before fetching
TRACKED_LISTING = "/author/ana-lima/"
TRACKING = "?utm_source=home&utm_medium=more&fbclid=IwAR0x"


def home_links() -> str:
    links = [f'<li><a href="{CHAIN_HOPS[0]}">Ferry line reopens</a></li>']
    links += [
        f'<li><a href="{escape(path + TRACKING if path == TRACKED_LISTING else path)}">{escape(path)}</a></li>'
        for path in LISTINGS
    ]
    return f'<section class="more"><h2>More</h2><ul>{"".join(links)}</ul></section>'


def head_alternates(base: str) -> str:
    """The English chain article's head: its German edition, linked nowhere else."""
    return (
        f'<link rel="alternate" hreflang="en" href="{base}{HREFLANG_EN.path}">\n'
        f'<link rel="alternate" hreflang="de" href="{base}{HEAD_EDITION.path}">\n'
        '<link rel="alternate" hreflang="x-default" href="https://elsewhere.example/ferry/">\n'
    )


def listing_page(path: str, base: str, articles: list[ArticleSpec]) -> str:
    """A tag, author or search listing dressed up with article metadata (a common CMS slip)."""
    head = (
        '<meta property="og:type" content="article">\n'
        '<meta property="article:published_time" content="2026-11-25T10:00:00+00:00">\n'
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "headline": "Harbours"}</script>\n'
    )
    items = "\n".join(teaser(a, a.path) for a in articles[:4])
    main = (
        f'<header class="page-header"><h1 class="page-title">{escape(path)}</h1></header>\n{items}'
    )
    return page_shell(f"{path} – {SITE_NAME}", base, main, head)


def sitemap_intl(base: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:xhtml="http://www.w3.org/1999/xhtml">
  <url>
    <loc>{base}{HREFLANG_EN.path}</loc>
    <xhtml:link rel="alternate" hreflang="en" href="{base}{HREFLANG_EN.path}"/>
    <xhtml:link rel="alternate" hreflang="fr" href="{base}{SITEMAP_EDITION.path}"/>
    <xhtml:link rel="alternate" hreflang="es" href="https://elsewhere.example/es/ferry/"/>
  </url>
</urlset>
"""
