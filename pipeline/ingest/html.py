"""HTML pages -> Markdown-shaped main content: navigation, scripts, styles, footers and banners dropped.

trafilatura finds the main content and renders headings, lists and tables as Markdown, so one section
parser serves every format. Two things are done first with lxml: definition lists become
`**term**: definition` paragraphs (trafilatura flattens `<dt>`/`<dd>` into unrelated list items), and
elements that are boilerplate by role or name (cookie banners, consent dialogs) are removed.
"""

import re

from lxml import etree, html

from pipeline.ingest.files import Problem, decode_text

META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_-]+)""", re.I)
BOILERPLATE = re.compile(r"cookie|consent|gdpr|newsletter|banner|popup|modal|breadcrumb|skip-link", re.I)
DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "nav", "footer", "aside", "form", "button")


def decode_html(data: bytes, fallback: str | None) -> tuple[str, None] | tuple[None, Problem]:
    """The page's declared charset when it names one, else the rules for any text file."""
    declared = META_CHARSET.search(data[:4096])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        try:
            return data.decode(declared.group(1).decode("ascii")), None
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, fallback)


def html_to_markdown(text: str) -> tuple[str, str | None]:
    """(main content as Markdown, page title); empty text when the page has no main content."""
    try:
        tree = html.fromstring(text.encode("utf-8"), parser=html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError):
        return "", None
    prune(tree)
    title = page_title(tree)
    flatten_definition_lists(tree)
    import trafilatura  # here, not at the top: a shard worker with no HTML input saves its 0.1 s import

    markdown = trafilatura.extract(
        tree,
        output_format="markdown",
        include_tables=True,
        include_formatting=True,
        include_links=False,
        include_images=False,
        include_comments=False,
        favor_recall=True,
        deduplicate=False,
    )
    return markdown or "", title


def page_title(tree: html.HtmlElement) -> str | None:
    """`<title>`: used only when the main content has no level-1 heading of its own."""
    found = tree.xpath("//title")
    return " ".join(found[0].text_content().split()) or None if found else None


def prune(tree: html.HtmlElement) -> None:
    doomed = [element for element in tree.iter(*DROP_TAGS)]
    doomed += [element for element in tree.iter() if isinstance(element.tag, str) and is_boilerplate(element)]
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def is_boilerplate(element: html.HtmlElement) -> bool:
    names = f"{element.get('id', '')} {element.get('class', '')}"
    return (
        bool(BOILERPLATE.search(names))
        or element.get("role") in ("navigation", "banner", "contentinfo", "dialog", "alertdialog")
        or element.get("aria-hidden") == "true"
    )


def flatten_definition_lists(tree: html.HtmlElement) -> None:
    for definition_list in list(tree.iter("dl")):
        paragraphs = []
        term = None
        for child in definition_list:
            text = " ".join(child.text_content().split())
            if child.tag == "dt":
                term = text
            elif child.tag == "dd" and term:
                paragraph = html.Element("p")
                bold = html.Element("b")
                bold.text = term
                bold.tail = f": {text}"
                paragraph.append(bold)
                paragraphs.append(paragraph)
        parent = definition_list.getparent()
        if parent is None:
            continue
        index = parent.index(definition_list)
        for offset, paragraph in enumerate(paragraphs):
            parent.insert(index + offset, paragraph)
        if paragraphs:
            paragraphs[-1].tail = definition_list.tail
        parent.remove(definition_list)
