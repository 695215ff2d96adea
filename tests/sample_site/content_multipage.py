"""Articles of the sample site spread over several pages: text pages and comment pages."""

from __future__ import annotations

import logging

from .model import WORDPRESS, ArticleSpec, Comment

logger = logging.getLogger(__name__)

NIGHT_TRAINS_PATH = "/2026/10/28/night-trains-return-to-the-baltic/"

TIDAL_LAGOON = ArticleSpec(
    key="tidal-lagoon",
    cms=WORDPRESS,
    path="/2026/10/30/the-long-wait-for-a-tidal-lagoon/",
    title="The long wait for a tidal lagoon",
    authors=("Gwen Pritchard",),
    published="2026-10-30T07:00:00+00:00",
    section="science",
    summary=(
        "A decade after it was first proposed, a tidal lagoon in Swansea Bay is still "
        "waiting for a price per megawatt hour that investors and ministers can accept."
    ),
    body=(
        "Twice a day the sea in Swansea Bay rises by up to ten metres, one of the largest tidal ranges anywhere in the world. Engineers have looked at that water for half a century and seen a power station that never runs out of fuel and never needs the wind.",
        "The plan that came closest was a horseshoe of breakwater enclosing eleven square kilometres of the bay, with turbines set into its wall. Water would be held back as the tide fell and released through the turbines, then the process would run the other way on the flood.",
        "Its backers promised electricity for every home in the city for a hundred and twenty years. The government of the day asked for a strike price first, and the strike price they asked for was higher than the one agreed for a new nuclear station.",
        "## Why the price matters",
        "A tidal lagoon costs almost everything up front. Concrete, rock and turbines have to be paid for before the first kilowatt hour is sold, and the interest on that debt decides the price far more than the cost of running the plant once it is built.",
        "Economists who reviewed the scheme found that a lagoon looked expensive over thirty-five years and cheap over a century. The contracts ministers could offer ran for thirty-five years, and so the scheme was judged on the shorter sum.",
        "The review recommended building the small lagoon as a pathfinder, to learn what a larger one would cost. That advice was never taken up, and the company behind the project sold its rights to the site in the years that followed.",
        "Today a new consortium is back with a design that adds floating solar panels and a data centre cooled by sea water. Its engineers say the extra income closes most of the gap that sank the first plan.",
        "Whether ministers agree will depend on the same question as before: how long a contract they are willing to sign for a power station that may outlast everyone who signs it.",
    ),
    keywords=("tidal power", "Swansea", "energy"),
    comments_status="closed",
    feeds=("rss",),
    sitemap="sitemap-1",
    in_section=False,
    page_breaks=(3, 6),
    next_post=NIGHT_TRAINS_PATH,
)

NIGHT_TRAINS = ArticleSpec(
    key="night-trains",
    cms=WORDPRESS,
    path=NIGHT_TRAINS_PATH,
    title="Night trains return to the Baltic coast",
    authors=("Jonas Petrauskas",),
    published="2026-10-28T18:20:00+02:00",
    section="world",
    summary=(
        "A sleeper service linking Tallinn, Riga and Vilnius with Warsaw runs again "
        "after thirty years, and the first trains sold out within a day."
    ),
    body=(
        "The first sleeper train in three decades left Tallinn on Monday evening for Warsaw, calling at Riga and Vilnius overnight. Every berth was sold within a day of the timetable being published in September.",
        "The service runs on the existing broad-gauge line as far as the Lithuanian border, where passengers change to a standard-gauge train in the same station hall. The new Rail Baltica line will remove the change once it opens at the end of the decade.",
        "Operators in all three countries share the cost of the carriages, which were bought second-hand from an Austrian operator and refitted in Daugavpils. Each carriage has ten compartments with showers at one end.",
        "Railway historians note that the last through sleeper on the route was withdrawn in 1995, when the carriages it used were too old to repair and no operator would pay for new ones.",
        "Fares start at forty euros for a seat and rise to one hundred and sixty for a private compartment with breakfast. Students and pensioners travel at half price on every train except those on Friday evenings.",
    ),
    keywords=("railways", "Baltic states", "travel"),
    comments=(
        Comment(
            "701",
            None,
            "Kristiina Tamm",
            "2026-10-28T19:02:00+02:00",
            "Booked for December already. The last time I took a train from Tallinn to Riga it had wooden seats and took all day.",
        ),
        Comment(
            "702",
            "701",
            "Mark Ellison",
            "2026-10-28T19:40:00+02:00",
            "Wooden seats were not the worst of it. The heating only worked in the carriage next to the locomotive.",
        ),
        Comment(
            "703",
            None,
            "Agnė Kazlauskienė",
            "2026-10-28T20:15:00+02:00",
            "Changing trains at the border in the middle of the night sounds miserable. Why not wait for the new line?",
        ),
        Comment(
            "704",
            "703",
            "Jonas Petrauskas",
            "2026-10-28T20:51:00+02:00",
            "The change happens at Mockava around two in the morning, and the staff carry luggage across the platform for you.",
        ),
        Comment(
            "705",
            "704",
            "Agnė Kazlauskienė",
            "2026-10-28T21:30:00+02:00",
            "That is more civilised than I expected. I will try it once and report back on how well I slept.",
        ),
        Comment(
            "706",
            None,
            "Piotr Zieliński",
            "2026-10-29T07:45:00+01:00",
            "Warsaw to Tallinn overnight would be perfect if it continued to Helsinki on the morning ferry with one ticket.",
        ),
        Comment(
            "707",
            None,
            "Laura Ozola",
            "2026-10-29T09:10:00+02:00",
            "Please add a bicycle compartment. Half the people I know would cycle the coast and take the train home.",
        ),
        Comment(
            "708",
            "707",
            "Mark Ellison",
            "2026-10-29T09:55:00+02:00",
            "The refitted carriages have six bicycle hooks each, according to the operator's booking page.",
        ),
    ),
    comments_status="open",
    feeds=("rss",),
    sitemap="sitemap-1",
    in_section=False,
    comment_breaks=(4, 6),
)

MULTIPAGE: tuple[ArticleSpec, ...] = (TIDAL_LAGOON, NIGHT_TRAINS)
