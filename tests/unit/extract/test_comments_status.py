"""The comment-section status when a page shows no comments."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.comments import extract_comments
from tests.unit.extract.article_page import URL as ARTICLE_URL
from tests.unit.extract.article_page import article_html
from tests.unit.extract.comment_page import URL, page


@pytest.mark.parametrize(
    ("body", "head", "status"),
    [
        (
            '<div id="disqus_thread"></div><script>var disqus_config = function () {};</script>',
            "",
            "not_in_html",
        ),
        (
            "",
            '<script src="https://forum.example/javascripts/embed.js"></script><script>DiscourseEmbed = {};</script>',
            "not_in_html",
        ),
        ('<div id="comments"><p class="no-comments">Comments are closed.</p></div>', "", "closed"),
        (
            '<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form id="commentform"></form></div>',
            "",
            "open",
        ),
        ("<footer><p>Copyright</p></footer>", "", "none"),
    ],
)
def test_status_without_comments(body: str, head: str, status: str) -> None:
    result = extract_comments(page(body, head=head), URL)
    assert result.comments == []
    assert result.status == status


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        # an in-house widget: an empty section with a mount point, or a script naming comments
        (
            '<section id="reader-comments"><h2>Comments</h2><div class="app" data-thread="42">'
            "Loading…</div></section>",
            "not_in_html",
        ),
        (
            '<div class="article-comments"></div><script src="/js/comments-bundle.js"></script>',
            "not_in_html",
        ),
        ('<div class="article-comments"></div>', "none"),
    ],
)
def test_an_empty_section_filled_by_javascript_is_not_in_html(extra: str, status: str) -> None:
    article = extract_article(article_html(body_extra=extra), ARTICLE_URL)
    assert article["comments"] == []
    assert article["comments_status"] == status
