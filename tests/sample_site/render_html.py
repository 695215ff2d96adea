"""HTML pages of the sample site: home, sections, the two article CMS styles, misc pages."""

from __future__ import annotations

import json
import logging
from html import escape
from urllib.parse import quote

from .catalog import (
    ABOUT_PATH,
    FEEDS,
    NOT_FOUND_PATH,
    PRIVATE_PATH,
    SECTIONS,
    SITE_NAME,
    TRACKED_KEY,
    TRACKING_QUERY,
    by_key,
    newest_first,
    parse_date,
    section_link_path,
    section_page_path,
    section_pages,
)
from .model import DRUPAL, ArticleSpec, Comment

logger = logging.getLogger(__name__)

STYLE = (
    "body{font-family:Georgia,serif;margin:0 auto;max-width:60rem}"
    ".cookie-banner{position:fixed;bottom:0;background:#222;color:#fff;padding:1em}"
    ".visually-hidden{position:absolute;clip:rect(0 0 0 0)}"
)

COOKIE_BANNER = """<div id="cookie-notice" class="cookie-banner" role="dialog" aria-live="polite">
<p>We use cookies to improve your experience, to measure audiences and to show you
personalised advertising. By clicking “Accept all” you agree to our use of cookies.</p>
<button type="button" class="cookie-accept">Accept all</button>
<button type="button" class="cookie-reject">Reject non-essential</button>
<a href="/about/#privacy">Privacy policy</a>
</div>"""

NEWSLETTER = """<div class="newsletter-signup">
<h3>Get the Morning Briefing</h3>
<p>Subscribe to our newsletter for the day’s top stories, delivered at 6am.</p>
<form action="/newsletter/subscribe" method="post">
<input type="email" name="email" placeholder="Your email address">
<button type="submit">Sign up</button>
</form>
</div>"""

COOKIE_SCRIPT = """<script>
document.querySelectorAll('.cookie-accept,.cookie-reject').forEach(function (b) {
  b.addEventListener('click', function () {
    document.cookie = 'consent=' + (b.className === 'cookie-accept' ? 'all' : 'essential') + ';path=/';
    document.getElementById('cookie-notice').remove();
  });
});
</script>"""


def human_date(value: str) -> str:
    return parse_date(value).strftime("%B %-d, %Y")


def human_datetime(value: str) -> str:
    parsed = parse_date(value)
    return parsed.strftime("%B %-d, %Y at %-I:%M ") + parsed.strftime("%p").lower()


def menu() -> str:
    items = ['<li class="menu-item"><a href="/">Home</a></li>']
    for slug, name in SECTIONS.items():
        items.append(f'<li class="menu-item"><a href="/{slug}/">{name}</a></li>')
    items.append(f'<li class="menu-item"><a href="{ABOUT_PATH}">About us</a></li>')
    return '<ul class="menu">' + "".join(items) + "</ul>"


def site_footer(wordpress: bool) -> str:
    powered = (
        '<a href="https://wordpress.org/">Proudly powered by WordPress</a>'
        if wordpress
        else "Powered by Drupal"
    )
    return f"""<footer id="colophon" class="site-footer" role="contentinfo">
<nav class="footer-menu">{menu()}</nav>
<p class="feeds"><a href="{FEEDS["rss"]}">RSS</a> · <a href="{FEEDS["atom"]}">Atom</a> ·
<a href="{FEEDS["jsonfeed"]}">JSON Feed</a></p>
<p class="site-info">© 2026 {SITE_NAME}. All rights reserved. {powered}</p>
</footer>"""


def share_buttons(url: str, title: str, print_path: str | None = None) -> str:
    u = quote(url, safe="")
    t = quote(title, safe="")
    links = [
        f'<li><a class="share-facebook" href="https://www.facebook.com/sharer/sharer.php?u={u}" '
        'rel="nofollow noopener" target="_blank">Share on Facebook</a></li>',
        f'<li><a class="share-x" href="https://x.com/intent/tweet?url={u}&amp;text={t}" '
        'rel="nofollow noopener" target="_blank">Share on X</a></li>',
        f'<li><a class="share-whatsapp" href="https://wa.me/?text={t}%20{u}" '
        'rel="nofollow noopener" target="_blank">Share on WhatsApp</a></li>',
        f'<li><a class="share-email" href="mailto:?subject={t}&amp;body={u}">Share by email</a></li>',
    ]
    if print_path:
        links.append(f'<li><a class="share-print" href="{print_path}">Print this article</a></li>')
    return (
        '<div class="sharedaddy sd-sharing"><h3 class="sd-title">Share this:</h3><ul>'
        + "".join(links)
        + "</ul></div>"
    )


def related_block(article: ArticleSpec, articles: list[ArticleSpec]) -> str:
    if not article.related:
        return ""
    items = []
    for ref in article.related:
        if ref.startswith("/"):
            title = "Harbour authority denies smuggling report"
            items.append(f'<li><a href="{ref}">{escape(title)}</a></li>')
        else:
            other = by_key(ref, articles)
            items.append(f'<li><a href="{other.path}">{escape(other.title)}</a></li>')
    return (
        '<section class="related-posts"><h3>Related articles</h3><ul>'
        + "".join(items)
        + "</ul></section>"
    )


def body_html(article: ArticleSpec, page: int = 1) -> str:
    parts = []
    for para in article.body_of_page(page):
        if para.startswith("## "):
            parts.append(f"<h2>{escape(para[3:])}</h2>")
        else:
            parts.append(f"<p>{escape(para)}</p>")
    return "\n".join(parts)


def head_common(article: ArticleSpec, base: str, title_suffix: str) -> str:
    canonical = base + article.path
    lines = [
        f"<title>{escape(article.title)}{title_suffix}</title>",
        f'<meta name="description" content="{escape(article.summary)}">',
        f'<link rel="canonical" href="{escape(canonical)}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{escape(article.title)}">',
        f'<meta property="og:description" content="{escape(article.summary)}">',
        f'<meta property="og:url" content="{escape(canonical)}">',
        '<meta property="og:locale" content="en_US">',
    ]
    if article.date_in_page:
        lines.append(f'<meta property="article:published_time" content="{article.published}">')
        if article.modified:
            lines.append(f'<meta property="article:modified_time" content="{article.modified}">')
    lines.append(f'<meta property="article:section" content="{SECTIONS[article.section]}">')
    for tag in article.keywords:
        lines.append(f'<meta property="article:tag" content="{escape(tag)}">')
    lines.append('<meta name="twitter:card" content="summary_large_image">')
    lines.append(f'<meta name="twitter:title" content="{escape(article.title)}">')
    lines.append(
        f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} » Feed" '
        f'href="{base}{FEEDS["rss"]}">'
    )
    lines.append(f"<style>{STYLE}</style>")
    return "\n".join(lines)


# --------------------------------------------------------------------------- WordPress


def wp_comment(
    comment: Comment, children: dict[str | None, list[Comment]], url: str, depth: int
) -> str:
    parity = "even" if depth % 2 else "odd"
    kids = children.get(comment.id, [])
    cls = f"comment {parity} depth-{depth}" + (" parent" if kids else "")
    inner = "".join(wp_comment(c, children, url, depth + 1) for c in kids)
    nested = f'\n<ul class="children">\n{inner}</ul>' if kids else ""
    return f"""<li class="{cls}" id="comment-{comment.id}">
<article id="div-comment-{comment.id}" class="comment-body">
<footer class="comment-meta">
<div class="comment-author vcard"><img alt="" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" class="avatar avatar-32 photo" height="32" width="32"> <b class="fn">{escape(comment.author)}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{escape(url)}#comment-{comment.id}"><time datetime="{comment.published}">{human_datetime(comment.published)}</time></a></div>
</footer>
<div class="comment-content"><p>{escape(comment.text)}</p></div>
<div class="reply"><a rel="nofollow" class="comment-reply-link" href="{escape(url)}?replytocom={comment.id}#respond" data-commentid="{comment.id}" aria-label="Reply to {escape(comment.author)}">Reply</a></div>
</article>{nested}
</li>
"""


WP_FORM = """<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">{reply_title} <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form" novalidate>
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>
<p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label> <textarea id="comment" name="comment" cols="45" rows="8" maxlength="65525" required></textarea></p>
<p class="comment-form-author"><label for="author">Name <span class="required">*</span></label> <input id="author" name="author" type="text" size="30" maxlength="245" autocomplete="name" required></p>
<p class="comment-form-email"><label for="email">Email <span class="required">*</span></label> <input id="email" name="email" type="email" size="30" maxlength="100" aria-describedby="email-notes" autocomplete="email" required></p>
<p class="comment-form-url"><label for="url">Website</label> <input id="url" name="url" type="url" size="30" maxlength="200" autocomplete="url"></p>
<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" name="wp-comment-cookies-consent" type="checkbox" value="yes"> <label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"> <input type="hidden" name="comment_post_ID" value="{post_id}" id="comment_post_ID"> <input type="hidden" name="comment_parent" id="comment_parent" value="0"></p>
</form>
</div>"""

DISQUS = """<div id="disqus_thread"></div>
<script>
var disqus_config = function () {{
  this.page.url = "{url}";
  this.page.identifier = "post-{post_id}";
}};
(function () {{
  var d = document, s = d.createElement('script');
  s.src = 'https://meridianpost.disqus.com/embed.js';
  s.setAttribute('data-timestamp', +new Date());
  (d.head || d.body).appendChild(s);
}})();
</script>
<noscript>Please enable JavaScript to view the <a href="https://disqus.com/?ref_noscript" rel="nofollow">comments powered by Disqus.</a></noscript>"""


def post_id(article: ArticleSpec) -> int:
    return 4000 + sum(ord(c) for c in article.key)


def page_links(article: ArticleSpec, base: str, page: int) -> str:
    """WordPress's wp_link_pages() pager of a post split with <!--nextpage-->."""
    if article.page_count == 1:
        return ""
    items = []
    for number in range(1, article.page_count + 1):
        if number == page:
            items.append(
                f'<span class="post-page-numbers current" aria-current="page">{number}</span>'
            )
        else:
            href = base + article.page_path(number)
            items.append(f'<a href="{href}" class="post-page-numbers">{number}</a>')
    return f'<div class="page-links">Pages: {" ".join(items)}</div>'


def page_head_links(article: ArticleSpec, base: str, page: int) -> str:
    links = []
    if page > 1:
        links.append(f'<link rel="prev" href="{base}{article.page_path(page - 1)}">')
    if page < article.page_count:
        links.append(f'<link rel="next" href="{base}{article.page_path(page + 1)}">')
    return "\n".join(links)


def post_navigation(article: ArticleSpec, base: str, articles: list[ArticleSpec]) -> str:
    """The "next post" link: rel=next to another article, not a page of this one."""
    if not article.next_post:
        return ""
    title = next((a.title for a in articles if a.path == article.next_post), "Next post")
    return (
        '<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">'
        f'<div class="nav-next"><a href="{base}{article.next_post}" rel="next">'
        f'<span class="meta-nav">Next post</span> <span class="post-title">{escape(title)}</span>'
        "</a></div></div></nav>"
    )


def comment_navigation(article: ArticleSpec, base: str, page: int) -> str:
    """WordPress's comment pager: older and newer comments (paged comments, oldest first)."""
    if article.comment_page_count == 1:
        return ""
    links = []
    if page > 1:
        older = base + article.comment_page_path(page - 1)
        links.append(
            f'<div class="nav-previous"><a href="{older}#comments">Older comments</a></div>'
        )
    if page < article.comment_page_count:
        newer = base + article.comment_page_path(page + 1)
        links.append(f'<div class="nav-next"><a href="{newer}#comments">Newer comments</a></div>')
    return (
        '<nav class="navigation comment-navigation" aria-label="Comments">'
        f'<div class="nav-links">{"".join(links)}</div></nav>'
    )


def wp_comments(article: ArticleSpec, url: str, comment_page: int = 1, base: str = "") -> str:
    status = article.comments_status
    if status == "none":
        return ""
    if status == "not_in_html":
        return DISQUS.format(url=url, post_id=post_id(article))
    parts = ['<div id="comments" class="comments-area">']
    if article.comments:
        n = len(article.comments)
        label = (
            f"One thought on “{escape(article.title)}”"
            if n == 1
            else f"{n} thoughts on “{escape(article.title)}”"
        )
        shown = article.comments_shown(comment_page)
        ids = {c.id for c in shown}
        children: dict[str | None, list[Comment]] = {}
        for c in shown:
            children.setdefault(c.parent_id if c.parent_id in ids else None, []).append(c)
        parts.append(f'<h2 class="comments-title">{label}</h2>')
        parts.append(comment_navigation(article, base, comment_page))
        parts.append('<ol class="commentlist">')
        parts.extend(wp_comment(c, children, url, 1) for c in children.get(None, []))
        parts.append("</ol>")
        parts.append(comment_navigation(article, base, comment_page))
    if status == "closed":
        parts.append('<p class="no-comments">Comments are closed.</p>')
    else:
        parts.append(WP_FORM.format(reply_title=article.reply_title, post_id=post_id(article)))
    parts.append("</div>")
    return "\n".join(parts)


def wordpress_article(
    article: ArticleSpec,
    base: str,
    articles: list[ArticleSpec],
    page: int = 1,
    comment_page: int = 1,
) -> str:
    url = base + article.path
    # this page's own URL: where its comments' permalinks point
    here = base + (
        article.comment_page_path(comment_page) if comment_page > 1 else article.page_path(page)
    )
    section_name = SECTIONS[article.section]
    authors = " and ".join(
        f'<span class="author vcard"><span class="fn n">{escape(a)}</span></span>'
        for a in article.authors
    )
    if article.date_in_page:
        times = f'<time class="entry-date published" datetime="{article.published}">{human_date(article.published)}</time>'
        if article.modified:
            times += f'<time class="updated" datetime="{article.modified}">{human_date(article.modified)}</time>'
        posted = (
            f'<span class="posted-on">Posted on <a href="{url}" rel="bookmark">{times}</a></span> '
        )
    else:
        posted = ""
    pid = post_id(article)
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{head_common(article, base, f" – {SITE_NAME}")}
{page_head_links(article, base, page)}
<meta name="generator" content="WordPress 6.7">
</head>
<body class="post-template-default single single-post postid-{pid} single-format-standard">
{COOKIE_BANNER}
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header">
<p class="site-title"><a href="{base}/" rel="home">{SITE_NAME}</a></p>
<p class="site-description">Independent news since 1998</p>
<nav id="site-navigation" class="main-navigation">{menu()}</nav>
</header>
<nav class="breadcrumb" aria-label="Breadcrumb"><a href="{base}/">Home</a> » <a href="{base}/{article.section}/">{section_name}</a> » <span class="breadcrumb_last" aria-current="page">{escape(article.title)}</span></nav>
<div id="content" class="site-content">
<main id="main" class="site-main">
<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard hentry category-{article.section}">
<header class="entry-header">
<h1 class="entry-title">{escape(article.title)}</h1>
<div class="entry-meta">{posted}<span class="byline"> by {authors}</span></div>
</header>
<div class="entry-content">
{body_html(article, page)}
{page_links(article, base, page)}
</div>
{share_buttons(url, article.title)}
<footer class="entry-footer"><span class="cat-links">Posted in <a href="{base}/{article.section}/" rel="category tag">{section_name}</a></span></footer>
</article>
{post_navigation(article, base, articles)}
{NEWSLETTER}
{related_block(article, articles)}
{wp_comments(article, here, comment_page, base)}
</main>
</div>
{site_footer(True)}
</div>
{COOKIE_SCRIPT}
</body>
</html>
"""


# --------------------------------------------------------------------------- Drupal


def node_id(article: ArticleSpec) -> str:
    if article.path.startswith("/news/"):
        return article.path.split("/")[2].split("-")[0]
    return "9042"


def jsonld(article: ArticleSpec, base: str) -> str:
    url = base + article.path
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url + "#article",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.published,
        "dateModified": article.modified or article.published,
        "author": [{"@type": "Person", "name": a} for a in article.authors],
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": SITE_NAME,
            "url": base + "/",
        },
        "articleSection": SECTIONS[article.section],
        "keywords": ", ".join(article.keywords),
        "inLanguage": "en",
    }
    if article.comment_markup == "jsonld" and article.comments:
        data["commentCount"] = len(article.comments)
        data["comment"] = [
            {
                "@type": "Comment",
                "@id": f"{url}#comment-{c.id}",
                "author": {"@type": "Person", "name": c.author},
                "dateCreated": c.published,
                "text": c.text,
                **({"parentItem": {"@id": f"{url}#comment-{c.parent_id}"}} if c.parent_id else {}),
            }
            for c in article.comments
        ]
    # ensure_ascii keeps the JSON-LD pure ASCII, whatever the page's charset.
    return json.dumps(data, indent=1, ensure_ascii=True)


def drupal_comment(comment: Comment, article: ArticleSpec, url: str, microdata: bool) -> str:
    md_article = ' itemscope itemtype="https://schema.org/Comment"' if microdata else ""
    md_author = (
        ' itemprop="author" itemscope itemtype="https://schema.org/Person"' if microdata else ""
    )
    md_name = ' itemprop="name"' if microdata else ""
    md_date = ' itemprop="dateCreated"' if microdata else ""
    md_text = ' itemprop="text"' if microdata else ""
    md_url = ' itemprop="url"' if microdata else ""
    when = parse_date(comment.published).strftime("%a, %d/%m/%Y - %H:%M")
    return f"""<article data-comment-user-id="0" id="comment-{comment.id}" class="comment js-comment by-anonymous" role="article"{md_article}>
<span class="hidden" data-comment-timestamp="{int(parse_date(comment.published).timestamp())}"></span>
<div class="comment__text-wrapper">
<footer class="comment__meta">
<p class="comment__author"><span{md_author}><span{md_name}>{escape(comment.author)}</span></span></p>
<p class="comment__time"><time datetime="{comment.published}"{md_date}>{when}</time></p>
<p class="comment__permalink visually-hidden"><a href="{escape(url)}#comment-{comment.id}"{md_url} hreflang="en">Permalink</a></p>
</footer>
<div class="comment__content"><div class="field field--name-comment-body field__item"{md_text}><p>{escape(comment.text)}</p></div>
<ul class="links inline comment__links"><li class="comment-reply"><a href="#comment-form">Reply</a></li></ul>
</div>
</div>
</article>
"""


def drupal_thread(
    parent: str | None, children: dict[str | None, list[Comment]], article: ArticleSpec, url: str
) -> str:
    out = []
    for c in children.get(parent, []):
        out.append(drupal_comment(c, article, url, article.comment_markup == "microdata"))
        if c.id in children:
            out.append(
                '<div class="indented">\n'
                + drupal_thread(c.id, children, article, url)
                + "</div>\n"
            )
    return "".join(out)


DRUPAL_FORM = """<h2 class="add-comment__heading">Add new comment</h2>
<form class="comment-comment-form comment-form" id="comment-form" data-drupal-selector="comment-form" action="/comment/reply/node/{nid}/comment" method="post" accept-charset="UTF-8">
<div class="form-item form-item-name"><label for="edit-name">Your name</label><input type="text" id="edit-name" name="name" size="30" maxlength="60" class="form-text"></div>
<div class="form-item form-item-comment-body"><label for="edit-comment-body" class="form-required">Comment</label><textarea id="edit-comment-body" name="comment_body[0][value]" rows="5" cols="60" class="form-textarea required" required></textarea></div>
<p class="description">Your email address will not be published. Required fields are marked *</p>
<div class="form-actions"><input type="submit" id="edit-submit" name="op" value="Save" class="button button--primary"> <input type="submit" id="edit-preview" name="op" value="Preview" class="button"></div>
</form>"""


def drupal_comments(article: ArticleSpec, url: str) -> str:
    if article.comments_status in ("none", "not_in_html"):
        return ""
    children: dict[str | None, list[Comment]] = {}
    for c in article.comments:
        children.setdefault(c.parent_id, []).append(c)
    parts = ['<section class="comments" data-drupal-selector="comments">']
    if article.comments:
        parts.append('<h2 class="comments__title">Comments</h2>')
        parts.append(drupal_thread(None, children, article, url))
    if article.comments_status == "open":
        parts.append(DRUPAL_FORM.format(nid=node_id(article)))
    else:
        parts.append('<p class="comments-closed">Comments are closed.</p>')
    parts.append("</section>")
    return "\n".join(parts)


def drupal_article(article: ArticleSpec, base: str, articles: list[ArticleSpec]) -> str:
    url = base + article.path
    nid = node_id(article)
    section_name = SECTIONS[article.section]
    created = parse_date(article.published).strftime("%-d %B %Y - %H:%M")
    byline = ", ".join(escape(a) for a in article.authors)
    tags = "".join(
        f'<div class="field__item"><span class="tag">{escape(k)}</span></div>'
        for k in article.keywords
    )
    charset = article.charset
    print_path = article.alt_paths[0] if article.alt_paths else None
    return f"""<!DOCTYPE html>
<html lang="en" dir="ltr" prefix="og: https://ogp.me/ns#">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="Generator" content="Drupal 10 (https://www.drupal.org)">
{head_common(article, base, f" | {SITE_NAME}")}
<script type="application/ld+json">{jsonld(article, base)}</script>
</head>
<body class="path-node page-node-type-article">
<a href="#main-content" class="visually-hidden focusable skip-link">Skip to main content</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>
{COOKIE_BANNER}
<header class="site-header" role="banner">
<div class="site-branding"><a href="/" rel="home" class="site-branding__name">{SITE_NAME}</a></div>
<nav role="navigation" aria-labelledby="block-main-menu" class="block block-menu navigation menu--main">{menu()}</nav>
</header>
<div class="region region-breadcrumb"><nav class="breadcrumb" role="navigation" aria-labelledby="system-breadcrumb"><h2 id="system-breadcrumb" class="visually-hidden">Breadcrumb</h2>
<ol><li><a href="/">Home</a></li><li><a href="/{article.section}/">{section_name}</a></li><li>{escape(article.title)}</li></ol></nav></div>
<main role="main" class="main-content"><a id="main-content" tabindex="-1"></a>
<div class="region region-content">
<article role="article" data-history-node-id="{nid}" class="node node--type-article node--promoted node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title field--type-string">{escape(article.title)}</span></h1>
<div class="node__meta"><span class="field field--name-uid">By {byline}</span> | <span class="field field--name-created"><time datetime="{article.published}">{created}</time></span></div>
<div class="node__content">
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field__item">
{body_html(article)}
</div>
<div class="field field--name-field-tags field--type-entity-reference"><div class="field__label">Tags</div><div class="field__items">{tags}</div></div>
</div>
{share_buttons(url, article.title, print_path)}
{drupal_comments(article, url)}
</article>
</div>
{NEWSLETTER}
{related_block(article, articles)}
</main>
{site_footer(False)}
</div>
{COOKIE_SCRIPT}
</body>
</html>
"""


def article_page(
    article: ArticleSpec,
    base: str,
    articles: list[ArticleSpec],
    page: int = 1,
    comment_page: int = 1,
) -> str:
    """The article's page ``page`` (its text pages) or comment page ``comment_page``."""
    if article.cms == DRUPAL:
        return drupal_article(article, base, articles)
    return wordpress_article(article, base, articles, page, comment_page)


def further_pages(
    article: ArticleSpec, base: str, articles: list[ArticleSpec]
) -> list[tuple[str, str, str]]:
    """``(path, kind, html)`` of the article's further text pages, then its comment pages."""
    out = [
        (article.page_path(n), "text", article_page(article, base, articles, page=n))
        for n in range(2, article.page_count + 1)
    ]
    out += [
        (
            article.comment_page_path(n),
            "comments",
            article_page(article, base, articles, comment_page=n),
        )
        for n in range(2, article.comment_page_count + 1)
    ]
    return out


# --------------------------------------------------------------------------- listings


def page_shell(title: str, base: str, main: str, extra_head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} » Feed" href="{base}{FEEDS["rss"]}">
<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} » Atom" href="{base}{FEEDS["atom"]}">
<link rel="alternate" type="application/feed+json" title="{SITE_NAME} » JSON Feed" href="{base}{FEEDS["jsonfeed"]}">
{extra_head}<style>{STYLE}</style>
</head>
<body>
{COOKIE_BANNER}
<header id="masthead" class="site-header">
<p class="site-title"><a href="/" rel="home">{SITE_NAME}</a></p>
<nav id="site-navigation" class="main-navigation">{menu()}</nav>
</header>
<main id="main" class="site-main">
{main}
</main>
{NEWSLETTER}
{site_footer(True)}
{COOKIE_SCRIPT}
</body>
</html>
"""


def teaser(article: ArticleSpec, href: str) -> str:
    date = (
        f'<time datetime="{article.published}">{human_date(article.published)}</time>'
        if article.date_in_page
        else ""
    )
    return f"""<article class="teaser teaser--{article.section}">
<h2 class="teaser__title"><a href="{escape(href)}">{escape(article.title)}</a></h2>
<p class="teaser__meta">{date} <span class="byline">{escape(", ".join(article.authors))}</span></p>
<p class="teaser__summary">{escape(article.summary)}</p>
</article>"""


def home_page(base: str, articles: list[ArticleSpec]) -> str:
    from .catalog import HOME_LIMIT

    latest = newest_first([a for a in articles if a.on_home])[:HOME_LIMIT]
    tracked = by_key(TRACKED_KEY, articles)
    sections = "".join(f'<li><a href="/{slug}/">{name}</a></li>' for slug, name in SECTIONS.items())
    main = f"""<h1 class="screen-reader-text">{SITE_NAME}: latest news</h1>
<section class="latest"><h2>Latest news</h2>
{"".join(teaser(a, base + a.path) for a in latest)}
</section>
<section class="editors-pick"><h2>Editor’s pick</h2>
{teaser(tracked, tracked.path + "?" + TRACKING_QUERY)}
</section>
<section class="sections"><h2>Sections</h2><ul>{sections}</ul></section>
<section class="archive"><h2>From the archive</h2><ul>
<li><a href="{NOT_FOUND_PATH}">Harbour authority denies smuggling report</a></li>
</ul></section>
<aside class="staff"><a href="{PRIVATE_PATH}">Staff notes (internal)</a></aside>"""
    return page_shell(f"{SITE_NAME} – Independent news since 1998", base, main)


def section_page(section: str, number: int, base: str, articles: list[ArticleSpec]) -> str | None:
    pages = section_pages(section, articles)
    if not 1 <= number <= len(pages):
        return None
    name = SECTIONS[section]
    items = "\n".join(teaser(a, section_link_path(a)) for a in pages[number - 1])
    links = []
    head = []
    if number > 1:
        prev = section_page_path(section, number - 1)
        links.append(f'<a class="prev page-numbers" rel="prev" href="{prev}">« Newer stories</a>')
        head.append(f'<link rel="prev" href="{base}{prev}">')
    if number < len(pages):
        nxt = section_page_path(section, number + 1)
        links.append(f'<a class="next page-numbers" rel="next" href="{nxt}">Older stories »</a>')
        head.append(f'<link rel="next" href="{base}{nxt}">')
    title = f"{name} – {SITE_NAME}" if number == 1 else f"{name} – Page {number} – {SITE_NAME}"
    main = f"""<header class="page-header"><h1 class="page-title">{name}</h1></header>
{items}
<nav class="navigation pagination" aria-label="Posts"><span class="page-numbers current">Page {number} of {len(pages)}</span> {" ".join(links)}</nav>"""
    return page_shell(title, base, main, "\n".join(head) + "\n")


def about_page(base: str) -> str:
    main = f"""<article class="page"><h1>About us</h1>
<p>{SITE_NAME} is an independent newsroom covering world affairs and science.</p>
<h2 id="privacy">Privacy</h2><p>We keep server logs for fourteen days.</p></article>"""
    return page_shell(f"About us – {SITE_NAME}", base, main)


def private_page(base: str) -> str:
    main = """<article class="page"><h1>Staff notes</h1>
<p>PRIVATE: internal planning notes. This page is disallowed in robots.txt and a polite
crawler must never fetch it.</p></article>"""
    return page_shell(f"Staff notes – {SITE_NAME}", base, main)


def not_found_page(base: str) -> str:
    main = """<section class="error-404 not-found"><h1 class="page-title">Oops! That page can’t be found.</h1>
<p>It looks like nothing was found at this location.</p></section>"""
    return page_shell(f"Page not found – {SITE_NAME}", base, main)


def redirect_page(location: str) -> str:
    return (
        "<!DOCTYPE html><html><head><title>301 Moved Permanently</title></head><body>"
        f'<h1>Moved Permanently</h1><p>The document has moved <a href="{escape(location)}">here</a>.</p>'
        "</body></html>\n"
    )
