"""Markdown source -> clean, Markdown-shaped document text, its front-matter title and metadata.

Handbooks written for static site generators carry much that a reader of the rendered page never
sees: YAML front matter, Liquid/Jinja tags, HTML comments, inline HTML, link URLs, footnotes. The
source goes through three steps:

1. YAML front matter is cut off and parsed (`title` becomes the document title).
2. Liquid and Jinja are resolved on the source text, since `[text]({% page "/x/" %})` is only a link
   once the tag is resolved: comments go with their content, `raw` keeps its content verbatim, `page`
   and `link` become their path, `slack_channel` its `#channel`, an `alert` keeps its title and body,
   every other tag and every `{{ output }}` goes. HTML comments go too. Fenced code is left verbatim
   (only `raw` markers are taken out of it): a code sample shows its template syntax on purpose.
3. pyromark (pulldown-cmark: CommonMark with GFM tables, footnotes and task lists) parses the rest,
   and the event tree is written out again as plain, regular Markdown: ATX headings with plain text,
   paragraphs with `*emphasis*`, `**strong**` and `code` kept but links reduced to their text, `- ` and
   `1. ` lists (two or three spaces of indent per level, the width of the parent's marker), GFM pipe
   tables, fenced code, `> ` quotes, one blank line between blocks. Images, footnotes, reference
   definitions, thematic breaks and task-list boxes are dropped. HTML blocks are read with lxml and
   written out in the same shapes: a `<details>` summary becomes a heading (a collapsed FAQ question),
   a two-column table without a header row becomes `**Key**: value` lines.

The result is what DOCUMENT.text holds, so every later offset points into the cleaned text. Only the
sections and blocks parsers read it next, and both read exactly these shapes (ATX headings, pipe
tables, list markers at the start of a line, fences indented by at most three spaces).
"""

import re
from bisect import bisect_right
from typing import Any, NamedTuple

import pyromark
import yaml
from lxml import etree, html

OPTIONS = (
    pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
    | pyromark.Options.ENABLE_GFM
)
PARSER = pyromark.Markdown(options=OPTIONS)
MAX_DEPTH = 64  # deeper nesting (hostile input) is flattened into the node at this depth

FRONT_MATTER = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n(?:(.*?)\n)?(?:---|\.\.\.|\+\+\+)[ \t]*(?:\n|\Z)", re.DOTALL)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's safe loader when PyYAML has it
YAML_KEY = re.compile(r"^[\w-]+\s*:", re.MULTILINE)

# Liquid/Jinja constructs and HTML comments, found in one left-to-right pass over the source: a construct
# may start where TEMPLATE_START matches, and what it is is decided there (find_template).
TEMPLATE_START = re.compile(r"\{[%{#]|<!--")
TAG = re.compile(r"\{%-?\s*(\w+)((?:(?!%\}|\{%).){0,2000}?)-?%\}", re.DOTALL)
OUTPUT = re.compile(r"\{\{(?:(?!\{\{|\}\}).){0,2000}\}\}", re.DOTALL)
JINJA_COMMENT = re.compile(r"\{#[^{}]{0,2000}?#\}")
END_TAG = {name: re.compile(rf"\{{%-?\s*end{name}\s*-?%\}}") for name in ("raw", "comment")}
RAW_MARKER = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
FIRST_ARGUMENT = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([^\s,"']+))""")

# Inline HTML tags a browser renders (dropped, their text kept); anything else in angle brackets is a
# placeholder an author meant to show (`<your-branch>`) and stays as text.
HTML_TAGS = frozenset(
    """a abbr acronym address article aside audio b bdi bdo big blockquote body br button canvas caption center
    cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure
    font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link
    main map mark menu meta meter nav noscript object ol optgroup option output p param picture pre progress q rp
    rt ruby s samp script section select small source span strike strong style sub summary sup svg table tbody
    td template textarea tfoot th thead time title tr track tt u ul var video wbr""".split()
)
# Elements whose content a reader never sees as text (a button's label is kept inside a heading).
DROP_CONTENT = frozenset(
    "script style noscript template iframe svg form button input select textarea object embed video audio canvas "
    "map img picture head title nav".split()
)
HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)\b[^<>]*>")
EMPHASIS_TAGS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
INLINE_TAG = re.compile(r"^<(/?)([A-Za-z][A-Za-z0-9-]*)")
FOOTNOTE_MARK = re.compile(r"^[\s\d*†‡§¶,\[\]().-]*$")
SPACES = re.compile(r"[ \t]{2,}")
# Link syntax the parser left as text (escaped, or `[text] (https://...)` with a space): what it shows.
LITERAL_LINK = re.compile(r"\[([^\[\]]*)\](?:\(| \((?=https?:|/|mailto:))[^()\s]*\)")
LITERAL_FOOTNOTE = re.compile(r" ?\[\^[^\]\s]+\]")
HARD_BREAK = "\x0b"  # an explicit line break inside inline text (a soft break is "\n"); never in the output
# A line that starts with a label: `Q:`, `Answer:`, `Term: ...`, `**Term**: ...`, `Speaker: ...`.
LABEL_LINE = re.compile(r"^(?:\*\*[^*\n]{1,80}?\*\*\s*[:—–-]|[A-Z0-9][^:\n]{0,60}?:)(?:\s|$)")
CLOSING_PUNCTUATION = frozenset(".,;:!?)")
WHITESPACE = re.compile(r"\s+")
CONTAINERS = "div|details|section|article|aside|main|table|blockquote|figure|ul|ol|dl|center|header|footer|nav|form"
HTML_OPEN = re.compile(rf"<(?:{CONTAINERS})\b", re.IGNORECASE)
HTML_CLOSE = re.compile(rf"</(?:{CONTAINERS})\s*>", re.IGNORECASE)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKISH = frozenset(
    "div p section article main header footer aside details summary figure table ul ol dl pre "
    "blockquote h1 h2 h3 h4 h5 h6 hr li tr".split()
)
BLOCK_CONTAINERS = frozenset(
    "div p section article main header footer aside details figure figcaption center address fieldset "
    "hgroup body html".split()
)


class MarkdownDocument(NamedTuple):
    text: str  # clean Markdown-shaped text ("" when the page has no text)
    title: str | None  # the front matter's title
    metadata: dict[str, Any]  # the whole front matter (unused for now)


def markdown_to_text(source: str) -> MarkdownDocument:
    """The cleaned text of a Markdown page, with its front-matter title and metadata."""
    metadata, body = split_front_matter(source.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    title = metadata.get("title")
    title = clean_title(str(title)) if isinstance(title, str | int | float) else None
    return MarkdownDocument(render(resolve_templates(body)), title, metadata)


def clean_title(title: str) -> str | None:
    """A front-matter title as plain text: templates resolved, HTML tags (`<em>`) dropped, one line."""
    if "{" in title or "<" in title:
        title = HTML_TAG.sub(
            lambda tag: "" if tag.group(1).lower() in HTML_TAGS else tag.group(), resolve_templates(title)
        )
    return " ".join(title.split()) or None


def split_front_matter(source: str) -> tuple[dict[str, Any], str]:
    """(front matter, the rest). A block that YAML cannot read is still dropped when it has `key:` lines."""
    match = FRONT_MATTER.match(source)
    if not match:
        return {}, source
    block = match.group(1) or ""
    try:
        loaded = yaml.load(block, Loader=SAFE_LOADER) if source.startswith("---") else None
    except Exception:  # not only YAMLError: safe constructors raise ValueError (2021-02-30), AttributeError, ...
        loaded = None
    if isinstance(loaded, dict):
        return {str(key): value for key, value in loaded.items()}, source[match.end() :]
    if not block.strip() or YAML_KEY.search(block) or source.startswith("+++"):
        return {}, source[match.end() :]  # broken or TOML (+++) front matter: dropped, no title
    return {}, source  # a thematic break and a paragraph, not front matter


def resolve_templates(text: str) -> str:
    """Liquid/Jinja tags and HTML comments resolved on the source (see the module docstring)."""
    if "{" not in text and "<!--" not in text:
        return text
    fences = fenced_ranges(text)
    pieces: list[str] = []
    missing: set[str] = set()  # closers not found after some point (so not after any later one)
    position = search_from = 0
    while candidate := TEMPLATE_START.search(text, search_from):
        start = candidate.start()
        found = find_template(text, start, missing)
        if found is None:
            search_from = start + 1
            continue
        end, kind, shown = found
        if bisect_right(fences, start) % 2 == 1:  # inside fenced code: verbatim, less the raw markers
            replacement = shown if kind == "raw" else RAW_MARKER.sub("", text[start:end])
        elif kind == "html_comment" and inside_code_span(text, start):
            replacement = text[start:end]
        else:
            replacement = shown
        pieces.append(text[position:start])
        if not replacement and text[end : end + 1] in CLOSING_PUNCTUATION and pieces[-1].endswith(" "):
            pieces[-1] = pieces[-1].rstrip(" ")  # "write to {{ site.email }}." -> "write to."
        if not replacement:  # a tag alone on its line takes the line with it (no stray blank line)
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", end)
            line_end = len(text) if line_end < 0 else line_end
            if not text[line_start:start].strip() and not text[end:line_end].strip():
                pieces[-1] = pieces[-1][: len(pieces[-1]) - (start - line_start)]
                end = min(line_end + 1, len(text))
        pieces.append(replacement)
        position = search_from = end
    pieces.append(text[position:])
    return "".join(pieces)


def find_template(text: str, start: int, missing: set[str]) -> tuple[int, str, str] | None:
    """(end, kind, what a reader sees) of the construct at `start`, or None when there is none.

    Kinds: html_comment, output, jinja_comment, comment (with its content), raw (what it shows is its
    content, verbatim), tag. Unclosed comments and raw blocks are not constructs (an unclosed `{% raw %}`
    is a tag like any other); `missing` remembers a closer that is absent, so no search is repeated.
    """
    if text.startswith("<!--", start):
        close = -1 if "-->" in missing else text.find("-->", start + 4)
        if close < 0:
            missing.add("-->")
            return None
        return close + 3, "html_comment", ""
    if text.startswith("{{", start):
        match = OUTPUT.match(text, start)
        return (match.end(), "output", "") if match else None
    if text.startswith("{#", start):
        match = JINJA_COMMENT.match(text, start)
        return (match.end(), "jinja_comment", "") if match else None
    match = TAG.match(text, start)
    if match is None:
        return None
    name = match.group(1).lower()
    if name in END_TAG and name not in missing:
        closing = END_TAG[name].search(text, match.end())
        if closing is None:
            missing.add(name)
        else:
            return closing.end(), name, text[match.end() : closing.start()] if name == "raw" else ""
    return match.end(), "tag", tag_text(name, match.group(2))


def tag_text(name: str, args: str) -> str:
    """What a reader of the rendered page sees in place of one Liquid tag."""
    argument = FIRST_ARGUMENT.match(args)
    quoted = None if argument is None else argument.group(1) if argument.group(1) is not None else argument.group(2)
    value = quoted if quoted is not None else (argument.group(3) if argument else None)
    if name in ("page", "link") and value and (quoted is not None or "/" in value):
        return value.strip().replace(" ", "%20")  # a path, usually the destination of a link
    if name == "slack_channel" and value:
        return "#" + value.strip().lstrip("#")
    if name == "alert" and quoted and quoted.strip():
        return f"**{' '.join(quoted.split())}**"  # the alert's title, shown above its body
    return ""


def fenced_ranges(text: str) -> list[int]:
    """Sorted [start, end, start, end, ...] character offsets of fenced code blocks (end at the closing fence)."""
    ranges: list[int] = []
    offset, opened = 0, None
    for line in text.split("\n"):
        fence = FENCE_OPEN.match(line)
        if opened is None:
            if fence and not (fence.group(1)[0] == "`" and "`" in fence.group(2)):
                opened = fence.group(1)
                ranges.append(offset + len(line))
        elif (
            fence
            and fence.group(1)[0] == opened[0]
            and len(fence.group(1)) >= len(opened)
            and not fence.group(2).strip()
        ):
            ranges.append(offset)
            opened = None
        offset += len(line) + 1
    if opened is not None:
        ranges.append(len(text) + 1)
    return ranges


def inside_code_span(text: str, position: int) -> bool:
    """Whether an odd number of backticks precedes this position on its line (an inline code span)."""
    line_start = text.rfind("\n", 0, position) + 1
    return text.count("`", line_start, position) % 2 == 1


# --- the Markdown event tree --------------------------------------------------------------------------

# A node is [tag, data, children]; a leaf is (kind, value). Tags and kinds are pulldown-cmark's names.
Node = list


def parse_tree(text: str) -> Node:
    root: Node = ["Document", None, []]
    stack = [root]
    children = root[2]  # of the innermost open node
    skipped = 0  # Start events past MAX_DEPTH: their content joins the deepest kept node
    for event in PARSER.events(text):  # one call per event of the page: no helper calls in this loop
        if event.__class__ is str:  # SoftBreak, HardBreak, Rule
            children.append((event, None))
            continue
        ((kind, value),) = event.items()  # type: ignore[union-attr]
        if kind == "Start":
            if len(stack) > MAX_DEPTH:
                skipped += 1
                continue
            if value.__class__ is str:
                node: Node = [value, None, []]
            else:
                ((tag, data),) = value.items()  # type: ignore[union-attr]
                node = [tag, data, []]
            children.append(node)
            stack.append(node)
            children = node[2]
        elif kind == "End":
            if skipped:
                skipped -= 1
            elif len(stack) > 1:
                stack.pop()
                children = stack[-1][2]
        else:
            children.append((kind, value))
    return root


INLINE_NODES = frozenset(("Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript"))
BLOCK_LEAVES = frozenset(("Rule",))


def is_inline(child: Node | tuple) -> bool:
    if isinstance(child, tuple):
        return child[0] not in BLOCK_LEAVES
    return child[0] in INLINE_NODES


def render(text: str) -> str:
    """Clean Markdown-shaped text of (template-free) Markdown source."""
    return "\n\n".join(Renderer().blocks(parse_tree(text)[2]))


class Renderer:
    """Writes an event tree out as blocks of text.

    It remembers the last heading's level (a `<summary>` heading goes one below it) and whether the last
    block was HTML that left an element open: an indented "code block" right after one is the element's
    indented content cut off by a blank line (CommonMark ends an HTML block there), so it is read as HTML.
    """

    def __init__(self) -> None:
        self.level = 1
        self.open_html = 0  # elements left open by the HTML blocks so far
        self.after_html = False  # the previous block was HTML (or content read as HTML)

    def blocks(self, children: list) -> list[str]:
        out: list[str] = []
        run: list = []  # inline children outside a paragraph (tight list items)
        for child in children:
            # is_inline, written out: this loop sees every block of every page
            if child[0] not in BLOCK_LEAVES if child.__class__ is tuple else child[0] in INLINE_NODES:
                run.append(child)
                continue
            if run:
                out += paragraph(inline(run))
                run = []
            if isinstance(child, list):  # a thematic break (Rule) is dropped
                after_html = self.after_html
                self.after_html = False
                out += self.block(child, after_html)
        if run:
            out += paragraph(inline(run))
        return out

    def block(self, node: Node, after_html: bool = False) -> list[str]:
        tag, data, children = node
        if tag == "Paragraph":
            return paragraph(inline(children))
        if tag == "Heading":
            level = int(data["level"][1])
            self.level = level
            return heading(level, inline(children, plain=True))
        if tag == "BlockQuote":
            return quote(self.blocks(children))
        if tag == "CodeBlock":
            code = "".join(value for kind, value in children if kind == "Text")
            if data == "Indented" and after_html and self.open_html > 0:
                return self.html(code, paragraphs=True)
            language = data["Fenced"].split()[0] if isinstance(data, dict) and data["Fenced"].strip() else ""
            return code_block(code, language)
        if tag == "List":
            return self.list_block(data, children)
        if tag == "Table":
            return table(children)
        if tag == "HtmlBlock":
            return self.html("".join(value for _, value in children))
        if tag in ("FootnoteDefinition", "MetadataBlock"):
            return []
        return self.blocks(children)  # Item outside a list, definition lists, future containers

    def html(self, source: str, paragraphs: bool = False) -> list[str]:
        """An HTML block; `paragraphs`: HTML content whose blank lines separate paragraphs."""
        self.open_html = max(0, self.open_html + len(HTML_OPEN.findall(source)) - len(HTML_CLOSE.findall(source)))
        self.after_html = True
        chunks = BLANK_LINES.split(source) if paragraphs else [source]
        return [block for chunk in chunks for block in HtmlRenderer(self).render(chunk)]

    def list_block(self, start: int | None, items: list) -> list[str]:
        lines: list[str] = []
        number = start if start is not None else 0
        for item in items:
            marker = f"{number}. " if start is not None else "- "
            number += 1
            body = self.blocks(item[2] if isinstance(item, list) else [item])
            lines += list_item(marker, body)
        return ["\n".join(lines)] if lines else []


def paragraph(text: str) -> list[str]:
    """A paragraph's text: source line wraps (soft breaks) become spaces, as on the rendered page, except
    before the lines of a label-per-line paragraph (`Q:`/`A:`, `Term: ...`, `Speaker: ...`), whose line
    structure the blocks parser reads; explicit line breaks (`<br>`, a trailing backslash) stay."""
    if "\n" not in text:  # one line (most paragraphs, every heading-like run): no splitting and joining
        text = text.strip(" \t")
        if HARD_BREAK not in text:
            return [text.strip()] if text.strip() else []
    lines = [line.strip(" \t") for line in text.split("\n")]
    lines = [line for line in lines if line]
    if not lines:
        return []
    if len(lines) == 1:
        text = lines[0]
    else:
        labelled = [bool(LABEL_LINE.match(line)) for line in lines]
        keep = sum(labelled) >= 2
        text = lines[0] + "".join(
            ("\n" if keep and label else " ") + line for line, label in zip(lines[1:], labelled[1:], strict=True)
        )
    if HARD_BREAK not in text and "\n" not in text:
        return [text.strip()] if text.strip() else []
    lines = [line.strip() for line in text.replace(HARD_BREAK, "\n").split("\n")]
    text = "\n".join(line for line in lines if line)
    return [text] if text else []


def heading(level: int, text: str) -> list[str]:
    text = " ".join(text.split())
    return [f"{'#' * level} {text}"] if text else []


def quote(blocks: list[str]) -> list[str]:
    if not blocks:
        return []
    lines = "\n\n".join(blocks).split("\n")
    return ["\n".join(f"> {line}" if line else ">" for line in lines)]


def code_block(code: str, language: str = "") -> list[str]:
    code = code.rstrip("\n")
    if not code.strip():
        return []
    fence = "~~~" if re.search(r"^\s*```", code, re.MULTILINE) else "```"
    if fence == "~~~" and re.search(r"^\s*~~~", code, re.MULTILINE):
        fence = "`" * (max(len(run) for run in re.findall(r"`+", code)) + 1)
    return [f"{fence}{language}\n{code}\n{fence}"]


def list_item(marker: str, body: list[str]) -> list[str]:
    """One item's lines: its first block after the marker, the rest indented by the marker's width."""
    if not body:
        return []
    indent = " " * len(marker)
    lines = "\n".join(body).split("\n")
    if lines[0].lstrip().startswith(("```", "~~~", "|")):
        lines.insert(0, "")  # a fence or a table starts on a line of its own, not after the marker
    return [(marker + lines[0]).rstrip()] + [indent + line if line else "" for line in lines[1:]]


def table(children: list) -> list[str]:
    rows = [
        [cell_text(cell[2]) for cell in part[2] if isinstance(cell, list)]
        for part in children
        if isinstance(part, list) and part[0] in ("TableHead", "TableRow")
    ]
    return pipe_table(rows)


def cell_text(children: list) -> str:
    """A cell as plain text on one line: cells are read one by one as keys and values, so the bold of a
    row label is styling, not content; a `|` in a cell becomes `/` (the blocks parser splits on every `|`)."""
    return " ".join(inline(children, plain=True).split()).replace("|", "/")


def pipe_table(rows: list[list[str]]) -> list[str]:
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return ["\n".join(line.replace("|  |", "| |") for line in lines)]


# --- inline content -----------------------------------------------------------------------------------


def inline(children: list, plain: bool = False) -> str:
    """Inline events as light Markdown (plain text for headings): links -> text, images and notes dropped."""
    merged = merge_lines(children)
    if len(merged) == 1 and merged[0].__class__ is tuple and merged[0][0] == "Text":
        return shown_text(merged[0][1])  # plain text alone (most paragraphs and headings): what the loop makes of it
    frames: list[tuple[str, list[str]]] = [("", [])]  # open inline HTML elements whose text may be dropped
    for child in merged:
        out = frames[-1][1]
        if isinstance(child, tuple):
            kind, value = child
            if kind == "Text":
                if value[:1] in CLOSING_PUNCTUATION and out and out[-1].endswith(" "):
                    out[-1] = out[-1].rstrip(" ")  # "a note [^1]." or "a <sup>1</sup>." -> "a note."
                append(out, shown_text(value))
            elif kind == "Code":
                append(out, value if plain else code_span(value))
            elif kind == "SoftBreak":
                append(out, "\n")
            elif kind == "HardBreak":
                append(out, HARD_BREAK)
            elif kind == "InlineHtml":
                inline_html(value, frames, plain)
            elif kind in ("InlineMath", "DisplayMath"):
                append(out, value)
            # FootnoteReference, TaskListMarker, Html: nothing a reader reads as text
            continue
        tag, _, grandchildren = child
        if tag == "Image":
            continue
        inner = inline(grandchildren, plain)
        if tag == "Emphasis" and not plain:
            inner = wrap(inner, "*")
        elif tag == "Strong" and not plain:
            inner = wrap(inner, "**")
        elif tag == "Strikethrough" and not plain:
            inner = wrap(inner, "~~")
        append(out, inner)
    while len(frames) > 1:  # an element never closed keeps its text
        _, text = frames.pop()
        append(frames[-1][1], "".join(text))
    return "".join(frames[0][1])


def shown_text(value: str) -> str:
    """A Text event as a reader sees it."""
    if "](" in value or "] (" in value:  # a literal `\\[text](/path)` reads as its text too
        value = LITERAL_LINK.sub(r"\1", value)
    if "[^" in value:  # a footnote reference without a definition is no more than one with it
        value = LITERAL_FOOTNOTE.sub("", value)
    return squeeze_spaces(value.replace(HARD_BREAK, " "))


def squeeze_spaces(text: str) -> str:
    """SPACES replaced by one space; most texts have no run of spaces or tabs, and `in` is cheaper than the scan."""
    return SPACES.sub(" ", text) if "  " in text or "\t" in text else text


def merge_lines(children: list) -> list:
    """Text, soft break, text, ... as one Text leaf, so a literal `[link](text)` across lines is seen whole."""
    merged: list = []
    for child in children:
        if merged and child.__class__ is tuple and merged[-1].__class__ is tuple:
            last = merged[-1]
            if child[0] == "SoftBreak" and last[0] == "Text":
                merged[-1] = ("Text", last[1] + "\n")
                continue
            if child[0] == "Text" and last[0] == "Text":
                merged[-1] = ("Text", last[1] + child[1])
                continue
        merged.append(child)
    return merged


def inline_html(tag_text: str, frames: list[tuple[str, list[str]]], plain: bool = False) -> None:
    if tag_text.startswith(("<!", "<?")):
        return  # comments, declarations, CDATA
    match = INLINE_TAG.match(tag_text)
    name = match.group(2).lower() if match else ""
    if name not in HTML_TAGS:
        append(frames[-1][1], SPACES.sub(" ", tag_text))  # `<your-branch>` is a placeholder, not markup
        return
    closing = bool(match and match.group(1))
    if name in ("br", "wbr", "hr"):
        append(frames[-1][1], HARD_BREAK if name != "wbr" else "")
    elif name in DROP_CONTENT or name == "sup" or name in EMPHASIS_TAGS:
        if not closing and not tag_text.rstrip().endswith("/>"):
            frames.append((name, []))
        elif closing and any(open_name == name for open_name, _ in frames[1:]):
            while frames[-1][0] != name:
                _, text = frames.pop()
                append(frames[-1][1], "".join(text))
            _, text = frames.pop()
            content = "".join(text)
            if name in EMPHASIS_TAGS:
                append(frames[-1][1], content if plain else wrap(content, EMPHASIS_TAGS[name]))
            elif name == "sup" and not FOOTNOTE_MARK.match(content):
                append(frames[-1][1], content)


def append(out: list[str], text: str) -> None:
    """Add text, never doubling a space where two pieces meet."""
    if not text:
        return
    if out and out[-1].endswith((" ", "\n", HARD_BREAK)) and text[0] == " ":
        text = text.lstrip(" ")
        if not text:
            return
    out.append(text)


def wrap(text: str, marker: str) -> str:
    """`*text*` with the whitespace outside the markers; nothing to mark, no markers."""
    stripped = text.strip()
    if not stripped:
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{marker}{stripped}{marker}{trail}"


def code_span(code: str) -> str:
    if "`" not in code:
        return f"`{code}`"
    ticks = "`" * (max(len(run) for run in re.findall(r"`+", code)) + 1)
    return f"{ticks} {code} {ticks}"


# --- HTML blocks --------------------------------------------------------------------------------------


class HtmlRenderer:
    """One HTML block (often a fragment: `<details><summary>Q</summary>` with its answer in Markdown after it)."""

    def __init__(self, owner: Renderer) -> None:
        self.owner = owner
        self.out: list[str] = []
        self.buffer: list[str] = []

    def render(self, source: str) -> list[str]:
        if not source.strip():
            return []
        try:
            root = html.fragment_fromstring(source, create_parent="div")
        except (etree.ParserError, ValueError):  # nothing but a doctype or a declaration: no text in it
            return []
        self.walk_children(root, 0)
        self.flush()
        return self.out

    def flush(self) -> None:
        self.out += paragraph("".join(self.buffer))
        self.buffer = []

    def text(self, text: str | None) -> None:
        if text:
            append(self.buffer, html_text(text))

    def walk_children(self, element: html.HtmlElement, depth: int) -> None:
        self.text(element.text)
        for child in element:
            self.walk(child, depth + 1)
            self.text(child.tail)

    def walk(self, element: html.HtmlElement, depth: int) -> None:
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if not tag or tag in DROP_CONTENT:
            return  # comments, processing instructions, scripts, buttons, forms
        if depth > MAX_DEPTH:
            self.text(element.text_content())
        elif tag in HEADINGS or tag == "summary":
            self.flush()
            level = HEADINGS.get(tag) or min(self.owner.level + 1, 6)
            if tag != "summary":
                self.owner.level = level
            self.out += heading(level, html_inline(element, plain=True))
        elif tag in BLOCK_CONTAINERS:
            self.flush()
            self.walk_children(element, depth)
            self.flush()
        elif tag in ("ul", "ol", "dl", "table", "pre", "blockquote", "hr"):
            self.flush()
            self.out += self.structure(tag, element, depth)
        elif tag in ("br", "li", "dt", "dd", "tr"):  # br, or a list part outside its list: a line of its own
            append(self.buffer, HARD_BREAK)
            self.walk_children(element, depth)
            append(self.buffer, HARD_BREAK)
        elif any(isinstance(child.tag, str) and child.tag.lower() in BLOCKISH for child in element.iterdescendants()):
            self.walk_children(element, depth)  # an inline element around blocks (<a><div>...</div></a>)
        else:
            append(self.buffer, html_inline(element))

    def structure(self, tag: str, element: html.HtmlElement, depth: int) -> list[str]:
        if tag in ("ul", "ol"):
            return self.html_list(element, ordered=tag == "ol", depth=depth)
        if tag == "dl":
            return definition_list(element)
        if tag == "table":
            return html_table(element)
        if tag == "pre":
            return code_block(element.text_content())
        if tag == "blockquote":
            inner = HtmlRenderer(self.owner)
            inner.walk_children(element, depth)
            inner.flush()
            return quote(inner.out)
        return []  # hr

    def html_list(self, element: html.HtmlElement, ordered: bool, depth: int) -> list[str]:
        lines: list[str] = []
        number = int(element.get("start", "1")) if ordered and element.get("start", "1").isdigit() else 1
        for item in element:
            if not isinstance(item.tag, str) or item.tag.lower() != "li":
                continue
            inner = HtmlRenderer(self.owner)
            inner.walk_children(item, depth + 1)
            inner.flush()
            lines += list_item(f"{number}. " if ordered else "- ", inner.out)
            number += 1
        return ["\n".join(lines)] if lines else []


def html_inline(element: html.HtmlElement, plain: bool = False) -> str:
    """An element's visible text as light Markdown (br -> line break, footnote-mark <sup> dropped)."""
    out: list[str] = []
    inline_parts(element, out, plain, include_tail=False)
    return "".join(out)


def inline_parts(element: html.HtmlElement, out: list[str], plain: bool, include_tail: bool = True) -> None:
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    keep_button = tag == "button" and plain  # a button labels an accordion heading
    if tag and (tag not in DROP_CONTENT or keep_button):
        if tag == "br":
            append(out, HARD_BREAK)
        elif tag == "sup" and FOOTNOTE_MARK.match(element.text_content()):
            pass
        else:
            inner: list[str] = []
            if element.text:
                append(inner, html_text(element.text))
            for child in element:
                inline_parts(child, inner, plain)
            text = "".join(inner)
            marker = EMPHASIS_TAGS.get(tag, "")
            if tag == "code" and not plain and text.strip():
                text = code_span(" ".join(text.split()))
            elif marker and not plain:
                text = wrap(text, marker)
            append(out, text)
    if include_tail and element.tail:
        append(out, html_text(element.tail))


def html_text(text: str) -> str:
    """An HTML text node as a reader sees it; Markdown links in it (`<div markdown="1">`) read as their text."""
    text = WHITESPACE.sub(" ", text)
    return LITERAL_LINK.sub(r"\1", text) if "](" in text or "] (" in text else text


def one_line(element: html.HtmlElement, plain: bool = False) -> str:
    return " ".join(html_inline(element, plain).split()).replace("|", "/")


def html_table(element: html.HtmlElement) -> list[str]:
    """A table with a header row -> a pipe table; a two-column table without one -> `**Key**: value` lines."""
    rows = element.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    cells = [row.xpath("./th|./td") for row in rows]
    cells = [row for row in cells if row]
    if not cells:
        return []
    has_header = bool(element.xpath("./thead")) or all(cell.tag == "th" for cell in cells[0])
    if not has_header and all(len(row) == 2 for row in cells):
        lines = []
        for key_cell, value_cell in cells:
            key, value = one_line(key_cell, plain=True).rstrip(":").rstrip(), one_line(value_cell)
            if key and value:
                lines.append(f"**{key}**: {value}")
            elif key or value:
                lines.append(key or value)
        return ["\n".join(lines)] if lines else []
    return pipe_table([[one_line(cell, plain=True) for cell in row] for row in cells])


def definition_list(element: html.HtmlElement) -> list[str]:
    lines, term = [], ""
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "dt":
            term = one_line(child, plain=True)
        elif tag == "dd":
            text = one_line(child)
            lines.append(f"**{term}**: {text}" if term and text else text or term)
            term = ""
    return ["\n".join(line for line in lines if line)] if any(lines) else []
