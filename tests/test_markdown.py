"""Markdown pages -> clean, Markdown-shaped document text (pipeline/ingest/markdown.py), one rule at a time."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.blocks import split_blocks, table_cells
from pipeline.config import IngestConfig
from pipeline.ingest import read_sources
from pipeline.ingest.markdown import markdown_to_text, resolve_templates, split_front_matter
from pipeline.sections import parse_sections
from tests.conftest import write_files


def clean(source: str) -> str:
    return markdown_to_text(source).text


# A staff handbook page the way static-site handbooks are written: front matter, Liquid shortcodes,
# a collapsed FAQ, an office key/value table in HTML, footnotes and a reference link.
HANDBOOK_PAGE = """---
title: Working from the Leeds office
tags: [offices, travel]
sidebar:
  nav: offices
---

{% comment %}
TODO: update the floor plan before the move in March.
{% endcomment %}

# Leeds office

{% alert "Building works" %}
  The east lift is closed until further notice; use the [west lift]({% page "/offices/leeds/access/" %}).
{% endalert %}

<div class="table-wrapper">
  <table class="office-facts">
    <tbody>
      <tr>
        <td class="key"><strong>Address</strong></td>
        <td class="value">4 Wharf Street<br />Leeds LS2 7EQ</td>
      </tr>
      <tr>
        <td class="key"><strong>Slack channel</strong></td>
        <td class="value">{% slack_channel "leeds-office" %}</td>
      </tr>
      <tr>
        <td class="key"><strong>Host</strong></td>
        <td class="value"><a href="mailto:host@example.org">Priya Natarajan</a></td>
      </tr>
    </tbody>
  </table>
</div>

Desks are booked through the [room booker][booker] and released at noon
if nobody checks in.[^checkin] <!-- confirm with facilities -->

{% include "contact-box.html" %}

<details markdown="block">
<summary>Can I bring a guest?</summary>

Yes. Register them at reception and stay with them while they are in the building.
</details>

[booker]: https://rooms.example.org/leeds
[^checkin]: Check-in is done with the tablet next to each desk.
"""

HANDBOOK_TEXT = """# Leeds office

**Building works** The east lift is closed until further notice; use the west lift.

**Address**: 4 Wharf Street Leeds LS2 7EQ
**Slack channel**: #leeds-office
**Host**: Priya Natarajan

Desks are booked through the room booker and released at noon if nobody checks in.

## Can I bring a guest?

Yes. Register them at reception and stay with them while they are in the building."""


def test_handbook_page_becomes_clean_markdown_with_its_front_matter_title():
    document = markdown_to_text(HANDBOOK_PAGE)
    assert document.text == HANDBOOK_TEXT
    assert document.title == "Working from the Leeds office"
    assert document.metadata["tags"] == ["offices", "travel"]


# --- 2. front matter ----------------------------------------------------------------------------------


def test_front_matter_is_metadata_and_never_text():
    assert markdown_to_text("---\r\ntitle: Windows\r\n---\r\nBody.\r\n")[:2] == ("Body.", "Windows")
    document = markdown_to_text('---\ntitle: "Expenses: a guide"\nowner: finance\n---\nClaims are paid monthly.\n')
    assert document == (
        "Claims are paid monthly.",
        "Expenses: a guide",
        {"title": "Expenses: a guide", "owner": "finance"},
    )


@pytest.mark.parametrize(
    "front_matter",
    [
        "---\ntitle: [unclosed\nowner: x\n---\n",  # YAML that does not parse
        "---\ntitle: a: b: c\n---\n",
        "---\n---\n",  # empty
        "+++\ntitle = 'TOML'\n+++\n",
        "---\ntitle: T\ndate: 2021-02-30\n---\n",  # safe_load raises ValueError, not a YAMLError
        "---\ntitle: T\nsize: !!int 'large'\n---\n",
    ],
)
def test_broken_or_foreign_front_matter_is_dropped_without_a_title(front_matter):
    document = markdown_to_text(front_matter + "Body text.")
    assert document.text == "Body text." and document.title is None


def test_a_page_that_opens_with_a_rule_has_no_front_matter():
    assert clean("---\nNot metadata, a paragraph.\n---\n\nMore.") == "## Not metadata, a paragraph.\n\nMore."


def test_front_matter_title_is_plain_text():
    assert markdown_to_text("---\ntitle: Travel <em>before</em> onboarding\n---\nx").title == "Travel before onboarding"
    assert markdown_to_text("---\ntitle: 2026\n---\nx").title == "2026"


# --- 3. Liquid and Jinja ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Before {% comment %}secret\n\nplans{% endcomment %}after.", "Before after."),
        ("Use {% raw %}{{ name }}{% endraw %} in templates.", "Use {{ name }} in templates."),
        ("{% alert %}\n  Mind the gap.\n{% endalert %}", "Mind the gap."),
        ("{% alert 'Note' 'info' %}\nMind the gap.\n{% endalert %}", "**Note** Mind the gap."),
        ('Read the [leave policy]({% page "/leave/" %}).', "Read the leave policy."),
        ('See [the code of conduct]({%link "about/conduct" %}).', "See the code of conduct."),
        ('Paths like {% page "/leave/" %} stay.', "Paths like /leave/ stay."),
        ('Ask in {% slack_channel "help-desk" %}.', "Ask in #help-desk."),
        ("Ask in {% slack_channel\n   'help-desk' %}.", "Ask in #help-desk."),
        ('{% include "banner.html" with: 1 %}\nText.', "Text."),
        ('{%include "banner.html"%}\nText.', "Text."),
        ('{%- include "banner.html" -%}\nText.', "Text."),
        ('A chart {% image "_img/chart.png" "a bar chart" %} here.', "A chart here."),
        ('{% image_with_class "_img/x.png" "border" "alt" %}\nText.', "Text."),
        ('Get the [form]({% download "files/form.pdf" %}).', "Get the form."),
        ('{% uswds_icon "campaign" %} Launch.', "Launch."),
        ('{% render "nav.html", level:2 %}\nText.', "Text."),
        ("{% sparkle 3 %}Text.", "Text."),
        ("Hello {{ user.name | capitalize }}, welcome.", "Hello, welcome."),
        ("Hello {# a Jinja comment #}world.", "Hello world."),
    ],
)
def test_liquid_and_jinja_are_resolved(source, expected):
    assert clean(source) == expected


def test_liquid_inside_fenced_code_is_kept_except_raw_markers():
    source = '```liquid\n{% raw %}{% page "/x/" %}{% endraw %}\n{{ site.title }}\n```'
    assert clean(source) == '```liquid\n{% page "/x/" %}\n{{ site.title }}\n```'


def test_tags_alone_on_their_lines_leave_no_blank_lines_behind():
    assert resolve_templates("<div>\n  {% include 'x' %}\n  <p>Kept.</p>\n</div>") == "<div>\n  <p>Kept.</p>\n</div>"


# --- 4. HTML comments, inline HTML, HTML blocks -------------------------------------------------------


def test_html_comments_go_but_not_from_code():
    source = "<!-- draft -->\nOne <!-- inline\nacross lines --> two.\n\n`<!-- literal -->`\n\n```\n<!-- kept -->\n```"
    assert clean(source) == "One two.\n\n`<!-- literal -->`\n\n```\n<!-- kept -->\n```"


def test_inline_html_tags_go_and_their_text_stays():
    source = 'Press <kbd>Ctrl</kbd> and <span class="x">save</span>.<br>Then <a href="/y">close</a> the <b>form</b>.'
    assert clean(source) == "Press Ctrl and save.\nThen close the **form**."


def test_footnote_like_superscripts_go_but_real_superscripts_stay():
    assert clean("The **significant<sup>1</sup>** cases and E = mc<sup>2 squared</sup>.") == (
        "The **significant** cases and E = mc2 squared."
    )


def test_angle_bracket_placeholders_are_text_not_markup():
    assert clean("Invite them at https://example.org/orgs/<organization-name>/join.") == (
        "Invite them at https://example.org/orgs/<organization-name>/join."
    )


def test_details_summary_becomes_a_question_heading_one_level_down():
    source = "## Parking\n\n<details><summary>Is parking free?</summary><p>No, it costs <b>£5</b> a day.</p></details>"
    assert clean(source) == "## Parking\n\n### Is parking free?\n\nNo, it costs **£5** a day."


def test_html_table_with_a_header_is_a_pipe_table():
    source = (
        "<table><thead><tr><th>Grade</th><th>Days</th></tr></thead>"
        "<tbody><tr><td><b>Junior</b></td><td>25 | 27</td></tr><tr><td>Senior</td><td>30</td></tr></tbody></table>"
    )
    assert clean(source) == "| Grade | Days |\n|---|---|\n| Junior | 25 / 27 |\n| Senior | 30 |"


def test_key_value_table_lines_read_as_definitions():
    source = "<table><tr><td><b>Opening hours:</b></td><td>8:00 to <em>18:00</em></td></tr><tr><td>Notes</td><td></td></tr></table>"
    assert clean(source) == "**Opening hours**: 8:00 to *18:00*\nNotes"


def test_markdown_links_written_inside_an_html_block_read_as_their_text():
    assert clean('<div markdown="1">\nSee the [leave page](/leave/) first.\n</div>') == "See the leave page first."


def test_a_block_of_only_a_doctype_has_no_text():
    assert clean("<!DOCTYPE html>\n\nText.") == "Text."


def test_html_headings_lists_and_paragraphs():
    source = (
        '<div class="box">\n<h3 class="accordion">\n<button type="button">Step 1: Register</button>\n</h3>\n'
        "<p>Fill in the form.</p><ul><li>Name</li><li>Team<ol><li>Unit</li></ol></li></ul>"
        '<script>track()</script><form><input name="q"><button>Go</button></form><svg><text>icon</text></svg>\n</div>'
    )
    assert clean(source) == "### Step 1: Register\n\nFill in the form.\n\n- Name\n- Team\n  1. Unit"


def test_indented_html_content_cut_by_a_blank_line_is_read_as_html_not_code():
    source = (
        '<div class="summary">\n  <div class="body">\n    First paragraph.\n\n'
        "    Second paragraph, same box.\n  </div>\n</div>\n\nAfter the box."
    )
    assert clean(source) == "First paragraph.\n\nSecond paragraph, same box.\n\nAfter the box."


# --- 5. Re-emitted Markdown ---------------------------------------------------------------------------


def test_headings_are_atx_lines_of_plain_text():
    source = (
        "Benefits\n========\n\nLeave\n-----\n\n#### **Q: How do I waive insurance?**\n\n## The `ftprep` [tool](/x) ##"
    )
    assert clean(source) == "# Benefits\n\n## Leave\n\n#### Q: How do I waive insurance?\n\n## The ftprep tool"


def test_inline_markup_is_reduced_to_light_markdown():
    source = (
        'Use _emphasis_, __strong__, `code` and ~~old~~ text. A [link](https://x.org "t"), a [reference][r],\n'
        "an autolink <https://example.org/a>, a mail <help@example.org>, an image ![a chart](c.png)\n"
        "and a note[^n].\n\n[r]: https://r.example.org\n[^n]: The note.\n"
    )
    assert clean(source) == (
        "Use *emphasis*, **strong**, `code` and ~~old~~ text. A link, a reference, an autolink "
        "https://example.org/a, a mail help@example.org, an image and a note."
    )


def test_escaped_link_syntax_reads_as_its_text():
    assert clean("The \\[benefits page\n](/benefits) explains it.") == "The benefits page explains it."
    assert clean("See the [fares page] (https://example.org/fares) or [a note] (below).") == (
        "See the fares page or [a note] (below)."
    )


def test_soft_wraps_become_spaces_but_label_lines_and_hard_breaks_stay():
    assert clean("A wrapped\nparagraph.") == "A wrapped paragraph."
    assert clean("Q: How long does a refund\ntake?\nA: Five days.") == "Q: How long does a refund take?\nA: Five days."
    assert clean("**COP**: heat out\nover power in.\n**SCOP**: seasonal COP.") == (
        "**COP**: heat out over power in.\n**SCOP**: seasonal COP."
    )
    assert clean("4 Wharf Street  \nLeeds\\\nLS2 7EQ") == "4 Wharf Street\nLeeds\nLS2 7EQ"


def test_lists_have_clean_markers_and_consistent_indents():
    source = (
        "* one\n* two\n    + nested *a*\n    + nested b\n\n"
        "3) three\n4) four\n   - [ ] open task\n   - [x] done task\n\n"
        "- loose item\n\n  second paragraph\n\n- last\n"
    )
    assert clean(source) == (
        "- one\n- two\n  - nested *a*\n  - nested b\n\n"
        "3. three\n4. four\n   - open task\n   - done task\n\n"
        "- loose item\n  second paragraph\n- last"
    )


def test_gfm_tables_are_pipe_tables_with_clean_cells():
    source = (
        "| Level | Expectations |\n| :--- | ---: |\n"
        "| **Engineer II** | Ships [small features](/ladder/e2) with `tests` \\| reviews |\n"
        "| *Senior*<br>engineer | Leads work[^1] |\n\n[^1]: Across teams."
    )
    assert clean(source) == (
        "| Level | Expectations |\n|---|---|\n"
        "| Engineer II | Ships small features with tests / reviews |\n"
        "| Senior engineer | Leads work |"
    )


def test_code_blocks_are_fenced_and_verbatim():
    source = "Run:\n\n    make test\n    # then\n\n~~~bash title\nls *.md  # [x](y)\n~~~\n\n````\n```nested```\n````"
    assert (
        clean(source)
        == "Run:\n\n```\nmake test\n# then\n```\n\n```bash\nls *.md  # [x](y)\n```\n\n~~~\n```nested```\n~~~"
    )


def test_code_with_fence_lines_gets_a_longer_fence():
    assert clean("````\n```\ninside\n```\n````") == "~~~\n```\ninside\n```\n~~~"


def test_blockquotes_keep_their_marker_and_rules_go():
    source = "> Quoted *text*\n> more\n>\n> - item\n\n---\n\n***\n\nAfter."
    assert clean(source) == "> Quoted *text* more\n>\n> - item\n\nAfter."


# --- 6. Real-world shapes through sections and blocks -------------------------------------------------


CAREER_LADDER = """# Engineering career ladder

## Levels

| Level | Scope | Example |
| --- | --- | --- |
| **Engineer I** | A task | Fixes a [bug](https://tracker.example.org/1) |
| **Engineer II** | A feature | Ships the *export* button |
| **Senior** | A project | Plans the `v2` migration |
"""


def test_career_ladder_table_is_read_as_a_table_with_plain_cells():
    text = clean(CAREER_LADDER)
    (section,) = [section for section in parse_sections(text) if section["heading"] == "Levels"]
    (block,) = split_blocks(section["body"])
    assert block.kind == "table"
    header, rows = table_cells(block)
    assert header == ["Level", "Scope", "Example"]
    assert [[cell for cell, _, _ in row] for row in rows] == [
        ["Engineer I", "A task", "Fixes a bug"],
        ["Engineer II", "A feature", "Ships the export button"],
        ["Senior", "A project", "Plans the v2 migration"],
    ]


BOLD_FAQ = """## Benefits FAQ

#### **Q: How do I waive insurance?**

- A: Send the waiver form to HR within 60 days of your start date.

#### **Q: Can I add my partner later?**

- A: Yes, during open season or after a qualifying life event.
"""


def test_bold_question_headings_become_plain_question_sections():
    sections = [s for s in parse_sections(clean(BOLD_FAQ)) if s["level"] == 4]
    assert [(s["heading"], s["body"]) for s in sections] == [
        ("Q: How do I waive insurance?", "- A: Send the waiver form to HR within 60 days of your start date."),
        ("Q: Can I add my partner later?", "- A: Yes, during open season or after a qualifying life event."),
    ]
    assert [split_blocks(s["body"])[0].kind for s in sections] == ["list", "list"]


def test_handbook_page_sections_and_blocks():
    sections = list(parse_sections(HANDBOOK_TEXT))
    assert [(s["section"], s["level"]) for s in sections] == [
        ("Leeds office", 1),
        ("Leeds office > Can I bring a guest?", 2),
    ]
    kinds = [block.kind for block in split_blocks(sections[0]["body"])]
    assert kinds == ["paragraph", "definitions", "paragraph"]


def test_qa_paragraph_and_glossary_keep_their_shapes():
    text = clean(
        "## Support\n\nQ: Is the hub\nwaterproof?\nA: No, keep it indoors.\n\n**Hub**: the home\ncontroller.\n**Cell**: a battery."
    )
    section = next(s for s in parse_sections(text) if s["heading"] == "Support")
    assert [block.kind for block in split_blocks(section["body"])] == ["qa", "definitions"]


def test_a_markdown_file_is_ingested_clean_with_its_title(tmp_path):
    write_files(tmp_path, {"leeds.md": HANDBOOK_PAGE, "only-front-matter.markdown": "---\ntitle: Empty\n---\n"})
    ingested = read_sources([tmp_path], IngestConfig())
    assert ingested.documents.select("format", "title", "text").rows() == [
        ("md", "Working from the Leeds office", HANDBOOK_TEXT)
    ]
    assert ingested.rejected.select("source", "reject_reason", "reject_detail").rows() == [
        (f"{tmp_path.name}/only-front-matter.markdown", "empty", "the page has no text")
    ]


def test_split_front_matter_leaves_the_body_alone():
    assert split_front_matter("---\na: 1\n---\n# Body\n") == ({"a": 1}, "# Body\n")
    assert split_front_matter("# No front matter\n---\n") == ({}, "# No front matter\n---\n")


# --- 7. Properties ------------------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
WORDS = st.lists(WORD, min_size=1, max_size=8).map(" ".join)
# Constructs a handbook page is built from; none holds a word of a plain paragraph's alphabet (ALL CAPS
# words), so the plain paragraphs' words can be found in order in the output.
CAPS = st.text(alphabet="ABCDEFGHIJ", min_size=1, max_size=6)
CONSTRUCTS = st.one_of(
    CAPS.map(lambda w: f'{{% page "/{w}/" %}}'),
    CAPS.map(lambda w: f'[{w}]({{% page "/{w.lower()}/" %}})'),
    CAPS.map(lambda w: f'{{% slack_channel "{w}" %}}'),
    CAPS.map(lambda w: f'{{% include "{w}.html" %}}'),
    CAPS.map(lambda w: f"{{% comment %}}{w}{{% endcomment %}}"),
    CAPS.map(lambda w: f"{{% alert %}}\n{w}\n{{% endalert %}}"),
    CAPS.map(lambda w: f"{{{{ site.{w} }}}}"),
    CAPS.map(lambda w: f"{{# {w} #}}"),
    CAPS.map(lambda w: f"<!-- {w} -->"),
    CAPS.map(lambda w: f"<br>{w}<br />"),
    CAPS.map(lambda w: f"<sup>1</sup><span class='x'>{w}</span>"),
    CAPS.map(lambda w: f'<div class="t"><table><tr><td><strong>{w}</strong></td><td>{w}</td></tr></table></div>'),
    CAPS.map(lambda w: f'<details markdown="block">\n<summary>{w}?</summary>\n\n{w}\n</details>'),
    CAPS.map(lambda w: f"[{w}](https://example.org/{w}) and [{w}][ref] and ![{w}](i.png)"),
    CAPS.map(lambda w: f"{w}[^1]\n\n[^1]: {w}\n\n[ref]: https://example.org"),
    CAPS.map(lambda w: f"- **{w}**\n  - [ ] {w}\n1. `{w}`"),
    CAPS.map(lambda w: f"| {w} | {w} |\n|---|---|\n| *{w}* | [{w}](x) |"),
    CAPS.map(lambda w: f"> {w} <em>{w}</em>"),
    CAPS.map(lambda w: f"{w}\n===\n\n---\n\n## {w} ##"),
    CAPS.map(lambda w: f"```\n{w}\n```"),
)
MARKUP = re.compile(
    r"\{%|\{\{|\{#|<!--|\]\(|!\[|\[\^|</?(?:div|span|table|tr|td|th|tbody|br|sup|em|strong|details|summary|a|p)\b[^<>]*>"
)


@settings(max_examples=300)
@given(st.text())
def test_any_text_is_cleaned_without_raising(text):
    document = markdown_to_text(text)
    assert isinstance(document.text, str)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["para", "construct"]), WORDS, CONSTRUCTS), min_size=1, max_size=12))
def test_markup_never_survives_and_plain_words_keep_their_order(parts):
    blocks = [words if kind == "para" else construct for kind, words, construct in parts]
    text = clean("\n\n".join(blocks))
    assert not MARKUP.search(text), text
    plain_words = [word for kind, words, _ in parts if kind == "para" for word in words.split()]
    output_words = iter(re.findall(r"[a-z]+", text))
    assert all(word in output_words for word in plain_words), (plain_words, text)


@settings(max_examples=200)
@given(st.text(alphabet="ab *_`[]()<>{}%#!-|\n\\:", max_size=200))
def test_markdown_punctuation_soup_never_raises(text):
    markdown_to_text(text)


INLINE_CONSTRUCTS = st.one_of(
    CAPS.map(lambda w: f'[{w}]({{% page "/{w.lower()}/" %}})'),
    CAPS.map(lambda w: f'{{% slack_channel "{w}" %}}'),
    CAPS.map(lambda w: f"{{%- include '{w}' -%}}"),
    CAPS.map(lambda w: f"{{% comment %}}{w}{{% endcomment %}}"),
    CAPS.map(lambda w: f"{{{{ {w} }}}}"),
    CAPS.map(lambda w: f"<!-- {w} -->"),
    CAPS.map(lambda w: f"<br>{w}<br/>"),
    CAPS.map(lambda w: f"<sup>2</sup><a href='/{w}'>{w}</a>"),
    CAPS.map(lambda w: f"**{w}** _{w}_ `{w}`"),
    CAPS.map(lambda w: f"![{w}](x.png)[^{w}]"),
    CAPS.map(lambda w: f"<https://example.org/{w}>"),
)


@settings(max_examples=300)
@given(
    st.lists(st.tuples(WORDS, INLINE_CONSTRUCTS), min_size=1, max_size=10), st.sampled_from(["", "- ", "> ", "| x | "])
)
def test_inline_markup_inside_paragraphs_lists_quotes_and_cells(parts, prefix):
    line = " ".join(f"{words} {construct}" for words, construct in parts)
    source = f"{prefix}{line}" + (" |\n|---|---|\n| a | b |" if prefix.startswith("|") else "")
    text = clean(source)
    assert not MARKUP.search(text), text
    output_words = iter(re.findall(r"[a-z]+", text))
    assert all(word in output_words for words, _ in parts for word in words.split()), text
