"""Boilerplate (cookie banners, share bars, newsletter boxes, forms) kept out of the article text."""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.text import block_text, normalize_line

# class/id tokens naming boilerplate containers; a token matches when one of these is a dash/underscore part of it
_BOILERPLATE_PARTS = (
    "cookie|cookies|cookiebanner|cookie-banner|cookie-notice|gdpr|consent|cmp|"
    "newsletter|newsletter-signup|subscribe|signup|"
    "share|sharing|sharebar|share-buttons|social-share|socialshare|shariff|addthis|sharethis|sharedaddy|"
    "related|related-posts|recommended|"
    "breadcrumb|breadcrumbs|respond|comment-respond|comment-form|commentform|reply-title|"
    "author-box|authorbox|author-bio|about-author|"
    # a blog's side column and the about/profile boxes in it or under the post
    "sidebar|about"
)
# Hot patterns match lower-cased input without re.I: case-insensitive alternation is ~10x slower.
_BOILERPLATE_TOKEN_RE = re.compile(rf"(?:^|[-_])(?:{_BOILERPLATE_PARTS})(?:$|[-_])")
_SAFE_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:article|content|body|entry|post|story|text|main)(?:$|[-_])"
)
_BOILERPLATE_ROLES = {
    "banner",
    "navigation",
    "complementary",
    "contentinfo",
    "dialog",
    "alertdialog",
    "search",
}
_ARIA_RE = re.compile(r"cookie|consent|share|newsletter|breadcrumb|advert")


_IDENT_XPATH = etree.XPath(".//*[@class or @id or @role or @aria-label]")
# cheap prefilter on class/id; the token rules in _is_boilerplate_widget decide
_BOILERPLATE_PREFILTER_RE = re.compile(
    r"cookie|gdpr|consent|cmp|newsletter|subscri|sign-?up|shar|social|shariff|addthis|related|recommended|"
    r"crumb|respond|comment-?form|reply-title|author|sidebar|about"
)


_SKIP_BOILERPLATE_TAGS = frozenset(
    ("html", "head", "body", "article", "main", "h1", "p", "script", "style", "meta", "link")
)


def _is_boilerplate_widget(el: HtmlElement) -> bool:
    """Class/id/role/aria say: cookie banner, share bar, newsletter box, related list, form..."""
    role = el.get("role")
    aria = el.get("aria-label")
    ident = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    # most elements fail here: no role/aria and no boilerplate-ish word in class or id
    if role is None and aria is None and not _BOILERPLATE_PREFILTER_RE.search(ident):
        return False
    tag = el.tag.lower() if isinstance(el.tag, str) else ""
    if not tag or tag in _SKIP_BOILERPLATE_TAGS:
        return False
    role = (role or "").lower()
    if role in _BOILERPLATE_ROLES:
        return True
    if (
        aria
        and _ARIA_RE.search(aria.lower())
        and (role == "region" or tag in ("div", "section", "aside", "nav", "ul", "form"))
    ):
        return True
    if not _BOILERPLATE_PREFILTER_RE.search(ident):
        return False
    tokens = ident.split()
    return any(_BOILERPLATE_TOKEN_RE.search(t) for t in tokens) and not any(
        _SAFE_TOKEN_RE.search(t) and not _BOILERPLATE_TOKEN_RE.search(t) for t in tokens
    )


def _boilerplate_nodes(
    tree: HtmlElement, protect: set[HtmlElement], page_text: str
) -> list[HtmlElement]:
    """Outermost boilerplate widgets; a container holding much of the page is a wrapper, not a widget."""
    body = tree.find(".//body")
    root = body if body is not None else tree
    hits = [el for el in _IDENT_XPATH(root) if el not in protect and _is_boilerplate_widget(el)]
    total = len(page_text) or 1
    out: list[HtmlElement] = []
    accepted: set[HtmlElement] = set()
    for el in hits:  # document order: a rejected wrapper leaves its inner widgets eligible
        if any(anc in accepted for anc in el.iterancestors()):
            continue
        size = len(el.text_content())
        if size > 0.25 * total and size > 400:
            continue
        if el.xpath(".//*[@itemprop='articleBody']") or any(p in protect for p in el.iter("h1")):
            continue
        accepted.add(el)
        out.append(el)
    return out


class BoilerplateLines:
    """Lines that occur on the page only inside boilerplate widgets.

    Membership is verified lazily, only for lines the main text actually contains: a line
    also found outside the widgets (a subheading repeated in a "related" box) stays.
    """

    def __init__(self, tree: HtmlElement) -> None:
        body = tree.find(".//body")
        self.page = _collapse_ws((body if body is not None else tree).text_content())
        nodes = _boilerplate_nodes(tree, set(tree.iter("h1")), self.page)
        self.inside = [_collapse_ws(node.text_content()) for node in nodes]
        self.candidates: dict[str, str] = {}
        for node in nodes:
            for line in block_text(node).split("\n"):
                line = " ".join(line.split())
                norm = normalize_line(line)
                if norm and norm not in self.candidates:
                    self.candidates[norm] = line
        self._verdicts: dict[str, bool] = {}

    def __contains__(self, norm: object) -> bool:
        if not isinstance(norm, str) or norm not in self.candidates:
            return False
        if norm not in self._verdicts:
            line = self.candidates[norm]
            self._verdicts[norm] = self.page.count(line) <= sum(
                chunk.count(line) for chunk in self.inside
            )
        return self._verdicts[norm]


def _collapse_ws(text: str) -> str:
    """``re.sub(r"\\s+", " ", text)``, three times faster (whole pages go through it)."""
    out = " ".join(text.split())
    if not out:
        return " " if text else ""
    if text[0].isspace():
        out = " " + out
    if text[-1].isspace():
        out += " "
    return out


_BOILERPLATE_LINE_RE = re.compile(
    r"^(?:"
    # comment forms
    r"(?:leave|post|write|add|submit|join) (?:a|your|the|new) (?:comment|reply|response)s?|"
    r"(?:leave|post|write) a comment(?: cancel reply)?|cancel reply|reply to this comment|"
    r"(?:\d+ )?(?:comments?|responses?|replies)(?: \(\d+\))?|no comments(?: yet)?|be the first to comment|"
    r".*your email address will not be published.*|.*required fields are marked.*|"
    r"save my name, email,? and website in this browser.*|notify me of (?:new |follow-?up )?(?:comments|replies|posts).*|"
    r"you (?:may|can) use these html tags(?: and attributes)?.*|"
    r"(?:this is only a preview\. )?your comment (?:has not yet been posted|could not be posted).*|"
    r"as a final step before posting your comment.*|having trouble reading this image\?.*|"
    # a blog's trackback box: the label, its URL, the heading over the linking posts
    r"trackback url for this (?:entry|post)|https?://\S+/trackback/\S*|"
    r"listed below are links to (?:weblogs|blogs|sites|posts) that reference .*|"
    r"this site uses akismet to reduce spam.*|you must be logged in to post a comment.*|"
    r"comments? (?:are|is) closed.*|log in to (?:comment|reply)|"
    r"hinterlasse(?:n sie)? (?:einen|eine) (?:kommentar|antwort)|kommentar (?:schreiben|verfassen|hinzufügen)|"
    r".*e-mail-adresse wird nicht veröffentlicht.*|erforderliche felder sind mit .* markiert.*|"
    r"laisser un commentaire|votre adresse (?:e-mail|de messagerie) ne sera pas publiée.*|"
    r"deja un comentario|tu dirección de correo electrónico no será publicada.*|"
    # cookies
    r".*(?:we|this (?:web)?site) uses? cookies.*|(?:accept|allow|reject|manage) (?:all )?cookies|cookie (?:settings|policy|preferences)|"
    r".*diese (?:web)?seite verwendet cookies.*|.*wir verwenden cookies.*|"
    # share / newsletter / follow
    r"share(?: this)?(?: article| story| post| page)?(?: on| via)?(?: facebook| twitter| x| linkedin| whatsapp| email)?|"
    r"click to (?:share|email|print) .*|(?:share|teilen)(?: on| auf)? (?:facebook|twitter|linkedin|whatsapp|pinterest|e-?mail)|"
    r"(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|email|e-mail|print|x)(?: ?[|,/·•] ?(?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|email|e-mail|print|x))+|"
    r"tweet|pin it|like this:?|share this:?|teilen:?|artikel teilen|diesen artikel teilen|"
    r"(?:sign up|subscribe|register) (?:for|to) (?:our|the) (?:free )?(?:daily |weekly )?newsletters?.*|"
    r"newsletter (?:abonnieren|bestellen|anmelden)|jetzt (?:newsletter )?abonnieren|"
    r"follow us on .*|related (?:articles|posts|stories)|(?:previous|next|older|newer) (?:post|article|entry|story):? .{0,150}|you (?:may|might) also like|read more:?|advertisement|anzeige|"
    r"skip to (?:main )?content|zum inhalt springen|"
    # an embedded post's attribution line, a video player's notices
    r"[—–-] ?.{1,80}\(@\w{1,15}\) ?(?:[a-zé]+ \d{1,2},? \d{4}|\d{1,2} [a-zé]+ \d{4})|"
    r"this video is (?:unavailable|not available).*|your browser does not support (?:the )?(?:video|audio).*|"
    # copyright and reprint notices
    r"(?:copyright|©|\(c\)).{0,150}(?:all rights reserved|alle rechte vorbehalten)|"
    r".*this (?:copy|article) is for your personal,? non-?commercial use only.*"
    r")[\s.!:*]*$"
)
# A list item that ends with a "Read more" link (and maybe a date): a teaser of another page.
_TEASER_ITEM_RE = re.compile(
    r"^- .{10,}(?:read more|continue reading|read the rest|weiterlesen|lire la suite|leer más)"
    r"[\s.…»›→>:)\]-]*(?:\d{4}-\d\d-\d\d|\d{1,2}[./]\d{1,2}[./]\d{2,4}|[a-zé]+ \d{1,2},? \d{4})?\s*$"
)
_BREADCRUMB_SEP_RE = re.compile(r"\s*(?:›|»|>|→|/|\||·|•|::)\s*")


def _is_kicker(line: str) -> bool:
    """A short label line: few words, no sentence punctuation at its end."""
    return (
        len(line) <= 60
        and len(line.split()) <= 6
        and not line.rstrip().endswith((".", "!", "?", '"', "”"))
    )


def clean_lines(
    text: str, headlines: list[str], comment_texts: set[str], boiler_lines: BoilerplateLines | None
) -> list[str]:
    """Trafilatura's lines minus headline copies, boilerplate lines, comment text and repeats."""
    heads = {h for h in (normalize_line(x) for x in headlines if x) if len(h) >= 5}
    out: list[str] = []
    last = ""
    widget_chars = 0
    for raw in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", raw).strip()
        if not line:
            continue
        norm = normalize_line(line)
        if not norm:
            continue
        if norm in heads or (
            not out
            and any(norm.endswith(h) and _is_kicker(norm[: len(norm) - len(h)]) for h in heads)
        ):
            if out and len(out) <= 2 and all(_is_kicker(k) for k in out):
                # a kicker ("Climate crisis", "Exclusive") above the headline at the top
                out.clear()
                last = ""
            continue
        if len(line) < 300 and heads and any(h in norm for h in heads):
            parts = [p for p in _BREADCRUMB_SEP_RE.split(line) if p.strip()]
            if len(parts) > 1 or norm.startswith(("home", "startseite", "accueil", "inicio")):
                continue
        if len(line) < 300 and _BOILERPLATE_LINE_RE.match(line.lower()):
            continue
        if len(line) < 600 and line.startswith("- ") and _TEASER_ITEM_RE.match(line.lower()):
            continue
        if comment_texts and norm in comment_texts:
            continue
        if boiler_lines is not None and norm in boiler_lines:
            widget_chars += len(line)
            continue
        if norm == last:
            continue
        last = norm
        out.append(line)
    if widget_chars > BOILERPLATE_MAX_SHARE * len(text):
        # the "widget" holds most of the article: a page naming its main column like a side
        # one ("st-sidebar__content"); its lines are the article's
        return clean_lines(text, headlines, comment_texts, None)
    return out


# Boilerplate widgets' lines never make up more than this share of the text (two thirds).
BOILERPLATE_MAX_SHARE = 2 / 3
