"""Articles of the World section of the sample news site."""

from __future__ import annotations

import logging

from .model import DRUPAL, WORDPRESS, ArticleSpec, Comment

logger = logging.getLogger(__name__)

SEED = ArticleSpec(
    key="india-taliban",
    cms=WORDPRESS,
    path="/2026/11/24/india-foreign-secretary-meets-taliban-minister/",
    title="India’s foreign secretary meets Taliban minister",
    authors=("Priya Raghavan",),
    published="2026-11-24T09:30:00+00:00",
    modified="2026-11-24T11:02:00+00:00",
    section="world",
    summary=(
        "Indian Foreign Secretary Vikram Misri met the Taliban’s acting Foreign "
        "Minister Amir Khan Muttaqi in Dubai, the first meeting at that level."
    ),
    body=(
        "The meeting in Dubai marked a significant step in India’s ongoing engagement with the Taliban regime in Kabul. While New Delhi has not formally recognized the Taliban government, it has maintained channels of communication to address regional security concerns and safeguard its strategic interests in Afghanistan. This interaction underscores India’s pragmatic approach to navigating the complex geopolitical landscape following the Taliban’s return to power. The dialogue is believed to focus on humanitarian aid, counterterrorism cooperation, and the safety of minority communities in Afghanistan. India continues to balance its diplomatic stance while ensuring its interests align with broader regional stability.",
        "In a landmark development, Indian Foreign Secretary Vikram Misri met the Taliban’s acting Foreign Minister, Amir Khan Muttaqi, for the first time in Dubai on Wednesday. The meeting signals India’s ongoing diplomatic engagement with the Taliban regime in Kabul, which New Delhi has not formally recognized but continues to interact with for broader regional stability and humanitarian concerns.",
        "## Key Discussions During the Meeting",
        "During the talks, the Afghan Taliban expressed their “sensitivities to India’s security concerns.” This acknowledgment underscores the Taliban’s awareness of India’s apprehensions regarding regional security, particularly in the context of cross-border terrorism and the activities of extremist groups operating in Afghanistan.",
        "On its part, India reiterated its commitment to supporting the Afghan people during these challenging times. The Indian side pledged to provide aid to Afghanistan’s health sector, an area in dire need of resources amid the country’s ongoing economic and humanitarian crisis. Additionally, India offered assistance in rehabilitating Afghan refugees, emphasizing its humanitarian approach to the crisis in Afghanistan.",
        "While the Taliban regime is yet to receive formal recognition from New Delhi or the broader international community, this meeting reflects India’s pragmatic stance in maintaining open channels of communication.",
        "## Regional Tensions Shape the Dialogue",
        "Just two days prior, India condemned Pakistan’s air strikes in Afghanistan, which reportedly killed dozens of civilians, including women and children.",
        "The strikes, carried out by Pakistan on December 24, were described by New Delhi as a grave violation of international norms. India also accused Islamabad of deflecting its “own internal failures” by blaming neighboring countries for its issues. The air strikes killed at least 46 civilians, deepening concerns about the fragile state of security in Afghanistan and its implications for the region.",
        "This context likely influenced India’s discussions with the Taliban. The meeting may have served as an opportunity for India to convey its stance on Pakistan’s actions and seek assurances from the Taliban about addressing cross-border threats emanating from Afghan soil.",
        "## India’s Balancing Act",
        "India’s engagement with the Taliban reflects a delicate balancing act. On one hand, New Delhi has longstanding concerns about Afghanistan becoming a safe haven for anti-India militant groups, such as the Lashkar-e-Taiba (LeT) and Jaish-e-Mohammed (JeM). On the other hand, India recognizes the need to engage with the de facto rulers of Afghanistan to protect its strategic interests and support the Afghan people.",
        "India has historically been a key development partner for Afghanistan, investing in infrastructure, education, and healthcare projects. Despite the Taliban’s return to power in August 2021, India has continued to provide humanitarian aid, including food, medicine, and COVID-19 vaccines.",
        "However, New Delhi’s diplomatic outreach has been cautious. While India has maintained its stance of not formally recognizing the Taliban regime, it has engaged in backchannel talks and humanitarian initiatives. The meeting in Dubai appears to be a continuation of this strategy, aimed at fostering dialogue while avoiding outright legitimization of the Taliban government.",
        "## The Road Ahead",
        "The Dubai meeting is significant in shaping India’s future approach toward Afghanistan. By addressing security concerns and extending humanitarian support, India seeks to ensure that its interests are safeguarded in the evolving geopolitical landscape.",
        "India’s outreach to the Taliban also reflects its broader regional strategy. As Pakistan faces domestic challenges and deteriorating relations with Kabul, India’s engagement with the Taliban could serve as a counterbalance to Islamabad’s influence in Afghanistan.",
        "Additionally, the meeting highlights India’s commitment to supporting the Afghan people during a time of crisis. With Afghanistan grappling with economic collapse, food shortages, and limited access to healthcare, India’s pledges for assistance demonstrate its role as a responsible regional power.",
        "## Conclusion",
        "The first-ever meeting between Indian Foreign Secretary Vikram Misri and the Taliban’s acting Foreign Minister Amir Khan Muttaqi marks a new chapter in India-Afghanistan relations. While New Delhi continues to navigate the complexities of engaging with the Taliban, its focus remains on addressing security concerns, providing humanitarian aid, and ensuring regional stability.",
        "As Afghanistan faces mounting challenges, India’s proactive diplomacy could play a crucial role in shaping the country’s future and strengthening peace and stability in South Asia.",
    ),
    keywords=("India", "Afghanistan", "Taliban", "diplomacy"),
    comments=(
        Comment(
            "101",
            None,
            "Rahul Mehta",
            "2026-11-24T10:12:00+00:00",
            "Pragmatic move. Talking is not the same as recognising, and India cannot afford to leave Kabul entirely to Beijing and Islamabad.",
        ),
        Comment(
            "102",
            "101",
            "Sarah Lindqvist",
            "2026-11-24T10:47:00+00:00",
            "Agreed on engagement, but the health-sector aid needs independent monitoring. Past shipments did not always reach the provinces.",
        ),
        Comment(
            "103",
            "102",
            "Rahul Mehta",
            "2026-11-24T11:05:00+00:00",
            "Fair point. The wheat convoys through Chabahar were tracked by the World Food Programme, so there is a model to copy.",
        ),
        Comment(
            "104",
            None,
            "Farid Ahmadi",
            "2026-11-24T12:30:00+00:00",
            "As an Afghan student in Delhi I mostly care about visas. Hundreds of us have been waiting for more than two years.",
        ),
    ),
    comments_status="open",
    feeds=("rss", "atom", "jsonfeed"),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
    related=("danube-flood", "chile-lithium"),
    reply_title="Leave a Comment",
)

DANUBE = ArticleSpec(
    key="danube-flood",
    cms=WORDPRESS,
    path="/2026/11/23/danube-flood-barriers-hold-in-budapest/",
    title="Flood barriers hold as Danube crest passes Budapest",
    authors=("Katalin Varga",),
    published="2026-11-23T16:45:00+00:00",
    section="world",
    summary="Mobile flood walls along the Pest embankment held overnight as the river peaked at 8.3 metres.",
    body=(
        "Mobile flood walls along the Pest embankment held through the night as the Danube crested at 8.3 metres in Budapest on Monday, just short of the record set in 2013. Thousands of volunteers had spent the weekend filling sandbags on Margaret Island and along the lower quay, which was closed to traffic on Friday.",
        "City officials said the aluminium barriers, installed after the last major flood, had performed as designed. “The water came within forty centimetres of the top in Újpest, but nothing came through,” said the head of the municipal disaster unit. Pumps were kept running in the metro’s riverside stations as a precaution.",
        "Upstream, the picture was less reassuring. In Szentendre several streets near the old town were under water, and residents of low-lying holiday homes on the Szentendre Island were ferried out by army boats. Farmers in the Szigetköz region reported flooded fields and drowned winter wheat.",
        "Hydrologists expect the river to fall slowly over the coming week, but warned that saturated dikes remain vulnerable. Heavy rain in the Austrian Alps last week, falling on ground that was already wet, produced the surge, and forecasters see more rain at the weekend.",
        "The government said it would ask the European Union’s solidarity fund for help with repairs once the damage has been assessed.",
    ),
    comments_status="not_in_html",
    feeds=("rss",),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
)

ROTTERDAM = ArticleSpec(
    key="rotterdam-strike",
    cms=WORDPRESS,
    path="/2026/11/21/rotterdam-port-workers-end-strike/",
    title="Rotterdam port workers end strike after wage deal",
    authors=("Joost van Dijk", "Emma Collins"),
    published="2026-11-21T08:05:00+00:00",
    modified="2026-11-21T13:40:00+00:00",
    section="world",
    summary="Lashers and crane operators return to work after a two-year agreement with a 7.5 percent raise.",
    body=(
        "Dock workers at Europe’s largest port returned to work on Saturday after unions and terminal operators agreed a two-year contract that raises wages by 7.5 percent and adds an early-retirement scheme for crane operators, ending a week-long strike that left more than forty container ships waiting at anchor in the North Sea.",
        "The dispute had focused on automation as much as pay. Operators at the Maasvlakte terminals, where automated guided vehicles already move most boxes, wanted flexibility to extend remote-controlled cranes to older quays. The deal caps that expansion until 2028 and guarantees retraining for lashers whose jobs disappear.",
        "Shipping lines had begun diverting vessels to Antwerp and Hamburg, and freight forwarders warned that the backlog would take at least ten days to clear. Supermarkets reported gaps in shelves of tropical fruit, much of which passes through Rotterdam’s refrigerated terminals.",
        "“Nobody wins a strike like this, but the people on the quay have been heard,” a spokesperson for the FNV union said. The employers’ association called the agreement “expensive but workable”.",
        "Port authorities said they would extend terminal opening hours over the coming weekends to move the delayed cargo.",
    ),
    comments_status="closed",
    feeds=("rss",),
    sitemap="sitemap-1",
    on_home=True,
    related=("/2026/10/02/harbour-authority-denies-report/", "danube-flood"),
)

NEPAL = ArticleSpec(
    key="nepal-trek",
    cms=WORDPRESS,
    path="/2026/11/12/nepal-villages-reopen-trekking-route/",
    title="Nepal’s mountain villages reopen trekking route after landslide",
    authors=("Anil Gurung",),
    published="2026-11-12",
    section="world",
    summary="A rebuilt section of the Annapurna circuit reopened six weeks after a landslide cut off three villages.",
    body=(
        "A stretch of the Annapurna circuit that was swept away by a landslide in September has reopened, allowing trekkers to reach the villages of Tal and Dharapani for the first time in six weeks. Local workers rebuilt nearly two kilometres of trail by hand, cutting steps into the slope above the Marsyangdi river.",
        "For the villages the timing matters. October and November are the busiest months of the trekking year, and teahouse owners had watched bookings disappear as the closure dragged on. “Every empty room is a month of school fees,” said one lodge owner in Tal, who had moved his family down the valley while the path was closed.",
        "The district authorities have posted guards at the most exposed section, where rocks still fall after rain, and trekkers are asked to cross in small groups. Porters carrying loads above thirty kilograms must use a longer detour over a temporary suspension bridge.",
        "Geologists say the slope remains unstable and warn that the monsoon next year could bring new slides. A proposal to move the trail to the opposite bank, first made a decade ago, is being revived.",
    ),
    comments_status="none",
    sitemap="sitemap-2",
    sitemap_lastmod=False,
    date_in_page=False,
)

CHILE = ArticleSpec(
    key="chile-lithium",
    cms=DRUPAL,
    path="/news/12341-chile-approves-lithium-partnership",
    title="Chile approves lithium partnership with state miner",
    authors=("Valentina Rojas",),
    published="2026-11-24T07:15:00+01:00",
    modified="2026-11-24T09:40:00+01:00",
    section="world",
    summary="The joint venture gives the state copper company control of the Salar de Atacama from 2031.",
    body=(
        "Chile’s government has approved a joint venture between the state copper miner and the country’s largest private lithium producer, handing the state majority control of operations in the Salar de Atacama from 2031. The agreement, signed after eighteen months of negotiation, is the centrepiece of a national strategy meant to capture more of the value of the metal used in electric-car batteries.",
        "Under the deal the private partner keeps running the brine ponds until the end of its current lease, after which ownership shifts to 50 percent plus one share for the state. Royalties paid to the treasury rise on a sliding scale with lithium prices, which have swung wildly over the past three years.",
        "Indigenous communities around the salt flat, who have long complained that evaporation ponds are drawing down scarce groundwater, will receive a share of revenue and seats on a monitoring council. Several community leaders said the council lacked the power to halt pumping and promised to challenge the approval in court.",
        "Investors reacted calmly; shares in the private producer rose slightly in Santiago. Analysts said the clarity over the lease was worth more than the loss of control.",
    ),
    keywords=("Chile", "lithium", "mining", "energy transition"),
    comments=(
        Comment(
            "501",
            None,
            "Martín Fuentes",
            "2026-11-24T08:30:00+01:00",
            "Control in 2031 sounds good on paper. The question is who pays for the new direct extraction plants.",
        ),
        Comment(
            "502",
            "501",
            "Ana Quispe",
            "2026-11-24T09:02:00+01:00",
            "And whether anyone measures the water table independently. The council is advisory only.",
        ),
        Comment(
            "503",
            None,
            "J. Whitfield",
            "2026-11-24T10:15:00+01:00",
            "Sliding-scale royalties are a sensible compromise given how volatile prices have been.",
        ),
    ),
    comments_status="open",
    comment_markup="html",
    feeds=("rss",),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
)

KENYA = ArticleSpec(
    key="kenya-rail",
    cms=DRUPAL,
    path="/news/12338-kenya-rail-link-cuts-freight-times",
    title="Kenya’s new rail link cuts Mombasa freight times in half",
    authors=("Wanjiru Kamau", "David Otieno"),
    published="2026-11-22T10:00:00+01:00",
    section="world",
    summary="A freight extension from Naivasha to the Ugandan border has shortened the trip for containers from Mombasa.",
    body=(
        "Containers unloaded in Mombasa are reaching the Ugandan border in under thirty hours, half the time they took by road, after the opening of a freight extension from Naivasha to Malaba last month. Clearing agents say the line has also cut the number of checkpoints on the route from eleven to two.",
        "The extension closes the gap that left the standard-gauge railway ending in the middle of the Rift Valley for six years. Goods had to be moved on to lorries at an inland container depot there, a transfer that added cost and delay and made the railway unpopular with importers.",
        "Truck drivers along the Northern Corridor are less enthusiastic. Roadside towns that depended on overnight stops report fewer customers, and the drivers’ union says several hundred jobs have already gone. The government has promised retraining and a levy on rail freight to fund it.",
        "Uganda is under pressure to finish its own section to Kampala, which has been delayed by financing disputes. Until then containers switch to the old metre-gauge line or to road at Malaba.",
    ),
    keywords=("Kenya", "Uganda", "railways", "trade"),
    comments=(
        Comment(
            "511",
            None,
            "Peter Njoroge",
            "2026-11-22T11:20:00+01:00",
            "Used it for a shipment of tiles last week. Fast, but the booking system is still paper-based.",
        ),
        Comment(
            "512",
            "511",
            "Grace Achieng",
            "2026-11-22T12:05:00+01:00",
            "They launched an online portal on Monday, though it keeps timing out.",
        ),
        Comment(
            "513",
            "512",
            "Peter Njoroge",
            "2026-11-22T12:40:00+01:00",
            "Good to know, I will try it again for the next consignment.",
        ),
    ),
    comments_status="open",
    comment_markup="microdata",
    feeds=("atom",),
    sitemap="sitemap-1",
    news_sitemap=True,
    on_home=True,
)

LYON = ArticleSpec(
    key="lyon-cafes",
    cms=DRUPAL,
    path="/news/12333-lyon-cafe-owners-feel-the-squeeze",
    title="Lyon café owners feel the squeeze as coffee prices hit record",
    authors=("Hélène Marchand",),
    published="2026-11-20T06:30:00+01:00",
    section="world",
    summary="An espresso at the counter now costs €2.10 in central Lyon, and owners say they are still losing money.",
    body=(
        "At the Café des Célestins, a short walk from Place Bellecour, the price of an espresso at the counter went up to €2.10 this month. “I held it at €1.80 for three years,” says owner Benoît Lefèvre, “but the roaster raised his prices four times since spring.”",
        "Wholesale arabica prices have doubled in two years after poor harvests in Brazil and Vietnam, and the cost is finally reaching the zinc counters of France’s second city. Owners are caught between suppliers and customers who regard a cheap café serré as something close to a right.",
        "Some are trimming elsewhere. The Brasserie du Théâtre has stopped serving a free square of chocolate with each cup; another café near the Croix-Rousse market switched to a cheaper blend and lost regulars within a week. “People notice,” its manager says. “They always notice.”",
        "The national café owners’ federation estimates that margins on coffee have fallen to around 12 percent, from more than 30 percent before the pandemic. It is asking the government to lower the VAT rate on drinks served at the counter to 5.5 percent, a proposal the finance ministry has so far rejected.",
    ),
    keywords=("France", "coffee", "prices", "small business"),
    comments_status="none",
    feeds=("atom",),
    sitemap="sitemap-1",
    charset="windows-1252",
)

CANADA = ArticleSpec(
    key="canada-tankers",
    cms=DRUPAL,
    path="/news/12350-canada-unveils-wildfire-air-tanker-fleet",
    title="Canada unveils new fleet of wildfire air tankers",
    authors=("Marc-André Tremblay",),
    published="2026-11-19T15:10:00+01:00",
    section="world",
    summary="Ottawa will buy twenty-two amphibious water bombers and base them in five provinces.",
    body=(
        "Canada will buy twenty-two amphibious water bombers and station them at five new bases across the country, the federal government said on Thursday, after two fire seasons in which provinces repeatedly ran out of aircraft and had to borrow planes from Australia and the United States.",
        "The aircraft, which scoop water from lakes while skimming the surface, will be owned by Ottawa but flown by provincial crews. The first six are due in 2028. Officials said the fleet would be shared according to fire risk, so that planes can move west in early summer and east later in the season.",
        "Fire chiefs welcomed the purchase but said aircraft alone would not stop the largest fires, which now regularly burn through the night. They called for more money for ground crews and for controlled burns to clear dead wood around towns.",
        "The opposition criticised the cost, put at 3.1 billion Canadian dollars over ten years, and asked why the contract had not been put out to open tender.",
    ),
    keywords=("Canada", "wildfires", "aviation"),
    comments_status="none",
    feeds=("jsonfeed",),
    sitemap="sitemap-1",
    alt_paths=("/print/news/12350-canada-unveils-wildfire-air-tanker-fleet",),
)

ICELAND = ArticleSpec(
    key="iceland-bananas",
    cms=DRUPAL,
    path="/article.php?id=42&lang=en",
    title="Iceland’s geothermal greenhouses bet on bananas",
    authors=("Sigríður Jónsdóttir",),
    published="2026-11-18T12:00:00+00:00",
    section="world",
    summary="Growers in Hveragerði are expanding tropical fruit production using volcanic heat.",
    body=(
        "In the town of Hveragerði, forty kilometres east of Reykjavík, steam rises from cracks in the ground and banana plants grow under glass. The greenhouses have grown a few bunches for decades as a curiosity; now two local growers want to turn them into a business.",
        "Geothermal heat costs little here, and electricity for grow lights comes from the same volcanic system. The harder problem is space: a banana plant needs years to fruit and a lot of room, and the existing greenhouses produce only a few hundred kilograms a year.",
        "The growers plan to build a new hall of two hectares, financed partly by a regional development fund. They expect to sell to restaurants and hotels that want to offer something local to tourists, rather than to compete with imported fruit in supermarkets.",
        "Agricultural economists are sceptical. Even with free heat, they say, Icelandic bananas will cost several times as much as those shipped from Ecuador. The growers answer that tomatoes and cucumbers grown with geothermal heat were once dismissed the same way.",
    ),
    keywords=("Iceland", "agriculture", "geothermal"),
    comments_status="none",
    feeds=("jsonfeed",),
    sitemap="sitemap-1",
)

CRETE = ArticleSpec(
    key="crete-harbour",
    cms=WORDPRESS,
    path="/2026/11/02/archaeologists-map-sunken-harbour-off-crete/",
    title="Archaeologists map sunken harbour off Crete",
    authors=("Nikos Papadakis",),
    published="2026-11-02T09:00:00+00:00",
    section="world",
    summary="Divers and sonar surveys reveal breakwaters of a Minoan-era port near Malia.",
    body=(
        "Divers working off the north coast of Crete have mapped the submerged breakwaters of a harbour that archaeologists believe served the Minoan palace at Malia more than three and a half thousand years ago. The stone structures lie between three and six metres below the surface, covered in sand and sea grass.",
        "The team combined sonar surveys with photographs taken by an underwater drone to build a three-dimensional model of the site. It shows two curved moles enclosing a basin large enough for a dozen small ships, and a quay of cut limestone blocks along the former shoreline.",
        "Pottery fragments recovered from the basin include storage jars of a type traded across the Aegean, supporting the idea that Malia exported oil and wine. The harbour probably sank after an earthquake, when this stretch of coast dropped by several metres.",
        "The Greek culture ministry has declared the area a protected zone. Anchoring and diving without a permit are now banned there.",
        "Local fishermen, who have long known the stones as a hazard to nets, say they are pleased that the mystery is solved but worried about losing access to the bay.",
    ),
    comments=(
        Comment(
            "301",
            None,
            "Eleni K.",
            "2026-11-02T18:14:00+00:00",
            "I snorkelled there as a child and we always wondered about the long line of stones. Wonderful to finally know.",
        ),
        Comment(
            "302",
            "301",
            "Tom Barker",
            "2026-11-03T07:51:00+00:00",
            "Same here! We thought it was a modern jetty that had collapsed.",
        ),
    ),
    comments_status="open",
)

WORLD = (SEED, DANUBE, ROTTERDAM, NEPAL, CHILE, KENYA, LYON, CANADA, ICELAND, CRETE)
