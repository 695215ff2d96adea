"""Article extraction: clean-text rules, metadata and dates, goldens on the sample site, and the pool pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from crawler.pipelines import ExtractionConfig, ExtractionPipeline
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler import extraction
from crawler.extraction import (
    EXTRACTOR_NAME,
    ExtractionOptions,
    decode_body,
    extract_article,
    extractor_version,
    looks_like_article,
)
from crawler.items import PageItem
from tests.sample_site import render_html
from tests.sample_site.catalog import ARTICLES
from tests.sample_site.expected import build_expected

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN_DIR = ROOT / "tests" / "golden"
SEED = ROOT.parent / "shared" / "seed" / "scraped-article.txt"
BASE = "http://sample.test"  # same origin as scripts/pin_goldens.py

PARAGRAPHS = [
    "The city council voted on Tuesday to extend the tram line to the northern suburbs, "
    "ending a decade of debate about the cost of the project and its route through the old town.",
    "Construction is due to start next spring and will take three years, according to the transport "
    "department, which expects forty thousand passengers a day once the extension opens.",
    "Opponents said the money would be better spent on buses, but the vote passed by a wide margin "
    "after the regional government promised to cover half of the cost of the new line.",
]
TITLE = "Council approves northern tram extension"


def article_html(
    *,
    head: str = "",
    before: str = "",
    after: str = "",
    body_extra: str = "",
    inner: str = "",
    title_tag: str = f"{TITLE} | The Daily Example",
) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + inner
    return (
        f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{title_tag}</title>'
        f'<meta property="og:site_name" content="The Daily Example">{head}</head><body>'
        '<header><nav><a href="/">Home</a> <a href="/city/">City</a></nav></header>'
        f"<main><article><h1>{TITLE}</h1>{before}<div class='entry-content'>{paragraphs}</div>{after}</article>"
        f"{body_extra}</main><footer><p>© The Daily Example</p></footer></body></html>"
    )


URL = "https://daily.example/city/2024/05/14/tram-extension/"


def lines(article: dict[str, Any]) -> list[str]:
    return article["text"].split("\n\n")


# ---------------------------------------------------------------------------
# clean text rules


def test_clean_article_keeps_paragraphs_in_order() -> None:
    article = extract_article(article_html(), URL)
    assert lines(article) == PARAGRAPHS
    assert article["title"] == TITLE
    assert article["word_count"] == sum(len(p.split()) for p in PARAGRAPHS)


def test_title_never_repeated_in_body_including_breadcrumb_copies() -> None:
    before = (
        f'<nav class="crumbs-trail"><p>Home › City › {TITLE}</p></nav>'
        f"<p class='kicker'>{TITLE}.</p><h2>{TITLE.upper()}</h2>"
    )
    article = extract_article(article_html(before=before), URL)
    assert article["title"] == TITLE
    assert all(TITLE.lower() not in line.lower() for line in lines(article))
    assert lines(article) == PARAGRAPHS


def test_comment_form_boilerplate_dropped() -> None:
    after = (
        '<div class="form-box"><h3>Leave a Comment</h3>'
        "<p>Your email address will not be published. Required fields are marked *</p>"
        "<p>Save my name, email, and website in this browser for the next time I comment.</p></div>"
    )
    article = extract_article(article_html(after=after), URL)
    assert lines(article) == PARAGRAPHS


@pytest.mark.parametrize(
    "widget",
    [
        '<div class="cookie-notice"><p>We use cookies to improve your experience on our site. '
        "By continuing you accept our use of cookies and our privacy policy.</p><button>Accept</button></div>",
        '<div class="social-share"><p>Share on Facebook</p><p>Share on Twitter</p></div>',
        '<aside class="newsletter-signup"><p>Get the best stories from the city every morning in your inbox.</p>'
        "<p>Sign up for our newsletter</p></aside>",
        '<section aria-label="Share this article"><p>Copy link to share this article with your friends.</p></section>',
        '<div class="related-posts"><p>Related articles</p><p>Tram fares to rise in January after years of '
        "frozen prices across the network</p></div>",
    ],
)
def test_boilerplate_containers_do_not_reach_the_text(widget: str) -> None:
    article = extract_article(article_html(after=widget), URL)
    assert lines(article) == PARAGRAPHS


def test_short_boilerplate_lines_dropped_but_long_paragraphs_mentioning_them_kept() -> None:
    long_line = (
        "The council also said it uses cookies, newsletters and share buttons on its own website, "
        "a detail that opponents raised during the debate about public spending on digital services."
    )
    inner = f"<p>Share this:</p><p>{long_line}</p><p>Leave a Reply</p><p>We use cookies.</p>"
    article = extract_article(article_html(inner=inner), URL)
    assert lines(article) == [*PARAGRAPHS, long_line]


def test_comments_never_leak_into_body() -> None:
    comments = (
        '<div id="comments" class="comments-area"><ol class="comment-list">'
        '<li id="comment-5" class="comment"><article class="comment-body"><footer class="comment-meta">'
        '<div class="comment-author vcard"><b class="fn">Reader One</b></div>'
        '<div class="comment-metadata"><time datetime="2024-05-14T12:00:00+02:00">May 14</time></div></footer>'
        '<div class="comment-content"><p>This reader comment is long enough to look like an article paragraph '
        "and must stay out of the body text of the article.</p></div></article></li></ol></div>"
    )
    article = extract_article(article_html(body_extra=comments), URL)
    assert lines(article) == PARAGRAPHS
    assert [c["author"] for c in article["comments"]] == ["Reader One"]
    assert article["comments"][0]["text"].startswith("This reader comment")
    assert article["comments_status"] == "open"


def test_seed_page_headline_once_and_no_form_boilerplate() -> None:
    """The naive scraper output (headline three times, comment form) rebuilt as a page."""
    if not SEED.exists():
        pytest.skip("seed document not present")
    seed_lines = [
        line.strip() for line in SEED.read_text(encoding="utf-8").split("\n\n") if line.strip()
    ]
    headline = seed_lines[1]
    body = "".join(f"<p>{line}</p>" for line in seed_lines[3:-2])
    html = (
        f"<html><head><title>{seed_lines[0]}</title><meta property='og:title' content='{headline}'></head><body>"
        f"<div class='breadcrumb-bar'><span>{headline}</span></div><article><h1>{headline}</h1>{body}"
        f"<div id='respond'><h3>{seed_lines[-2]}</h3><p>{seed_lines[-1]}</p></div></article></body></html>"
    )
    article = extract_article(html, "https://news.example/india-taliban/")
    text_lines = lines(article)
    assert article["title"] == headline
    assert headline not in text_lines and seed_lines[0] not in text_lines
    assert "Leave a Comment" not in article["text"]
    assert "Required fields are marked" not in article["text"]
    assert text_lines[0].startswith("The meeting in Dubai")


# ---------------------------------------------------------------------------
# metadata and dates

JSONLD_HEAD = """<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
"headline":"Council approves northern tram extension","datePublished":"2024-05-14T08:30:00+02:00",
"dateModified":"2024-05-14T10:00:00+02:00","author":[{"@type":"Person","name":"Ada Byline"},
{"@type":"Person","name":"Ben Second"}],"articleSection":"City","keywords":["transport","council"],
"image":{"@type":"ImageObject","url":"/img/tram.jpg"}}</script>
<link rel="canonical" href="/city/tram-extension/">
<meta name="description" content="The council voted to extend the tram line.">"""


def test_jsonld_metadata_with_time_and_zone() -> None:
    article = extract_article(article_html(head=JSONLD_HEAD), URL)
    assert article["published"] == "2024-05-14T08:30:00+02:00"
    assert article["modified"] == "2024-05-14T10:00:00+02:00"
    assert article["date_source"] == "json-ld"
    assert article["authors"] == ["Ada Byline", "Ben Second"]
    assert article["section"] == "City"
    assert article["tags"] == ["transport", "council"]
    assert article["image"] == "https://daily.example/img/tram.jpg"
    assert article["canonical_url"] == "https://daily.example/city/tram-extension/"
    assert article["description"] == "The council voted to extend the tram line."
    assert article["site_name"] == "The Daily Example"
    assert article["language"] == "en"
    assert article["is_article"] is True


@pytest.mark.parametrize(
    ("head", "before", "url", "hints", "published", "source"),
    [
        (
            '<meta property="article:published_time" content="2024-05-14T06:00:00Z">',
            "",
            URL,
            None,
            "2024-05-14T06:00:00+00:00",
            "meta",
        ),
        (
            "",
            '<time class="entry-date published" datetime="2024-05-13T21:15:00-04:00">May 13</time>',
            URL,
            None,
            "2024-05-13T21:15:00-04:00",
            "time-element",
        ),
        (
            "",
            "",
            URL,
            {"via": "feed", "published": "2024-05-14T07:45:00+02:00"},
            "2024-05-14T07:45:00+02:00",
            "feed",
        ),
        (
            "",
            "",
            "https://daily.example/tram/",
            {"via": "sitemap", "published": "2024-05-12"},
            "2024-05-12",
            "sitemap",
        ),
        ("", "", URL, None, "2024-05-14", "url"),
    ],
)
def test_date_signals_in_order(
    head: str, before: str, url: str, hints: dict[str, str] | None, published: str, source: str
) -> None:
    article = extract_article(article_html(head=head, before=before), url, hints=hints)
    assert (article["published"], article["date_source"]) == (published, source)


def test_page_date_wins_over_feed_hint() -> None:
    head = '<meta property="article:published_time" content="2024-05-14T06:00:00+00:00">'
    hints = {"via": "feed", "published": "2024-05-15T00:00:00+00:00", "title": "Feed title"}
    article = extract_article(article_html(head=head), URL, hints=hints)
    assert article["published"] == "2024-05-14T06:00:00+00:00"
    assert article["title"] == TITLE


def test_no_date_anywhere_gives_null_never_the_crawl_time() -> None:
    article = extract_article(article_html(), "https://daily.example/tram/")
    assert article["published"] is None
    assert article["modified"] is None
    assert article["date_source"] is None


def test_modified_equal_to_published_is_null() -> None:
    head = (
        '<meta property="article:published_time" content="2024-05-14T06:00:00+00:00">'
        '<meta property="article:modified_time" content="2024-05-14T06:00:00+00:00">'
    )
    assert extract_article(article_html(head=head), URL)["modified"] is None


def test_meta_authors_split_and_byline_fallback() -> None:
    head = '<meta name="author" content="By Ada Byline and Ben Second">'
    assert extract_article(article_html(head=head), URL)["authors"] == ["Ada Byline", "Ben Second"]
    before = '<div class="byline">by <span class="author vcard"><span class="fn">Cleo Third</span></span></div>'
    assert extract_article(article_html(before=before), URL)["authors"] == ["Cleo Third"]


# ---------------------------------------------------------------------------
# decoding


def test_windows_1252_page_with_meta_charset() -> None:
    html = article_html().replace('charset="utf-8"', 'charset="windows-1252"')
    html = html.replace(
        PARAGRAPHS[0], "Café owners paid €2.10 – “too much”, they said, for an espresso at the bar."
    )
    body = html.encode("cp1252")
    article = extract_article(body, URL)
    assert "Café owners paid €2.10 – “too much”" in article["text"]
    assert extract_article(body, URL, encoding="windows-1252")["text"] == article["text"]


def test_valid_utf8_wins_over_a_wrong_latin1_label() -> None:
    body = "<html><head><meta charset='iso-8859-1'></head><body><p>Zürich – “ok”</p></body></html>".encode()
    assert "Zürich – “ok”" in decode_body(body)
    assert "Zürich – “ok”" in decode_body(body, "iso-8859-1")


def test_garbage_and_empty_input_do_not_raise() -> None:
    for body in (b"", b"\x00\x01\x02", b"<html></html>", "plain text, no markup at all"):
        article = extract_article(body, "https://x.example/")
        assert article["text"] == "" or isinstance(article["text"], str)
        assert article["comments"] == []


# ---------------------------------------------------------------------------
# article detection and options


def test_looks_like_article() -> None:
    assert looks_like_article(article_html(head='<meta property="og:type" content="article">'), URL)
    assert looks_like_article(article_html(head=JSONLD_HEAD), "https://daily.example/x")
    assert looks_like_article(article_html(), URL)  # <article> with three long paragraphs
    index = "<html><head><meta property='og:type' content='website'></head><body>" + "".join(
        f"<h2><a href='/a{i}'>Headline {i}</a></h2>" for i in range(20)
    )
    assert not looks_like_article(index + "</body></html>", "https://daily.example/city/")


def test_settings_hash_tracks_output_settings_only() -> None:
    base = ExtractionOptions()
    assert base.settings_hash() == ExtractionOptions().settings_hash()
    assert base.settings_hash() != ExtractionOptions(comments=False).settings_hash()
    assert base.settings_hash() != ExtractionOptions(favor="precision").settings_hash()
    assert base.settings_hash() == ExtractionOptions(timeout_s=5).settings_hash()
    with pytest.raises(ValueError, match="favor"):
        ExtractionOptions(favor="fast")


def test_extractor_version_names_both_parts() -> None:
    version = extractor_version()
    assert version.startswith(f"{EXTRACTOR_NAME}-")
    assert "+trafilatura-" in version


def test_no_comments_option() -> None:
    comments = (
        '<div id="comments"><ol class="commentlist"><li id="comment-1" class="comment">'
        '<div class="comment-author"><cite class="fn">Zed</cite></div>'
        '<div class="comment-content"><p>A comment by Zed that is here.</p></div></li></ol></div>'
    )
    article = extract_article(
        article_html(body_extra=comments), URL, options=ExtractionOptions(comments=False)
    )
    assert article["comments"] == []
    assert article["comments_status"] is None
    assert "comment by Zed" not in article["text"]


# ---------------------------------------------------------------------------
# sample site: ground truth and goldens


def sample_pages() -> list[tuple[Any, str, bytes]]:
    articles = list(ARTICLES)
    return [
        (a, BASE + a.path, render_html.article_page(a, BASE, articles).encode(a.charset))
        for a in articles
    ]


EXPECTED = {a["key"]: a for a in build_expected(list(ARTICLES))["articles"]}
BOILERPLATE = build_expected(list(ARTICLES))["boilerplate"]
PAGES = sample_pages()


@pytest.mark.parametrize(("spec", "url", "body"), PAGES, ids=[p[0].key for p in PAGES])
def test_sample_site_article_matches_ground_truth(spec: Any, url: str, body: bytes) -> None:
    expected = EXPECTED[spec.key]
    article = extract_article(body, url, encoding=spec.charset)
    assert article["title"] == expected["title"]
    assert article["authors"] == expected["authors"]
    assert article["published"] == expected["published"]
    assert article["modified"] == expected["modified"]
    assert (article["section"] or "").casefold() == expected["section"].casefold()
    assert article["language"] == expected["language"]
    paragraphs = lines(article)
    allowed = set(expected["paragraphs"]) | set(expected.get("subheadings") or [])
    assert [p for p in paragraphs if p in expected["paragraphs"]] == expected["paragraphs"]
    assert [p for p in paragraphs if p not in allowed] == []
    for phrase in BOILERPLATE:
        assert phrase not in article["text"]
    got = [
        {k: c[k] for k in ("id", "parent_id", "author", "published", "text")}
        for c in article["comments"]
    ]
    want = [
        {k: c[k] for k in ("id", "parent_id", "author", "published", "text")}
        for c in expected["comments"]
    ]
    assert got == want
    assert [c["permalink"] for c in article["comments"]] == [
        f"{url}#{c['anchor']}" for c in expected["comments"]
    ]
    assert article["comments_status"] == expected["comments_status"]


@pytest.mark.parametrize(("spec", "url", "body"), PAGES, ids=[p[0].key for p in PAGES])
def test_golden(spec: Any, url: str, body: bytes) -> None:
    path = GOLDEN_DIR / f"{spec.key}.json"
    if not path.exists():
        pytest.fail(f"missing golden {path.name}: run scripts/pin_goldens.py")
    golden = json.loads(path.read_text(encoding="utf-8"))
    assert extract_article(body, url, encoding=spec.charset) == golden


# ---------------------------------------------------------------------------
# the process-pool pipeline


def _crash_job(*args: Any) -> dict[str, Any]:
    os._exit(3)


def _slow_job(*args: Any) -> dict[str, Any]:
    time.sleep(30)
    return {}


def make_item(body: bytes, url: str = URL) -> PageItem:
    return PageItem(
        url=url,
        request_url=url,
        status=200,
        body=body,
        encoding="utf-8",
        content_type="text/html; charset=utf-8",
        source="daily",
        fetched_at="2024-05-14T12:00:00+00:00",
        discovery={"via": "feed", "published": "2024-05-14T07:00:00+00:00"},
        warc={
            "warc_file": "NV-20240514-00000.warc.gz",
            "record_id": "<urn:uuid:0d7b1f1e-0000-4000-8000-000000000001>",
            "offset": 1234,
            "length": 5678,
            "warc_date": "2024-05-14T12:00:00Z",
            "payload_digest": "sha1:ABCDEF",
            "revisit": False,
        },
    )


def make_pipeline(**settings: Any) -> tuple[ExtractionPipeline, Any]:
    crawler = get_crawler(settings_dict={"ARCHIVE_EXTRACTION_WORKERS": 1, **settings})
    return ExtractionPipeline.from_crawler(crawler), crawler.stats


def test_config_from_settings() -> None:
    crawler = get_crawler(
        settings_dict={
            "ARCHIVE_EXTRACTION_WORKERS": 3,
            "ARCHIVE_EXTRACTION_TIMEOUT": "12.5",
            "ARCHIVE_EXTRACTION_COMMENTS": False,
        }
    )
    config = ExtractionConfig.from_settings(crawler.settings)
    assert (config.workers, config.timeout, config.comments, config.pool_size) == (
        3,
        12.5,
        False,
        3,
    )
    assert ExtractionConfig(workers=0).pool_size >= 1


@pytest.mark.timeout(120)
def test_pipeline_extracts_in_pool_with_provenance_and_survives_crash_and_timeout() -> None:
    pipeline, stats = make_pipeline(ARCHIVE_EXTRACTION_TIMEOUT=20)

    async def scenario() -> dict[str, Any]:
        await pipeline.open_spider()
        try:
            good = await pipeline.process_item(make_item(article_html(head=JSONLD_HEAD).encode()))
            assert await pipeline.process_item({"not": "a page"}) == {"not": "a page"}
            pdf = make_item(b"%PDF-1.4")
            pdf.content_type = "application/pdf"
            with pytest.raises(DropItem, match="not an HTML page"):
                await pipeline.process_item(pdf)

            with pytest.raises(DropItem, match="no article text") as dropped:
                await pipeline.process_item(
                    make_item(b"<html><head><title>t</title></head><body><div></div></body></html>")
                )
            # an expected outcome: logged at INFO, one line, without the page body
            assert dropped.value.log_level == "INFO"
            assert "body" not in repr(make_item(b"<html>" + b"x" * 5000))

            # max_age_days applies again to the date that extraction found (2024-05-14)
            old = make_item(article_html(head=JSONLD_HEAD).encode())
            old.discovery = {"via": "section", "max_age_days": 30}
            with pytest.raises(DropItem, match="older than max_age_days"):
                await pipeline.process_item(old)

            pipeline.job = _crash_job  # type: ignore[assignment]
            with pytest.raises(DropItem, match="crashed"):
                await pipeline.process_item(make_item(b"<html><body><p>x</p></body></html>"))

            pipeline.job = _slow_job  # type: ignore[assignment]
            object.__setattr__(pipeline.config, "timeout", 1.0)
            with pytest.raises(DropItem, match="timed out"):
                await pipeline.process_item(make_item(b"<html><body><p>x</p></body></html>"))

            # the crawl goes on with a rebuilt pool
            pipeline.job = ExtractionPipeline.job
            again = await pipeline.process_item(make_item(article_html().encode()))
            assert again["text"]
            return good
        finally:
            await pipeline.close_spider()

    good = asyncio.run(scenario())
    assert good["title"] == TITLE
    assert good["published"] == "2024-05-14T08:30:00+02:00"
    assert good["source"] == "daily"
    assert good["fetched_at"] == "2024-05-14T12:00:00+00:00"
    assert good["discovery"]["via"] == "feed"
    assert good["request_url"] == URL
    provenance = good["provenance"]
    assert provenance["warc_file"] == "NV-20240514-00000.warc.gz"
    assert (provenance["offset"], provenance["length"]) == (1234, 5678)
    assert provenance["record_id"].startswith("<urn:uuid:")
    assert provenance["extractor"] == EXTRACTOR_NAME
    assert provenance["extractor_version"] == extractor_version()
    assert provenance["settings_hash"] == ExtractionOptions(timeout_s=20).settings_hash()
    assert stats.get_value("newsvault/extract/articles") == 2
    assert stats.get_value("newsvault/extract/no_text") == 1
    assert stats.get_value("newsvault/extract/errors") == 1
    assert stats.get_value("newsvault/extract/timeouts") == 1
    assert stats.get_value("newsvault/extract/not_html") == 1
    assert stats.get_value("newsvault/extract/too_old") == 1
    assert stats.get_value("newsvault/source/daily/filtered_age") == 1
    assert pipeline._pool is None  # shut down at close


def test_pipeline_does_not_import_trafilatura_in_the_crawl_process() -> None:
    code = (
        "import sys; import crawler.pipelines, crawler.extraction; "
        "sys.exit(1 if 'trafilatura' in sys.modules else 0)"
    )
    import subprocess

    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


# ---------------------------------------------------------------------------
# the `newsvault extract` command and worker plumbing


def test_extract_command_prints_the_same_json_as_extract_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main

    page = tmp_path / "page.html"
    page.write_text(article_html(head=JSONLD_HEAD), encoding="utf-8")
    assert main(["extract", str(page), "--url", URL]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == extract_article(page.read_bytes(), URL)
    assert main(["extract", str(tmp_path / "missing.html")]) == 2


def test_extract_command_no_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crawler.cli import main

    page = tmp_path / "page.html"
    page.write_text(
        article_html(
            body_extra='<div id="comments"><ol class="commentlist"><li id="comment-1" class="comment">'
            '<cite class="fn">Zed</cite><div class="comment-content"><p>Zed was here first.</p></div>'
            "</li></ol></div>"
        ),
        encoding="utf-8",
    )
    assert main(["extract", str(page), "--url", URL, "--no-comments", "--compact"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["comments"] == [] and printed["comments_status"] is None
    assert main(["extract", str(page), "--url", URL, "--compact"]) == 0
    assert [c["author"] for c in json.loads(capsys.readouterr().out)["comments"]] == ["Zed"]


@pytest.mark.parametrize(
    ("head", "lang", "expected"),
    [
        ("", "de-DE", "de"),
        ('<meta property="og:locale" content="de_DE">', "de", "de"),
        ('<meta http-equiv="content-language" content="es">', "en", None),  # disagreement
        ("", "", None),
    ],
)
def test_page_language_only_when_declarations_agree(
    head: str, lang: str, expected: str | None
) -> None:
    from crawler.extraction import _page_language, parse_html

    tree = parse_html(f'<html lang="{lang}"><head>{head}</head><body><p>x</p></body></html>')
    assert tree is not None
    assert _page_language(tree) == expected


def test_declared_language_does_not_lose_a_page_whose_meta_disagrees() -> None:
    """trafilatura's language check must never turn a readable page into an empty one."""
    html = article_html(head='<meta http-equiv="content-language" content="es">')
    assert lines(extract_article(html, URL)) == PARAGRAPHS


def test_worker_extract_matches_extract_article() -> None:
    from crawler.extraction import worker_extract

    body = article_html(head=JSONLD_HEAD).encode()
    assert worker_extract(body, URL, "utf-8", ExtractionOptions(), {}) == extract_article(
        body, URL, encoding="utf-8"
    )


def test_comment_pruning_never_takes_an_article_wrapper_named_like_comments() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * 3)
    html = (
        f"<html><head><title>{TITLE}</title></head><body><header><h1>{TITLE}</h1></header>"
        f'<div class="post has-comments"><div class="text">{paragraphs}</div>'
        '<div id="comments"><ol class="commentlist"><li id="comment-9" class="comment">'
        '<div class="comment-author"><cite class="fn">Ula</cite></div>'
        '<div class="comment-content"><p>Ula read the whole piece twice.</p></div></li></ol></div>'
        "</div></body></html>"
    )
    article = extract_article(html, URL)
    assert [c["author"] for c in article["comments"]] == ["Ula"]
    assert all(p in article["text"] for p in PARAGRAPHS)
    assert "Ula read" not in article["text"]


def test_characters_libxml2_rejects_are_dropped_and_the_rest_kept() -> None:
    """Control characters and U+FFFE/U+FFFF in a page do not lose its text (or anything else)."""
    spec = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
    rnd = random.Random(7)
    alphabet = [chr(c) for c in range(0x28)] + ["\ufffe", "\uffff", "\ufffd", "é", "€", "😀", "a"]
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        assert extraction._xml_safe(text.encode()) == spec.sub("", text).encode()
    body = (
        "<html><head><title>Zeichen</title></head><body><article><h1>Zeichen</h1>"
        "<p>Der Stadtrat hat am Dienstag\x0b den Haushalt beschlossen\x00, mit großer Mehrheit"
        " und nach langer Debatte über Schulen\ufffe, Straßen und den Nahverkehr der Stadt.</p>"
        "</article></body></html>"
    ).encode()
    article = extract_article(body, "http://example.org/zeichen")
    assert "den Haushalt beschlossen, mit großer Mehrheit" in article["text"]
    assert "Schulen, Straßen" in article["text"]


def test_whitespace_collapse_matches_the_regex_it_replaces() -> None:
    rnd = random.Random(11)
    alphabet = [" ", "\t", "\n", "\xa0", "\u2003", "\x1c", "\x85", "\u200b", "\ufeff", "a", "é"]
    for _ in range(5000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        assert extraction._collapse_ws(text) == re.sub(r"\s+", " ", text), repr(text)


def test_no_flat_fallback_where_comments_load_by_javascript(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What trafilatura calls comments on such a page is the widget's prompts."""
    # prompts that look like a reader's words get past the flat fallback's filters
    prompt = "Si no estás registrado todavía, puedes hacerlo ingresando a Registro de Usuarios."
    text = "Der Stadtrat hat am Dienstag den Haushalt beschlossen, mit großer Mehrheit."

    monkeypatch.setattr(extraction, "_main_text", lambda tree, url, options: (text, prompt))
    body = article_html().replace("</body>", '<div id="disqus_thread"></div></body>')
    article = extract_article(body.encode(), "http://example.org/a")
    assert article["comments"] == []
    assert article["comments_status"] == "not_in_html"
    # without the widget the same flat string is the last fallback
    article = extract_article(article_html().encode(), "http://example.org/a")
    assert [c["text"] for c in article["comments"]] == [prompt]
