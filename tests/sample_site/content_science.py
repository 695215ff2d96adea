"""Articles of the Science section of the sample news site."""

from __future__ import annotations

import logging

from .model import DRUPAL, WORDPRESS, ArticleSpec, Comment

logger = logging.getLogger(__name__)

EXOPLANET = ArticleSpec(
    key="exoplanet-water",
    cms=WORDPRESS,
    path="/2026/11/24/water-vapour-found-on-nearby-rocky-exoplanet/",
    title="Astronomers detect water vapour around a nearby rocky planet",
    authors=("Dr. Helen Okafor",),
    published="2026-11-24T14:20:00+00:00",
    section="science",
    summary="Spectra of a planet forty light years away show water vapour in a thin atmosphere.",
    body=(
        "Astronomers have found signs of water vapour in the atmosphere of a rocky planet about forty light years from Earth, the strongest evidence yet that small planets around red dwarf stars can hold on to an atmosphere at all. The planet is slightly larger than Earth and orbits its star every six days.",
        "The team watched the planet pass in front of its star four times with a space telescope, measuring how starlight filtered through the planet’s atmosphere changed colour. Absorption at wavelengths characteristic of water appeared in every transit, though faintly.",
        "Red dwarfs are the most common stars in the galaxy, but they are prone to violent flares that could strip away the air of nearby planets. Many researchers had assumed that rocky worlds in such tight orbits would be bare rock. “This one clearly is not,” said the lead author.",
        "Others urge caution. Starspots can mimic the signal of water, and the authors acknowledge that a cooler patch on the star’s surface could explain part of what they saw. More observations are scheduled for next spring.",
        "Even if the detection holds, the planet is far too hot for liquid water on its surface, with a day side estimated at more than 300 degrees Celsius.",
    ),
    comments=(
        Comment(
            "201",
            None,
            "Marcus Bell",
            "2026-11-24T15:02:00+00:00",
            "How confident can they be that it is not starspots? Red dwarfs are notoriously messy.",
        ),
        Comment(
            "202",
            "201",
            "Dr. Helen Okafor",
            "2026-11-24T15:40:00+00:00",
            "The authors modelled spot coverage up to 20 percent and the water feature survives, but it weakens. Spring data should settle it.",
        ),
        Comment(
            "203",
            "202",
            "Marcus Bell",
            "2026-11-24T16:01:00+00:00",
            "Thanks, that is reassuring. Looking forward to the follow-up.",
        ),
        Comment(
            "204",
            None,
            "Lena Hoffmann",
            "2026-11-24T17:25:00+00:00",
            "Forty light years still feels impossibly far, but it is amazing we can taste the air of another world.",
        ),
        Comment(
            "205",
            "204",
            "Raj Patel",
            "2026-11-24T18:10:00+00:00",
            "Beautifully put. My daughter asked if we can visit. I said maybe her great-great-grandchildren.",
        ),
    ),
    comments_status="open",
    feeds=("rss", "atom"),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
)

BEES = ArticleSpec(
    key="honeybees",
    cms=WORDPRESS,
    path="/2026/11/22/honeybee-colonies-recover-after-mild-winter/",
    title="Honeybee colonies recover after mild winter, survey finds",
    authors=("Tomás Ortega",),
    published="2026-11-22T11:30:00+00:00",
    section="science",
    summary="Beekeepers lost fewer colonies than in any year of the past decade.",
    body=(
        "Beekeepers lost fewer colonies last winter than in any year of the past decade, according to an annual survey of more than fifteen thousand hobby and commercial beekeepers. Average losses fell to 14 percent, down from 21 percent the year before.",
        "Researchers credit the mild weather, which allowed bees to fly on more days and clear their hives, and a better-timed treatment against the varroa mite, the parasite blamed for most colony collapses. Beekeepers who treated in late summer, before winter bees were raised, lost markedly fewer hives.",
        "The good news comes with caveats. Losses varied widely between regions, and several upland areas reported their worst results in years after a cold, wet spring. Wild bees, which are not covered by the survey, continue to decline in many places.",
        "The survey’s authors also warned against reading too much into a single year. Warmer winters can encourage queens to keep laying, which feeds the mites as well as the colony.",
        "Next year’s survey will for the first time ask about the Asian hornet, which has spread north in recent summers.",
    ),
    comments=(
        Comment(
            "311",
            None,
            "Gwen Harris",
            "2026-11-22T13:10:00+00:00",
            "Lost one hive out of six this year, compared with three last year. Treating in August made the difference.",
        ),
        Comment(
            "312",
            None,
            "Olaf Berg",
            "2026-11-22T19:44:00+00:00",
            "Please do not forget the solitary bees. Leave some bare ground and hollow stems in your garden.",
        ),
    ),
    comments_status="open",
    feeds=("rss",),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
    transfer="gzip-always",
)

OCEAN = ArticleSpec(
    key="southern-ocean",
    cms=WORDPRESS,
    path="/2026/11/21/deep-southern-ocean-warming-faster/",
    title="Ocean floats reveal faster warming in the deep Southern Ocean",
    authors=("Claire Dubois", "Kenji Watanabe"),
    published="2026-11-21T10:15:00+00:00",
    section="science",
    summary="Robotic floats diving to 4,000 metres show heat reaching the abyss sooner than models predicted.",
    body=(
        "Robotic floats that dive to four thousand metres have found that the deep Southern Ocean is warming about twice as fast as climate models had predicted, researchers reported on Friday. The extra heat is concentrated in water that sinks off the coast of Antarctica and spreads north along the sea floor.",
        "The floats are part of a network that has measured the upper ocean since the early 2000s. Deep-diving versions were added only recently, and the new study is the first to use several years of their data to track changes below two kilometres.",
        "Warming in the abyss matters because the ocean absorbs most of the heat trapped by greenhouse gases. Water also expands as it warms, so the finding adds a small amount to estimates of sea-level rise.",
        "The authors suggest that melting ice shelves are freshening the surface water near Antarctica, slowing the formation of cold, dense bottom water. With less cold water sinking, the deep ocean gradually warms.",
        "More floats are due to be deployed next year, filling gaps in the Pacific sector, where coverage is thinnest.",
    ),
    comments=(
        Comment(
            "321",
            None,
            "Ingrid Solberg",
            "2026-11-21T12:00:00+00:00",
            "Is the float data public? I would love to use it with my oceanography class.",
        ),
    ),
    comments_status="open",
    feeds=("rss",),
    sitemap="sitemap-1",
    transfer="chunked",
)

FUSION = ArticleSpec(
    key="fusion-record",
    cms=WORDPRESS,
    path="/2026/11/05/fusion-experiment-sustains-plasma-record/",
    title="Fusion experiment sustains hot plasma for a record six minutes",
    authors=("Aisha Rahman",),
    published="2026-11-05T13:00:00+00:00",
    modified="2026-11-06T08:20:00+00:00",
    section="science",
    summary="A tokamak kept plasma above 50 million degrees for 360 seconds.",
    body=(
        "A fusion reactor has kept a plasma hotter than fifty million degrees stable for six minutes, beating the previous record by almost a minute, its operators announced on Wednesday. The experiment used superconducting magnets and new tungsten walls designed to survive long pulses.",
        "Holding the plasma steady for minutes rather than seconds is a necessary step towards power plants, which will have to run continuously. The main challenge is heat: surfaces facing the plasma must shed enormous loads without melting or contaminating it with stray atoms.",
        "The achievement does not mean the machine produced more energy than it used. Like other experimental reactors it consumes far more power to heat and confine the plasma than fusion reactions release.",
        "Physicists outside the project called the result solid engineering progress. The team hopes to extend pulses to twenty minutes within two years.",
        "An earlier version of this story overstated the temperature reached during the run; it has been corrected. The web address of the article was also changed to reflect the new headline.",
    ),
    comments_status="open",
    feeds=("atom",),
    sitemap="sitemap-2",
    old_paths=("/2026/11/05/fusion-record-claim/",),
    transfer="br-negotiated",
)

HEARING = ArticleSpec(
    key="gene-therapy-hearing",
    cms=DRUPAL,
    path="/news/12344-gene-therapy-restores-hearing-in-children",
    title="Gene therapy trial restores partial hearing in children",
    authors=("Dr. Samuel Adeyemi", "Julia Novak"),
    published="2026-11-23T18:00:00+01:00",
    modified="2026-11-24T08:00:00+01:00",
    section="science",
    summary="Eleven of twelve children born deaf because of a single gene defect gained some hearing.",
    body=(
        "Eleven of twelve children born deaf because of a faulty copy of a single gene gained some hearing after an injection of gene therapy into the inner ear, doctors reported in a trial published on Monday. Several could follow spoken conversation within six months.",
        "The children all carried mutations in the gene for otoferlin, a protein that hair cells in the ear need to pass signals to the auditory nerve. Their hair cells were intact, which made them good candidates: the therapy delivers a working copy of the gene with a harmless virus.",
        "Results varied. The youngest children improved most, which the researchers attribute to the brain’s greater ability to learn to process sound early in life. One child showed no response, for reasons the team is still investigating.",
        "Otoferlin mutations account for only a small share of inherited deafness, but researchers say the approach could be adapted to other genes. Larger trials are planned in Europe and China.",
        "Side effects were mild, mostly temporary dizziness after the surgery to reach the inner ear.",
    ),
    keywords=("genetics", "medicine", "deafness", "clinical trials"),
    comments=(
        Comment(
            "521",
            None,
            "Maria Castillo",
            "2026-11-23T19:30:00+01:00",
            "Our son has an otoferlin mutation. We have waited years for news like this.",
        ),
        Comment(
            "522",
            "521",
            "Julia Novak",
            "2026-11-23T20:05:00+01:00",
            "Thank you for sharing. The trial team lists contact details for families on its registry page.",
        ),
        Comment(
            "523",
            None,
            "Ben Carter",
            "2026-11-24T07:45:00+01:00",
            "Remarkable, although twelve patients is a very small trial. Hope the larger studies confirm it.",
        ),
    ),
    comments_status="open",
    comment_markup="jsonld",
    feeds=("rss", "jsonfeed"),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
)

SATELLITE = ArticleSpec(
    key="weather-satellite",
    cms=DRUPAL,
    path="/news/12336-new-weather-satellite-sends-first-images",
    title="Europe’s new weather satellite sends first images",
    authors=("Lukas Becker",),
    published="2026-11-20T11:45:00+01:00",
    section="science",
    summary="The geostationary satellite’s lightning imager and infrared sounder are working.",
    body=(
        "Europe’s newest geostationary weather satellite has sent its first images from 36,000 kilometres above the equator, showing a storm system over the Bay of Biscay in sharper detail than any previous satellite in the series.",
        "The spacecraft carries an infrared sounder that measures temperature and humidity at different heights in the atmosphere every half hour. Forecasters say that will help them predict where thunderstorms form, hours before clouds become visible.",
        "Its lightning imager, which counts flashes day and night, has already recorded a squall line over the Sahel. Aviation authorities plan to use the data to route aircraft around storms over the Atlantic, where ground radar does not reach.",
        "Meteorologists caution that the sounder produces an enormous volume of data, and national weather services will need to upgrade their computers and models before they can use it fully. Several have already begun trials with test data simulated before launch.",
        "The satellite will undergo a year of testing before its data are used routinely in forecasts. A second, identical spacecraft is due to follow in 2028, along with a polar-orbiting companion.",
    ),
    keywords=("space", "weather", "satellites"),
    comments=(
        Comment(
            "531",
            None,
            "Pilot_Anne",
            "2026-11-20T13:00:00+01:00",
            "The lightning data over the Atlantic will be a huge help. Oceanic routes are a black hole for storm information.",
        ),
        Comment(
            "532",
            "531",
            "Rui Costa",
            "2026-11-20T14:30:00+01:00",
            "Agreed. Flew Lisbon to São Paulo last month and the detours around storms added an hour.",
        ),
    ),
    comments_status="open",
    comment_markup="html",
    feeds=("atom",),
    sitemap="sitemap-1",
)

KRILL = ArticleSpec(
    key="antarctic-krill",
    cms=DRUPAL,
    path="/news/12346-antarctic-krill-swarms-shrink",
    title="Antarctic krill swarms shrink as sea ice thins",
    authors=("Freya Lindholm",),
    published="2026-11-24T18:05:00+01:00",
    section="science",
    summary="Acoustic surveys find krill swarms a third smaller than in the 1990s.",
    body=(
        "Swarms of Antarctic krill, the shrimp-like crustaceans at the base of the Southern Ocean food web, are about a third smaller than they were in the 1990s, according to acoustic surveys from research ships around the Antarctic Peninsula.",
        "Krill larvae shelter and feed under sea ice in winter, grazing on algae that grow on its underside. As the ice has thinned and retreated earlier each spring, fewer young krill survive to adulthood, the researchers say.",
        "Penguins, seals and whales depend on krill, and so does a growing fishery that supplies fish farms and dietary supplements. Conservation groups want catch limits cut in the areas where swarms have shrunk most.",
        "The fishing industry argues that its catch is a tiny fraction of the total krill population and that limits are already cautious. Companies point to voluntary no-fishing zones near penguin colonies that they introduced several years ago.",
        "The international commission that manages Antarctic fisheries will consider the new survey at its annual meeting, where proposals for marine protected areas have repeatedly stalled for lack of consensus.",
    ),
    keywords=("Antarctica", "oceans", "climate"),
    comments_status="none",
    news_sitemap=True,
    in_section=False,
)

JUPITER = ArticleSpec(
    key="jupiter-impact",
    cms=WORDPRESS,
    path="/2026/11/23/amateur-astronomers-catch-impact-on-jupiter/",
    title="Amateur astronomers catch meteor impact on Jupiter",
    authors=("Owen Price",),
    published="2026-11-23T21:10:00+00:00",
    section="science",
    summary="Two backyard observers recorded the same bright flash in Jupiter’s clouds.",
    body=(
        "Two amateur astronomers, one in Brazil and one in Japan, independently recorded a brief flash of light in Jupiter’s cloud tops on Sunday night, the signature of an object a few metres across burning up in the giant planet’s atmosphere.",
        "The flash lasted just over a second and was caught on video through backyard telescopes. Comparing the two recordings allowed professional astronomers to pin down its position and estimate the energy released, equivalent to several hundred tonnes of TNT.",
        "Impacts like this happen on Jupiter many times a year, but most go unseen. Software written by amateurs now scans hours of planetary video automatically, which has made detections more common.",
        "The observations help researchers estimate how many small objects cross Jupiter’s path, and by extension how often the outer solar system sends debris towards the inner planets.",
        "Both observers said they had been recording the planet for hours on the off chance. “You capture a thousand frames a minute and almost always there is nothing,” said the Brazilian amateur, a retired schoolteacher. “Then one night there is.”",
    ),
    comments_status="none",
    feeds=("atom",),
    in_section=False,
)

CITY_TREES = ArticleSpec(
    key="city-trees",
    cms=DRUPAL,
    path="/news/12329-city-trees-cut-summer-heat-deaths",
    title="City trees cut summer heat deaths, study of 90 cities finds",
    authors=("Nadia Haddad",),
    published="2026-11-17T09:20:00+01:00",
    section="science",
    summary="Raising tree cover to 30 percent could prevent a third of heat-related deaths in European cities.",
    body=(
        "Increasing tree cover in European cities to 30 percent could prevent about a third of deaths caused by summer heat, according to a modelling study of ninety cities. Neighbourhoods with more trees were on average 1.5 degrees cooler during heatwaves than those with few.",
        "The researchers combined satellite measurements of surface temperature with hospital and mortality records from three summers. The effect was largest in dense southern cities, where narrow streets trap heat overnight.",
        "Planting alone is not a quick fix, the authors note. Young trees take a decade or more to provide shade, and they need water during the same droughts that accompany heatwaves. Cities also struggle to find space between pipes, cables and car parks.",
        "Several mayors have already announced planting programmes, though critics say many targets count saplings rather than the canopy they will eventually provide.",
        "Public health experts add that trees are one tool among several. Cooling centres, early warnings and checks on elderly people living alone save lives within a single summer, while a new canopy takes years to grow.",
    ),
    keywords=("cities", "climate", "public health"),
    comments_status="none",
    feeds=("jsonfeed",),
    sitemap="sitemap-1",
)

MONGOLIA = ArticleSpec(
    key="mongolia-fossils",
    cms=WORDPRESS,
    path="/2026/11/08/dinosaur-nesting-site-found-in-gobi/",
    title="Dinosaur nesting ground with dozens of eggs found in the Gobi",
    authors=("Batbayar Ganbold",),
    published="2026-11-08T07:40:00+00:00",
    section="science",
    summary="Palaeontologists uncovered clutches of eggs laid by the same species over several seasons.",
    body=(
        "Palaeontologists working in the Gobi desert have uncovered a nesting ground with at least fifteen clutches of dinosaur eggs, laid close together in layers of sandstone that suggest the same site was used over several breeding seasons.",
        "The eggs, each about the size of a grapefruit, belong to a small plant-eating dinosaur. Some contain fragments of embryonic bone, which the team hopes to scan to learn how far the young had developed before the nests were buried.",
        "Nesting colonies are known from other parts of the world, but evidence that animals returned to the same spot year after year is rare. It hints at social behaviour more often associated with modern birds.",
        "The fossils will stay in Mongolia, at the national museum in Ulaanbaatar, under rules introduced after years of illegal excavation and smuggling. Some of the eggs will go on display next summer, while others are kept for study.",
        "The expedition, a collaboration between Mongolian and Japanese researchers, plans to return in the spring to search the surrounding cliffs for the bones of adults.",
    ),
    comments_status="none",
    sitemap="sitemap-2",
    in_section=False,
)

SCIENCE = (
    EXOPLANET,
    BEES,
    OCEAN,
    FUSION,
    HEARING,
    SATELLITE,
    KRILL,
    JUPITER,
    CITY_TREES,
    MONGOLIA,
)
