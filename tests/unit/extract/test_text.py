"""Text helpers: a block's text."""

from __future__ import annotations

import lxml.html

from crawler.extract.text import block_text


def _text(html: str) -> str:
    return block_text(lxml.html.fragment_fromstring(html))


def test_smiley_images_keep_what_was_typed() -> None:
    assert _text('<p>Great pictures <img class="wp-smiley" alt=":D" src="/s.gif"></p>') == (
        "Great pictures :D"
    )
    assert _text('<p>Me too<img alt=";-P" src="/wink.gif">!</p>') == "Me too ;-P !"
    assert _text('<p>Yes <img class="emoji" alt="\U0001f600" src="/e.png"></p>') == "Yes \U0001f600"


def test_other_images_add_no_text() -> None:
    assert _text('<p>The harbour <img alt="A boat at dawn" src="/b.jpg"> at dawn.</p>') == (
        "The harbour at dawn."
    )
    assert _text('<p>One <img alt="|" src="/sep.gif"> two</p>') == "One two"
