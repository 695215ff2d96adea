"""Article metadata from meta tags, JSON-LD and markup: title, authors, canonical URL, language, tags, image."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

from crawler.extract.jsonld import ARTICLE_LD_TYPES, jsonld_objects, jsonld_types
from crawler.extract.text import normalize_line


class PageMeta:
    """Lower-cased meta name/property/itemprop -> contents, JSON-LD objects, links: read once per page."""

    def __init__(self, tree: HtmlElement, url: str) -> None:
        self.url = url
        self.values: dict[str, list[str]] = {}
        for node in tree.iter("meta"):
            key = (
                node.get("property")
                or node.get("name")
                or node.get("itemprop")
                or node.get("http-equiv")
            )
            content = node.get("content")
            if key and content and content.strip():
                if "&" in content:
                    content = html.unescape(content)
                for part in key.lower().split():
                    self.values.setdefault(part.strip(), []).append(content.strip())
        self.ld = jsonld_objects(tree)
        self.ld_articles = [o for o in self.ld if jsonld_types(o) & ARTICLE_LD_TYPES]
        self.ld_pages = [
            o for o in self.ld if jsonld_types(o) & {"webpage", "newsmediaorganization", "website"}
        ]

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.values.get(key, ()):
                if value:
                    return value
        return None

    def all(self, *keys: str) -> list[str]:
        return [v for key in keys for v in self.values.get(key, ())]

    def ld_first(self, *keys: str, objects: list[dict[str, Any]] | None = None) -> Any:
        for obj in self.ld_articles if objects is None else objects:
            for key in keys:
                value = obj.get(key)
                if value not in (None, "", [], {}):
                    return value
        return None


def text_value(value: Any) -> str | None:
    """A JSON-LD or meta value as one clean line of text (a name for objects), or None."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = re.sub(r"\s+", " ", value).strip()
    return value or None


def _names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [n for item in value for n in _names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if not name and (value.get("givenName") or value.get("familyName")):
            name = f"{value.get('givenName') or ''} {value.get('familyName') or ''}"
        return _names(name) if name else []
    if isinstance(value, str):
        return _split_authors(value)
    return []


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:;|\||\band\b|\bund\b|\bet\b|\by\b|&)\s*", re.I)
_AUTHOR_PREFIX_RE = re.compile(r"^(?:by|von|par|por|di|door|af)\s*:?\s+", re.I)


# news agencies credited beside reporters ("Ada Byline, Ben Second, dpa")
_AGENCIES = frozenset(
    "dpa afp ap reuters ansa efe kna epd sid apa sda ats anp belga tt ntb ritzau stt pap ctk"
    " mta hina tass xinhua kyodo yonhap aap pti ians upi bloomberg".split()
)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_NAME_RE = re.compile(
    r"^\s*(?:([\w.+-]+@[\w-]+(?:\.[\w-]+)+)\s*\(([^()]+)\)|([^<>]+?)\s*<[\w.+-]+@[^<>]+>)\s*$"
)
# credits and labels that are not people: "(Image: Getty Images)", "Foto: dpa", "Photo by ..."
_CREDIT_RE = re.compile(
    r"\b(?:image|images|photo|photos|foto|fotos|bild|picture|pictures|credit|getty|shutterstock"
    r"|istock|imago|picture alliance|illustration|grafik|video)\b\s*:?",
    re.I,
)
_DOMAIN_RE = re.compile(r"(?:www\.|\.(?:com|de|org|net|co\.uk|fr|it|es|nl|at|ch|ru|info)\b)", re.I)


def _email_name(value: str) -> str | None:
    """The person behind an e-mail author: "x@y (Jane Doe)", "Jane Doe <x@y>" or "jane.doe@y"."""
    match = _EMAIL_NAME_RE.match(value)
    if match:
        return (match.group(2) or match.group(3) or "").strip() or None
    match = _EMAIL_RE.fullmatch(value.strip())
    if match:
        parts = [p for p in re.split(r"[._-]", value.split("@", 1)[0]) if p]
        if 2 <= len(parts) <= 3 and all(p.isalpha() and len(p) > 1 for p in parts):
            return " ".join(p.capitalize() for p in parts)
    return None


def _split_authors(value: str) -> list[str]:
    value = re.sub(r"\s+", " ", value).strip()
    if not value or value.startswith(("http://", "https://")):
        return []
    if "@" in value:
        named = _email_name(value)
        if named:
            return [named]
        value = _EMAIL_RE.sub("", value).strip()
    if "(" in value:  # "Ada Byline (Image: Getty Images)": the credit goes, the name stays
        value = re.sub(
            r"\s*\([^()]*\)", lambda m: "" if _CREDIT_RE.search(m.group()) else m.group(), value
        ).strip()
    value = _AUTHOR_PREFIX_RE.sub("", value)
    parts = [p.strip(" ,.:-–|") for p in _AUTHOR_SPLIT_RE.split(value)]
    # "Jane Doe, John Roe" is two people, "Jane Doe, John Roe, dpa" three credits, "Doe, Jane" one
    out: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        full = [p for p in pieces if " " in p]
        agencies = [p for p in pieces if p.casefold() in _AGENCIES]
        if len(pieces) > 1 and (
            len(full) == len(pieces) or (full and len(full) + len(agencies) == len(pieces))
        ):
            out.extend(pieces)
        elif part:
            out.append(part)
    return [p for p in out if 1 < len(p) <= 80 and _is_person_like(p)]


def _is_person_like(name: str) -> bool:
    """Not a numeric id, not an image credit, not a web address."""
    if not any(ch.isalpha() for ch in name) or sum(ch.isdigit() for ch in name) > 2:
        return False
    return not (_CREDIT_RE.search(name) or _DOMAIN_RE.search(name))


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _image(value: Any) -> str | None:
    if isinstance(value, list):
        for item in value:
            found = _image(item)
            if found:
                return found
        return None
    if isinstance(value, dict):
        return _image(value.get("url") or value.get("contentUrl") or value.get("@id"))
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


_TITLE_SEP_RE = re.compile(r"\s+[|\-–—:·•»/]\s+|\s+::\s+")


def _clean_title(title: str | None, site_name: str | None, h1: str | None) -> str | None:
    if not title:
        return None
    title = re.sub(r"\s+", " ", title).strip()
    if h1 and normalize_line(h1) and normalize_line(h1) in normalize_line(title) and len(h1) >= 8:
        # the <title>/og:title is the h1 plus decoration
        return h1
    parts = _TITLE_SEP_RE.split(title)
    if len(parts) > 1:
        site = normalize_line(site_name or "")
        if site and (normalize_line(parts[-1]) == site or site in normalize_line(parts[-1])):
            return (
                _TITLE_SEP_RE.split(title, maxsplit=len(parts) - 2)[0]
                if len(parts) > 2
                else parts[0]
            )
        if site and normalize_line(parts[0]) == site:
            return title[title.find(parts[1]) :]
    return title


def _truncated(title: str | None) -> bool:
    return bool(title) and title.rstrip().endswith(("...", "…"))  # type: ignore[union-attr]


def _page_headline(
    meta: PageMeta, h1: str | None, title_tag: str | None, site_name: str | None
) -> str | None:
    """The page's own headline, before the social variants (og:title, twitter:title).

    og:title is often a headline rewritten for sharing, or cut short with "...": an <h1>
    that the document <title> or the JSON-LD headline confirms is the page's own.
    """
    ld = text_value(meta.ld_first("headline", "name"))
    social = meta.first("og:title", "twitter:title")
    other = meta.first("dc.title", "title", "headline")
    confirmed_h1 = None
    if h1:
        key = normalize_line(h1)
        parts = _TITLE_SEP_RE.split(title_tag or "")
        if key == normalize_line(site_name or "") or (
            len(parts) > 1 and key == normalize_line(parts[-1])
        ):
            key = ""  # the site's name (a logo in an <h1>), not a headline
        if key and any(
            source and key in normalize_line(source) for source in (title_tag, ld, other)
        ):
            confirmed_h1 = h1
    for candidate in (ld, confirmed_h1, social, other, h1, title_tag):
        if candidate and not _truncated(candidate):
            return candidate
    return ld or social or other or h1 or title_tag


def _h1(tree: HtmlElement) -> str | None:
    for node in tree.iter("h1"):
        text = re.sub(r"\s+", " ", node.text_content()).strip()
        if 3 <= len(text) <= 300:
            return text
    return None


def outside_comments(node: HtmlElement) -> bool:
    """``node`` is not inside a comment, related-articles or sidebar container."""
    for anc in node.iterancestors():
        ident = f"{anc.get('id') or ''} {anc.get('class') or ''}".lower()
        if "comment" in ident or "related" in ident or "sidebar" in ident:
            return False
    return True


# byline markup, most specific first; the first selector that finds names wins
# (words one of which the page's attributes must contain, XPath): the words spare the walk
_AUTHOR_XPATHS: tuple[tuple[tuple[str, ...], etree.XPath], ...] = tuple(
    (words, etree.XPath(x))
    for words, x in (
        (
            ("author",),
            "//*[@itemprop='author']//*[@itemprop='name'] | //*[@itemprop='author'][not(*)]",
        ),
        ((), "//a[@rel='author']"),
        (
            ("byline", "author", "vcard"),
            # [@class] first: the string tests then run only on elements that have one
            "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' byline ')"
            " or contains(concat(' ', normalize-space(@class), ' '), ' author ')"
            " or contains(concat(' ', normalize-space(@class), ' '), ' vcard ')]"
            "//*[@class][contains(concat(' ', normalize-space(@class), ' '), ' fn ')"
            " or contains(@class, 'name')]",
        ),
        (
            ("author-name", "byline__name", "authorname"),
            "//*[@class][contains(@class, 'author-name') or contains(@class, 'byline__name')"
            " or contains(@class, 'authorname')]",
        ),
    )
)


def find_authors(
    meta: PageMeta,
    tree: HtmlElement,
    hints: dict[str, Any],
    attrs: str | None = None,
    site_name: str | None = None,
) -> list[str]:
    """Author names: JSON-LD, then meta tags, then byline markup, then the discovery hint.

    The publisher (an Organization author, the site's name) is no byline: a source that
    names only it gives way to the next.
    """
    publisher = _publisher_names(meta, site_name)

    def people(found: list[str]) -> list[str]:
        return [n for n in found if normalize_line(n) not in publisher]

    value = meta.ld_first("author", "creator")
    if isinstance(value, list):
        value = [v for v in value if not _is_organisation(v)]
    elif _is_organisation(value):
        value = None
    names = people(_names(value)) if value is not None else []
    if not names:
        for key in (
            "author",
            "article:author",
            "parsely-author",
            "sailthru.author",
            "dc.creator",
            "dcterms.creator",
        ):
            for raw in meta.all(key):
                names.extend(people(_split_authors(raw)))
            if names:
                break
    for words, xpath in _AUTHOR_XPATHS:
        if names:
            break
        if words and attrs is not None and not any(word in attrs for word in words):
            continue
        for node in xpath(tree):
            if outside_comments(node):
                names.extend(people(_split_authors(node.get("content") or node.text_content())))
            if len(names) >= 5:
                break
    if not names and hints.get("author"):
        names = _names(hints["author"])
    return _dedupe([n for n in names if not n.lower().startswith(("http", "www."))])


def _publisher_names(meta: PageMeta, site_name: str | None) -> set[str]:
    """Normalised names of the publishing organisation (and its site), which are not bylines."""
    names = {site_name} if site_name else set()
    names.update(meta.all("og:site_name", "application-name"))
    for obj in meta.ld:
        if jsonld_types(obj) & {"organization", "newsmediaorganization", "website"}:
            names.add(text_value(obj.get("name")) or "")
        for key in ("publisher", "sourceOrganization"):
            names.add(text_value(obj.get(key)) or "")
    keys = {normalize_line(n) for n in names if n}
    # "STERN.de" is the publisher "stern"; "Deutsche Welle (www.dw.com)" is "Deutsche Welle"
    return {k for k in keys if k} | {
        normalize_line(re.sub(r"\(.*?\)|\.\w{2,3}$", "", n)) for n in names if n
    } - {""}


def _is_organisation(value: Any) -> bool:
    return isinstance(value, dict) and bool(
        jsonld_types(value) & {"organization", "newsmediaorganization"}
    )


def find_metadata(
    tree: HtmlElement, url: str, meta: PageMeta, hints: dict[str, Any]
) -> dict[str, Any]:
    """Title, canonical URL, language, description, section, tags, image and site name."""
    site_name = (
        meta.first("og:site_name", "application-name", "al:ios:app_name")
        or text_value(meta.ld_first("publisher", "sourceOrganization"))
        or text_value(
            meta.ld_first("name", objects=[o for o in meta.ld if jsonld_types(o) & {"website"}])
        )
    )
    h1 = _h1(tree)
    title_node = tree.find(".//title")
    title_tag = (
        re.sub(r"\s+", " ", title_node.text_content()).strip() if title_node is not None else None
    )
    raw_title = _page_headline(meta, h1, title_tag, site_name) or text_value(hints.get("title"))
    title = _clean_title(raw_title, site_name, h1)

    canonical = None
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            canonical = urljoin(url, link.get("href").strip())
            break
    canonical = (
        canonical or (urljoin(url, meta.first("og:url")) if meta.first("og:url") else None) or url
    )

    root = tree.getroottree().getroot()
    language = (
        (root.get("lang") or root.get("xml:lang") or "").strip()
        or meta.first("content-language", "og:locale", "dc.language", "language")
        or text_value(meta.ld_first("inLanguage"))
        or text_value(hints.get("language"))
    )
    if language:
        # primary subtag: "en-US" and "en_GB" are both "en"
        language = re.split(r"[-_,;\s]", language.strip())[0].lower() or None

    section = text_value(meta.ld_first("articleSection")) or meta.first(
        "article:section", "section", "parsely-section", "category", "og:article:section"
    )
    tags: list[str] = []
    keywords = meta.ld_first("keywords")
    if isinstance(keywords, str):
        tags.extend(k.strip() for k in keywords.split(","))
    elif isinstance(keywords, list):
        tags.extend(str(k).strip() for k in keywords if isinstance(k, (str, int)))
    tags.extend(meta.all("article:tag", "og:article:tag"))
    for raw in meta.all("news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
        tags.extend(k.strip() for k in re.split(r"[,;]", raw))
    if not tags:
        for link in tree.iter("a"):
            if "tag" in (link.get("rel") or "").lower().split():
                tags.append(re.sub(r"\s+", " ", link.text_content()).strip())
    tags = _dedupe([t for t in tags if t and len(t) <= 100])

    description = (
        meta.first("og:description", "description", "twitter:description", "dc.description")
        or text_value(meta.ld_first("description"))
        or None
    )
    image = meta.first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    image = image or _image(meta.ld_first("image", "thumbnailUrl"))
    return {
        "canonical_url": canonical,
        "title": title,
        "language": language,
        "description": re.sub(r"\s+", " ", description).strip() if description else None,
        "section": section,
        "tags": tags,
        "image": urljoin(url, image) if image else None,
        "site_name": site_name,
        "h1": h1,
        "raw_title": raw_title,
    }
