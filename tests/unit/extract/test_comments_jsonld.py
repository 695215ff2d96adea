"""Comments in JSON-LD."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page, triples

JSONLD = """
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Story",
 "comment": [
  {"@type": "Comment", "@id": "https://news.example/story#comment-7", "author": {"@type": "Person", "name": "Fay"},
   "dateCreated": "2024-03-05T12:00:00Z", "text": "Fay <b>writes</b>.",
   "comment": [{"@type": "Comment", "@id": "https://news.example/story#comment-8", "author": "Gus",
                "dateCreated": "2024-03-05T12:30:00Z", "text": "Gus nests under Fay."}]},
  {"@type": "Comment", "@id": "https://news.example/story#comment-9", "author": {"name": "Hal"},
   "text": "Hal points at Fay.", "parentItem": {"@id": "https://news.example/story#comment-7"}}
 ]}
</script>
"""


def test_jsonld_comments_nested_and_parent_item() -> None:
    result = extract_comments(page("", head=JSONLD), URL)
    assert result.method == "json-ld"
    assert triples(result) == [("7", None, "Fay"), ("8", "7", "Gus"), ("9", "7", "Hal")]
    assert result.comments[0].text == "Fay writes."
    assert result.comments[0].published == "2024-03-05T12:00:00+00:00"
    assert result.comments[2].permalink == "https://news.example/story#comment-9"
