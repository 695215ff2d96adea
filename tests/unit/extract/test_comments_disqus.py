"""Disqus threads rendered into the page."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page, triples

DISQUS_SERVER_RENDERED = """
<div id="disqus_thread">
 <ul id="post-list">
  <li class="post" id="post-9001">
   <div class="post-content"><span class="author"><a>Lou</a></span>
    <a class="time-ago" title="Tuesday, March 5, 2024 1:05 PM">2 days ago</a>
    <div class="post-message"><p>Lou's take, rendered on the server.</p></div></div>
   <ul class="children">
    <li class="post" id="post-9002">
     <div class="post-content"><span class="author"><a>Mo</a></span>
      <div class="post-message"><p>Mo replies.</p></div></div>
    </li>
   </ul>
  </li>
 </ul>
</div>
"""


def test_server_rendered_disqus_fallback() -> None:
    result = extract_comments(page(DISQUS_SERVER_RENDERED), URL)
    assert result.status == "open"
    assert triples(result) == [("9001", None, "Lou"), ("9002", "9001", "Mo")]
    assert result.comments[0].text == "Lou's take, rendered on the server."
    assert result.comments[0].published == "2024-03-05T13:05:00"
