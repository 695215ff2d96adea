"""Articles that ``SampleSite.publish_extra()`` publishes while the server runs."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from .model import DRUPAL, ArticleSpec

logger = logging.getLogger(__name__)

EXTRA_SECTION = "science"
EXTRA_FIRST_NODE = 20001

_STORIES = (
    (
        "perovskite-solar-cell-record",
        "Perovskite solar cells pass 30 percent efficiency in outdoor test",
        "Tandem cells kept their efficiency through a full summer on a test roof.",
        (
            "A tandem solar cell that stacks a perovskite layer on top of silicon converted more than 30 percent of sunlight into electricity during a summer-long outdoor test, researchers said on Wednesday. Earlier records were set under laboratory lamps rather than real weather.",
            "Perovskites are cheap to make but notoriously fragile, breaking down in heat and humidity. The team sealed the cells in a new polymer coating and lost less than two percent of their output over four months on a test roof.",
            "Manufacturers say outdoor durability over decades, not months, will decide whether the technology reaches ordinary rooftops.",
        ),
    ),
    (
        "comet-fragments-meteor-shower",
        "Comet fragments could bring a rare meteor outburst this weekend",
        "Forecasters expect up to 200 meteors an hour for a short window on Saturday night.",
        (
            "Dust shed by a comet that broke apart last year may produce a short but intense meteor outburst on Saturday night, astronomers say. For about forty minutes observers in Europe and Africa could see as many as 200 meteors an hour.",
            "Outbursts like this are hard to predict, because the dust trail must cross Earth’s orbit at exactly the right place. Two independent models agree on the timing but differ on the strength.",
            "The best view will be from dark sites away from city lights, looking north-east after midnight.",
        ),
    ),
    (
        "drought-tolerant-wheat-approved",
        "Drought-tolerant wheat variety approved for planting",
        "Regulators cleared a wheat line that yields a fifth more in dry years.",
        (
            "Regulators have approved a wheat variety bred to tolerate drought for commercial planting, after field trials in which it yielded about a fifth more grain than standard varieties in dry years and the same in wet ones.",
            "The variety carries a gene from sunflowers that helps plants keep functioning when water runs short. It was developed over fifteen years by a public research institute and will be licensed to seed companies at low cost.",
            "Farm groups welcomed the decision; environmental groups said they would watch for effects on neighbouring fields.",
        ),
    ),
)


def make_extra(number: int, now: datetime | None = None) -> ArticleSpec:
    """The ``number``-th extra article (1-based), published ``now`` (UTC)."""
    when = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    slug, title, summary, body = _STORIES[(number - 1) % len(_STORIES)]
    if number > len(_STORIES):
        title = f"{title} (update {number})"
        slug = f"{slug}-update-{number}"
    return ArticleSpec(
        key=f"extra-{number}",
        cms=DRUPAL,
        path=f"/news/{EXTRA_FIRST_NODE + number - 1}-{slug}",
        title=title,
        authors=("Newsdesk",),
        published=when.isoformat(),
        section=EXTRA_SECTION,
        summary=summary,
        body=body,
        keywords=("science",),
        comments_status="none",
        feeds=("rss", "atom", "jsonfeed"),
        sitemap="sitemap-1",
        news_sitemap=True,
        on_home=True,
    )
