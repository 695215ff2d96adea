"""The published Article: built from the extractor's output, serialised as the shards hold it."""

from __future__ import annotations

import json
from dataclasses import asdict

from crawler.items import Article, Comment, Provenance

EXTRACTED = {
    "url": "https://n.example/a",
    "canonical_url": "https://n.example/a",
    "title": "T",
    "authors": ["A", "B"],
    "published": "2024-01-01T10:00:00+01:00",
    "modified": None,
    "date_source": "json-ld",
    "language": "en",
    "description": None,
    "section": None,
    "tags": ["x"],
    "image": None,
    "site_name": "S",
    "text": "Body.",
    "word_count": 1,
    "comments": [
        {
            "id": "1",
            "parent_id": None,
            "author": "c",
            "published": None,
            "byline": "c says:",
            "text": "hi",
            "permalink": None,
        }
    ],
    "comments_status": "open",
    "comments_method": "wordpress",
    # what the extractor adds for the crawl's own use is not published
    "is_article": True,
}
PROVENANCE = Provenance(
    "run", "f.warc.gz", "<urn:uuid:x>", 1, 2, "d", "sha1:X", "t", "nv", "v", "h"
)


def test_from_extracted_keeps_only_published_fields_and_types_the_comments() -> None:
    article = Article.from_extracted(EXTRACTED, source="s", fetched_at="t", provenance=PROVENANCE)
    assert article.comments == [Comment("1", None, "c", None, "c says:", "hi", None)]
    assert "is_article" not in article.to_dict()


def test_a_single_page_is_its_own_pages_list() -> None:
    article = Article.from_extracted(EXTRACTED, source="s", fetched_at="t", provenance=PROVENANCE)
    assert (article.pages, article.comment_pages, article.missing_pages) == (
        ["https://n.example/a"],
        [],
        [],
    )
    merged = {**EXTRACTED, "pages": ["https://n.example/a", "https://n.example/a/2/"]}
    merged["comment_pages"] = ["https://n.example/a/comment-page-2/"]
    article = Article.from_extracted(merged, source="s", fetched_at="t", provenance=PROVENANCE)
    assert article.to_dict()["pages"] == merged["pages"]
    assert article.to_dict()["comment_pages"] == merged["comment_pages"]


def test_to_dict_is_asdict_and_json_ready() -> None:
    article = Article.from_extracted(EXTRACTED, source="s", fetched_at="t", provenance=PROVENANCE)
    data = article.to_dict()
    assert data == asdict(article)
    assert json.loads(json.dumps(data))["provenance"]["run_id"] == "run"
