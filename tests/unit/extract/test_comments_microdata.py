"""Comments in schema.org microdata."""

from __future__ import annotations

from crawler.extract.comments import extract_comments
from tests.unit.extract.comment_page import URL, page, triples

MICRODATA = """
<section id="talk">
 <div itemscope itemtype="https://schema.org/Comment" id="c-1">
  <span itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">Dana</span></span>
  <meta itemprop="dateCreated" content="2024-03-05T09:00:00+01:00">
  <div itemprop="text"><p>Dana's view.</p></div>
  <div itemscope itemtype="https://schema.org/Comment" id="c-2">
   <span itemprop="author">Eli</span>
   <time itemprop="dateCreated" datetime="2024-03-05T09:30:00+01:00">9:30</time>
   <div itemprop="text">Eli replies to Dana.</div>
  </div>
 </div>
</section>
"""


def test_microdata_nested_comments() -> None:
    result = extract_comments(page(MICRODATA), URL)
    assert result.method == "microdata"
    assert triples(result) == [("1", None, "Dana"), ("2", "1", "Eli")]
    assert [c.text for c in result.comments] == ["Dana's view.", "Eli replies to Dana."]
    assert result.comments[1].published == "2024-03-05T09:30:00+01:00"
