"""Tables by their shape: an entity's attributes, a thing's key-value facts, a career ladder's levels, or nothing.

A table cell on its own is rarely a question anyone asks ("What is the Government-owned for @eregs?" -> "Y"),
so each GFM pipe table is first classified by its shape (`shape`) and only these shapes yield examples:

- **entity** table: the first column names things ("Annual leave", "Harbourside", "Heat pump HP-7"),
  unique per row, and the other headers are nouns naming their attributes ("Accrual", "Opening hours",
  "Price"). Each row is one example: "What are the accrual and carry-over of annual leave?" answered with
  the row's cells as a Markdown list (`- **Accrual**: 2 days a month`, task `table_entry`). One example per
  row rather than per cell because a row is what a reader looks up (the leave type, the branch, the model)
  and its cells answer one question together; per cell, a three-column table made three thin
  near-duplicate prompts per row and dominated the dataset. The question names the columns it answers
  (up to LISTED_COLUMNS; a wider row is asked for as "What are the details of the HP-7 model?"), and
  follows what the columns hold: a describing first column ("Description", "Summary") makes "What is TTS
  101?"; a generic "Value" column ("Check | Value | Note") makes the label the thing asked for ("What is
  the system pressure when cold (Commissioning values)?"); an error-code table ("Code | Meaning | What
  to do") makes "What does error code E201 mean, and what should be done?". Wh-clause headers ("What to
  do") are named in answers only, never in prompts. A row with only one usable value becomes a plain
  question about that cell ("What is the output of the HP-7 model?" -> "7 kW", task `table_cell`, a
  verbatim span). When the first header is a single noun ("Branch", "Phase", "Event") it names the kind
  of thing and is kept in the subject: "... of the Harbourside branch?". A one-word label ("Review",
  "Researcher") could be any review or researcher, so the page's top heading follows it: "... of the
  Review phase (Getting PRA clearance)?".
- **key_value** table: two columns of one thing's attributes ("Property | Value", "Address | 14 Wharf
  Street") under a heading that names the thing ("Leeds office"): "What is the address of the Leeds
  office?" -> the value cell (`table_cell`). Not asked under a vague heading ("Office details") or from
  the document title, which names the handbook rather than the thing.
- **spec_columns**: a specification sheet with one column per product ("Specification | Cell 10 | Cell
  15"): each product is one example, "What are the specifications of Cell 10?", answered with its rows.
- **matrix** (a ladder): one axis holds levels or roles (L2, L3 / "Senior SRE (L3)" / "Grade 7") and the
  other the criteria they are judged on (Scope, Mastery, Impact), in a section or document about a career
  ladder, levels or competencies. Each level is one example asking what is expected at that level,
  answered with every criterion (`- **Scope**: ...`, task `table_level`); the levels may be rows or
  columns (then the first header is a word like "Criterion" or empty). A bare level code ("L3") says
  nothing alone, so the question names the ladder from the heading or title ("What is expected at level L3
  of the SRE career ladder?") and is not asked when neither names one.
- **other**: everything else yields nothing. Empty or markup headers, ragged rows (merged cells), more
  than MAX_VALUE_COLUMNS value columns, labels that are numbers, dates, sentences or actions (a process
  table's "Supervisor submits the request"), first headers that make the rows steps, dates or notes
  rather than things ("Action", "Date", "Work week"), transposed comparisons (empty or "Area" first header
  over options that are not levels), and tables where under half the value cells hold a real value.

Per cell, a value is dropped when it is not a real answer: empty, a placeholder or check mark ("Y", "N",
"Yes", "✓", "-", "n/a"), HTML or template tags, a bare URL, a reference-style link whose target is
elsewhere, or a bare number under a header that does not name a quantity ("Days", "Price", "Phone"). A
column is dropped when its header is neither a noun nor a wh-clause ("Government-owned", "Helps with",
"Dial-in option?", "With active CarePlan", "Customer pays") or when it holds no real value. Subjects and
headers in a prompt must be plain text (wrapping bold is removed; links, code, HTML or other markup skip
the row), so no prompt carries markup; answers keep the cells verbatim, links and bold included. No
"Summarise the table" example is made for the other shapes: its only grounded answer is the table
itself, which is not a summary, and precision comes first.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.blocks import Block, table_cells
from pipeline.config import GenerateConfig
from pipeline.generate.anchor import heading_name
from pipeline.generate.common import (
    CONTAINER_HEADING,
    NO_ARTICLE,
    WH_WORDS,
    choose,
    example,
    lower_first,
    pair,
    topic,
)
from pipeline.generate.subject import is_name
from pipeline.generate.verbs import gerund_base
from pipeline.generate.written import named_words

Cell = tuple[str, int, int]  # text, start, end (offsets in the section body)

MAX_VALUE_COLUMNS = 6  # wider tables are matrices of flags or layouts, not one thing's attributes
LISTED_COLUMNS = 3  # a question names at most this many columns; wider rows are asked for as "the details"
LISTED_WORDS = 5  # "annual fee and items on loan"; a longer list reads as a row pasted in
MAX_LEVELS = 8
MAX_SUBJECT_WORDS = 8
MIN_REAL_SHARE = 0.5  # sparser tables are layouts or checklists, not data

PLACEHOLDERS = {
    "", "y", "n", "yes", "no", "x", "✓", "✔", "✔️", "✅", "✗", "✘", "❌", "-", "--", "—", "–", "n/a", "na", "n.a.",
    "tbd", "tba", "?", "...", "…", "true", "false", "null", "y/n",
}  # fmt: skip
QUANTITY_WORDS = {
    "age", "amount", "budget", "capacity", "code", "cost", "costs", "count", "credits", "day", "days", "distance",
    "duration", "ext", "extension", "fee", "fees", "frequency", "height", "hours", "id", "length", "limit", "max",
    "maximum", "min", "minimum", "minutes", "months", "no", "number", "output", "percent", "percentage", "phone",
    "points", "population", "power", "price", "prices", "quantity", "rate", "room", "salary", "score", "seats",
    "size", "speed", "telephone", "temperature", "total", "version", "volume", "weeks", "weight", "width", "year",
    "years", "zip", "postcode", "%", "#",
}  # fmt: skip
UNIT_WORDS = {
    "day", "days", "hour", "hours", "hrs", "min", "mins", "minute", "minutes", "week", "weeks", "month", "months",
    "year", "years", "per", "to", "and", "or", "of", "am", "pm", "kw", "kg", "km", "mb", "gb", "total",
}  # fmt: skip
ADJECTIVES = {
    "required", "optional", "mandatory", "available", "supported", "enabled", "allowed", "public", "private",
    "internal", "external", "active", "free", "paid", "billable", "done", "complete", "open", "closed", "new", "old",
}  # fmt: skip
ED_NOUNS = {"need", "needed", "speed", "feed", "seed", "bed", "red", "embed", "shed", "breed"}
PREPOSITIONS = {"with", "for", "of", "to", "by", "in", "on", "at", "from", "about", "into", "as", "like"}
PRONOUNS = {"i", "you", "we", "they", "he", "she", "it", "who", "whom", "this", "that", "is", "are", "do", "does"}
# A first header naming steps, dates or notes: its rows are events or sentences, not things with attributes.
NOT_THINGS = {
    "action", "actions", "step", "steps", "task", "tasks", "activity", "activities", "description", "note",
    "notes", "comment", "comments", "example", "examples", "question", "questions", "date", "dates", "day",
    "days", "time", "times", "year", "years", "month", "months", "week", "weeks", "when", "deadline", "#", "no",
    "no.", "number",
}  # fmt: skip
# A first header over rows of criteria: the columns are the subjects.
CRITERION_HEADERS = {
    "", "criterion", "criteria", "competency", "competencies", "skill", "skills", "area", "areas", "dimension",
    "dimensions", "aspect", "aspects", "attribute", "attributes", "expectation", "expectations", "category",
    "feature", "features",
}  # fmt: skip
# Two-column tables whose first header names keys or second header names values hold one thing's attributes.
KEY_HEADERS = {"property", "properties", "field", "key", "attribute", "setting", "parameter", "detail", "fact"}
VALUE_HEADERS = {"value", "values", "details", "detail", "info", "information", "data"}
# Heading words that do not name a thing a key-value table could describe ("Office details").
VAGUE_SUBJECTS = {
    "details", "detail", "information", "info", "overview", "summary", "metadata", "facts", "data", "specs",
    "specifications", "properties", "settings", "glance", "table", "reference", "contacts", "contact",
}  # fmt: skip
# A first value column that describes the row's subject: the row answers "What is <subject>?".
DESCRIPTIVE = {"description", "summary", "overview", "purpose", "about", "definition", "explanation"}
# First headers too generic to name the kind of thing in a subject ("the Harbourside branch").
GENERIC_KINDS = {
    "name", "title", "type", "id", "key", "label", "entry", "field", "value", "option", "thing", "term", "item",
    "check", "specification", "spec", "code",
}  # fmt: skip
# A header ending in one of these reads as a clause ("Customer pays", "Team owns"), not an attribute's name.
VERBS_S = {
    "pays", "does", "gets", "needs", "owns", "means", "happens", "applies", "covers", "includes", "says", "goes",
    "takes", "makes", "gives", "uses", "works", "runs", "handles", "provides", "requires", "receives", "sends",
    "approves", "decides", "sets", "leads", "helps", "sees", "knows", "wants", "can", "should", "must", "will",
}  # fmt: skip
# A first header over rows of specifications with one column per product: the columns are the subjects.
SPEC_HEADERS = {"specification", "specifications", "spec", "specs"}
# Error-code tables: a code label ("E201") under "Code", asked about as "What does error code E201 mean?"
CODE_HEADERS = {"code", "codes", "error", "fault"}
CODE = re.compile(r"[A-Z]{1,4}-?\d{1,5}[A-Za-z]?")
MEANING_HEADERS = {"meaning", "description", "cause", "problem", "fault", "error", "message"}
ACTION_HEADERS = {"what to do", "action", "fix", "resolution", "solution", "remedy", "next step", "next steps"}

LEVEL_CODE = r"(?:L|IC|GS-?)\d{1,2}|(?:level|grade|band)\s+(?:\d{1,2}|[IVX]{1,4}|[A-F])"
LEVEL = re.compile(
    rf"\b(?:{LEVEL_CODE})\b|^(?:junior|associate|mid-level|intermediate|senior|staff|principal|lead|"
    r"distinguished|entry-level|intern)\b",
    re.I,
)
BARE_LEVEL = re.compile(rf"(?:{LEVEL_CODE})", re.I)
LADDER_CONTEXT = re.compile(
    r"career|ladder|\blevels?\b|competenc|expectation|progression|promotion|rubric|seniority|\bgrades?\b|criteri", re.I
)
LADDER_NOUN = re.compile(r"ladder|framework|career|track|path|progression|matrix|rubric", re.I)
EMPHASIS = re.compile(r"^(\*\*|__)(?P<inner>[^*_]+?)\1$")
MARKUP = re.compile(r"[\[\]<>{}`*_|#\\~]|https?:|www\.")
HTML = re.compile(r"<(?!https?://|mailto:)[a-zA-Z/!][^>]*>|\{[%{]|[%}]\}|&[a-z]+;")
BARE_URL = re.compile(r"<?https?://\S+?>?")  # an address alone says nothing a question could ask for
REFERENCE_LINK = re.compile(r"\]\[[^\]]*\]")  # [text][ref]: the target is defined elsewhere in the page
NUMBER = re.compile(r"[-+]?[$€£]?\d[\d,.]*\s?%?")
MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.I)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")


@dataclass(frozen=True)
class Table:
    header: list[str]  # raw header cells
    rows: list[list[Cell]]
    start: int  # offsets of the table in the section body
    end: int


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    offset = section["body_start"]
    for block in blocks:
        if block.kind != "table":
            continue
        table = read_table(block)
        if table is None:
            continue
        kind = shape(table, section)
        if kind == "entity":
            yield from entity_examples(table, section, cfg, offset)
        elif kind == "key_value":
            yield from key_value_examples(table, section, cfg, offset)
        elif kind in ("matrix_rows", "matrix_columns"):
            yield from level_examples(table, section, cfg, offset, by_rows=kind == "matrix_rows")
        elif kind == "spec_columns":
            yield from level_examples(table, section, cfg, offset, by_rows=False, specs=True)


def read_table(block: Block) -> Table | None:
    """A GFM table (header, delimiter row, body rows) with every row as wide as its header; else None."""
    lines = block.text.split("\n")
    if len(lines) < 3 or not re.fullmatch(r"\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*", lines[1]):
        return None
    header, rows = table_cells(block)
    if any(len(row) != len(header) for row in rows) or not rows:
        return None  # merged or ragged cells: positions no longer say which header a value belongs to
    return Table(header, rows, block.start, block.end)


def shape(table: Table, section: dict) -> str:
    """'entity', 'key_value', 'spec_columns', 'matrix_rows' (levels are rows), 'matrix_columns' or 'other'."""
    header = [plain(cell) for cell in table.header]
    first_raw = unwrap(table.header[0]).strip().lower()
    if len(header) < 2 or any(cell is None for cell in header[1:]):
        return "other"  # an empty or markup header: nothing to name the values by
    labels = [plain(row[0][0]) for row in table.rows]
    context = " ".join([section.get("section") or "", section.get("title") or "", *table.header])
    ladder = LADDER_CONTEXT.search(context) is not None
    if first_raw in CRITERION_HEADERS:  # the columns are the subjects, the rows their criteria
        levels = [level for level in header[1:] if level is not None]  # none is None: checked above
        if ladder and 2 <= len(levels) <= MAX_LEVELS and all(LEVEL.search(level) for level in levels):
            return "matrix_columns" if sum(label is not None for label in labels) >= 2 else "other"
        return "other"  # a transposed comparison of options: no subject per row
    if first_raw in SPEC_HEADERS and all(spec_column(name or "") for name in header[1:]) and len(header) <= 5:
        rows = [plain(label) for label in labels if label]
        return "spec_columns" if len(rows) >= 2 and all(noun_header(row) for row in rows if row) else "other"
    if len(header) == 2 and (first_raw in KEY_HEADERS or last_word(header[1] or "") in VALUE_HEADERS):
        return key_value_shape(table, section)
    if header[0] is None or not noun_header(header[0]) or last_word(header[0]) in NOT_THINGS:
        return "other"
    if ladder and 2 <= len(labels) <= MAX_LEVELS and all(label and LEVEL.search(label) for label in labels):
        return "matrix_rows" if len(header) >= 3 else "other"
    code_table = last_word(header[0]) in CODE_HEADERS
    subjects = [subject(label, code_table) for label in labels]
    if sum(s is not None for s in subjects) * 2 < len(subjects):
        return "other"  # mostly numbers, dates, sentences or markup in the first column: not names of things
    named = [s.casefold() for s in subjects if s]
    if len(set(named)) != len(named):
        return "other"  # the first column does not key the rows
    columns = value_columns(table)
    nouns = [i for i in columns if noun_header(plain(table.header[i]) or "")]
    if not (nouns or code_table) or len(columns) > MAX_VALUE_COLUMNS:
        return "other"
    real = sum(real_value(row[i][0], table.header[i]) for row in table.rows for i in columns)
    return "entity" if real >= MIN_REAL_SHARE * len(table.rows) * len(columns) else "other"


def key_value_shape(table: Table, section: dict) -> str:
    """A two-column table of one thing's attributes ('Address | 12 Quay Street') under a heading naming the thing."""
    keys = [plain(row[0][0]) for row in table.rows]
    if not key_value_subject(section) or any(key is None or not noun_header(key) for key in keys):
        return "other"
    if len({key.casefold() for key in keys if key}) != len(keys):
        return "other"
    real = sum(real_value(row[1][0], row[0][0]) for row in table.rows)
    return "key_value" if real >= MIN_REAL_SHARE * len(table.rows) else "other"


def key_value_subject(section: dict) -> str | None:
    """The thing a key-value table describes: the section heading as a noun phrase ('the Leeds office').

    Not the document title: a handbook's title names the handbook, not the office its table describes.
    """
    text = plain(section.get("heading") or "")
    if not text or CONTAINER_HEADING.search(text) or last_word(text) in VAGUE_SUBJECTS or "," in text:
        return None  # "San Francisco, CA": a place, not the office its table describes
    if topic(text)[0] != "noun" or len(text.split()) > MAX_SUBJECT_WORDS:
        return None
    return noun_phrase(text, section.get("body") or "")


def key_value_examples(table: Table, section: dict, cfg: GenerateConfig, offset: int) -> Iterator[dict]:
    """'What is the address of the Leeds office?' -> the value cell, one example per attribute row."""
    who = key_value_subject(section)
    for row in table.rows:
        key, (value, start, end) = plain(row[0][0]), row[1]
        if not key or not who or not real_value(value, key):
            continue
        template = choose(
            ("What {verb} the {name} of {who}?", "What {verb} the {name} for {who}?"), cfg.seed, section["doc_id"], key
        )
        question = template.format(verb="are" if plural(key) else "is", name=phrase(key), who=who)
        yield example(section, cfg, "table_cell", pair(question, value), offset + start, offset + end)


# Columns whose cells describe a document or a link rather than a fact about the row ("Resource | Use": "What is
# the use of the Mid-Year checklist resource?" answered by "Mid-Year performance management steps").
UNASKED_HEADERS = {"use", "uses", "usage", "purpose", "link", "links", "url", "website", "where to find it"}


def value_columns(table: Table) -> list[int]:
    """Indexes of the columns whose header is a plain noun (or a wh-clause such as "What to do", named only in
    answers) and that hold at least one real value."""
    keep = []
    for i, raw in enumerate(table.header[1:], start=1):
        name = plain(raw)
        if (
            name
            and name.casefold() not in UNASKED_HEADERS
            and (noun_header(name) or clause_header(name))
            and any(real_value(row[i][0], raw) for row in table.rows)
        ):
            keep.append(i)
    return keep


def spec_column(name: str) -> bool:
    """A column header naming a product in a specification table ('Cell 10'), not a value or a clause."""
    return bool(name) and last_word(name) not in VALUE_HEADERS and not clause_header(name) and noun_header(name)


def entity_examples(table: Table, section: dict, cfg: GenerateConfig, offset: int) -> Iterator[dict]:
    columns = value_columns(table)
    kind = plain(table.header[0]) or ""
    code_table = last_word(kind) in CODE_HEADERS
    for row in table.rows:
        label = subject(plain(row[0][0]), code_table)
        if not label or "," in label:
            continue  # "San Francisco, CA": a place whose row is an office the label does not name
        values = [(plain(table.header[i]) or "", row[i]) for i in columns if real_value(row[i][0], table.header[i])]
        if not values:
            continue
        question = entity_question(label, kind, [name for name, _ in values], section, cfg)
        if not question:
            continue
        if len(values) == 1 and noun_header(values[0][0]):
            value, start, end = values[0][1]
            if description_fragment(value):
                continue  # "Site where IDPs are created": a row's description, asked as what the row is
            yield example(section, cfg, "table_cell", pair(question, value), offset + start, offset + end)
        else:
            answer = "\n".join(f"- **{name.strip()}**: {value}" for name, (value, _, _) in values)
            end = row[-1][2]
            yield example(section, cfg, "table_entry", pair(question, answer), offset + table.start, offset + end)


def entity_question(label: str, kind: str, names: list[str], section: dict, cfg: GenerateConfig) -> str | None:
    """The question a row answers, from what its columns hold (see the module docstring)."""
    body = section.get("body") or ""
    first = names[0].lower()
    if last_word(kind) in CODE_HEADERS and CODE.fullmatch(label):
        if first not in MEANING_HEADERS:
            return None
        heading = f"{section.get('heading') or ''} {kind}".lower()
        what = "error code" if "error" in heading else "fault code" if "fault" in heading else "code"
        act = any(name.lower() in ACTION_HEADERS for name in names)
        return f"What does {what} {label} mean" + (", and what should be done?" if act else "?")
    if last_word(first) in VALUE_HEADERS:  # "Check | Value | Note": the label is the attribute asked for
        name = sentence_case(label, body)
        article = "" if name.split()[0].lower() in NO_ARTICLE else "the "
        where = context(label, section, always=True)
        if where:  # "Commissioning values: what is the minimum flow rate (HP-9)?"
            return f"{where.strip(' ()')}: what is {article}{name}?"
        return f"What is {article}{name}?"
    who = with_kind(sentence_case(label, body), kind) + context(label, section)
    if last_word(first) in DESCRIPTIVE and len(names) > 1:
        return None  # a card of fields ("Description, Format, Guidance, Resource(s)") answers no "What is X?"
    if last_word(first) in DESCRIPTIVE:  # the row describes its subject: ask what it is
        common = who != label or len(label.split()) == 1  # 'board games', 'Books'; not 'Tech Operations'
        return f"What are {who}?" if plural(label) and common and not who.startswith("the ") else f"What is {who}?"
    nouns = [name for name in names if noun_header(name)]
    if len(names) == 1 and nouns:
        verb = "are" if plural(names[0]) else "is"
        templates = ("What {verb} the {name} of {who}?", "What {verb} the {name} for {who}?")
        template = choose(templates, cfg.seed, section["doc_id"], label, names[0])
        return template.format(verb=verb, name=phrase(names[0]), who=who)
    if (
        len(nouns) == len(names) <= LISTED_COLUMNS
        and sum(len(re.sub(r"\([^)]*\)", "", name).split()) for name in names) <= LISTED_WORDS
        and not any(len([w for w in name.split() if w.lower() not in PREPOSITIONS]) >= 3 for name in names)
    ):
        listed = ", ".join(phrase(name) for name in names[:-1]) + " and " + phrase(names[-1])
        templates = ("What are the {listed} of {who}?", "What are the {listed} for {who}?")
        template = choose(templates, cfg.seed, section["doc_id"], label)
        return template.format(listed=listed, who=who)
    return f"What are the details of {who}?" if nouns and len(names) > LISTED_COLUMNS else None


def level_examples(
    table: Table, section: dict, cfg: GenerateConfig, offset: int, by_rows: bool, specs: bool = False
) -> Iterator[dict]:
    """One example per level (or per product of a specification table): every criterion as a Markdown list."""
    if by_rows:
        levels = [(row[0][0], i) for i, row in enumerate(table.rows)]
        criteria = [(table.header[j], j) for j in range(1, len(table.header))]
    else:
        levels = [(table.header[j], j) for j in range(1, len(table.header))]
        criteria = [(row[0][0], i) for i, row in enumerate(table.rows)]
    for raw_level, level_index in levels:
        level = plain(raw_level)
        question = (
            (f"What are the specifications of {level}?" if specs else level_question(level, section)) if level else None
        )
        if not question:
            continue
        lines, end = [], table.end
        for raw_criterion, criterion_index in criteria:
            name = plain(raw_criterion)
            row, column = (level_index, criterion_index) if by_rows else (criterion_index, level_index)
            value = table.rows[row][column][0]
            if name and real_value(value, raw_criterion):
                lines.append(f"- **{name}**: {value}")
        if by_rows:
            end = table.rows[level_index][-1][2]
        if len(lines) >= 2:
            task = "table_entry" if specs else "table_level"
            yield example(section, cfg, task, pair(question, "\n".join(lines)), offset + table.start, offset + end)


def level_question(level: str, section: dict) -> str | None:
    """'What is expected of a Senior SRE (L3)?'; a bare 'L3' is asked about within the ladder the heading names."""
    if BARE_LEVEL.fullmatch(level):
        ladder = ladder_name(section)
        if not ladder:
            return None
        at = lower_first(level) if level.split()[0].lower() in ("level", "grade", "band") else f"level {level}"
        return f"What is expected at {at} of {ladder}?"
    if len(level.split()) > MAX_SUBJECT_WORDS:
        return None
    last = level.split()[-1]
    if plural(level) and not last.isupper():
        return f"What is expected of {level}?"
    return f"What is expected of {article(level)} {level}?"


def ladder_name(section: dict) -> str | None:
    """The section heading or document title as a noun phrase naming a ladder ('the SRE career ladder')."""
    for candidate in (section.get("heading") or "", section.get("title") or ""):
        text = plain(candidate)
        if not text or CONTAINER_HEADING.search(text) or not LADDER_NOUN.search(text):
            continue
        if topic(text)[0] == "noun":
            return noun_phrase(text, section.get("body") or "")
    return None


def noun_phrase(heading: str, body: str) -> str:
    """'SRE career ladder' -> 'the SRE career ladder'; 'Leeds office' stays capitalised when the body writes
    'Leeds' capitalised mid-sentence (a name), else 'Career ladder' -> 'the career ladder'."""
    phrase = sentence_case(heading, body)
    return phrase if heading.split()[0].lower() in NO_ARTICLE else f"the {phrase}"


def sentence_case(name: str, body: str) -> str:
    """'Annual leave' -> 'annual leave' inside a question; names stay: 'Travel 101', 'Intro to Agreements', 'Leeds
    office' when the body writes 'Leeds' capitalised mid-sentence."""
    first, *rest = re.sub(r"\s*\([^()]*\)$", "", name).split()  # a trailing "(HP-12)" does not make a name
    common = rest and all(re.fullmatch(r"[a-z][a-z'’-]*", word) for word in rest)
    return lower_first(name) if common and not proper(first, body) else name


def proper(word: str, text: str) -> bool:
    """Is `word` written capitalised after a lowercase word or a comma in `text` (so a name, not a sentence start)?"""
    return word[:1].isupper() and re.search(rf"[a-z,;] {re.escape(word)}\b", text) is not None


def plain(cell: str | None) -> str | None:
    """The cell as plain text (wrapping bold removed), or None when empty or carrying markup, links or HTML."""
    if cell is None:
        return None
    text = unwrap(cell).strip()
    if not text or MARKUP.search(text) or HTML.search(text):
        return None
    return text


def unwrap(cell: str) -> str:
    match = EMPHASIS.fullmatch(cell.strip())
    return match.group("inner") if match else cell


def subject(label: str | None, code: bool = False) -> str | None:
    """A first-column label that names a thing: not a number, a date, a sentence or a placeholder.

    Under a "Code" header a code ("E201") names the thing too.
    """
    if not label or len(label.split()) > MAX_SUBJECT_WORDS or label.casefold() in PLACEHOLDERS:
        return None
    if not label[:1].isalnum() or label.endswith(("-", "_", "/")):
        return None  # "-partner", "admins-": a prefix or suffix of names, not a thing
    if code and CODE.fullmatch(label):
        return label
    if (MONTH.search(label) and re.search(r"\d", label)) or DATE.search(label):
        return None
    words = [word.lower() for word in re.findall(r"[A-Za-z]{2,}", label)]
    if not [word for word in words if word not in UNIT_WORDS]:
        return None  # "5 days", "1-3", "0"
    if label.endswith((".", "!", "?", ":")) and len(label.split()) > 3:
        return None  # a sentence
    first, *rest = label.lower().split()
    if first.endswith("ing") and rest and rest[0] in ("the", "a", "an", "your", "our", "this", "their"):
        return None  # an action ("Using the clearance"), not a thing
    return label


def noun_header(name: str) -> bool:
    """Does a header read as a noun naming an attribute ('Opening hours', 'Price', 'Owner')?"""
    words = name.split()
    if not 1 <= len(words) <= 5 or not re.search(r"[A-Za-z]{2,}", name):
        return False
    if (
        name.endswith(("?", "...", "…"))
        or ":" in name
        or name.casefold() in PLACEHOLDERS
        or ("/" in words[0] and len(name) <= 5)
    ):
        return False
    first, last = words[0].lower(), words[-1].lower().strip("()")
    if first in WH_WORDS or first in PRONOUNS or first in PREPOSITIONS or last in PREPOSITIONS:
        return False  # "What it does", "With active CarePlan", "Helps with"
    if len(words) > 1 and last in VERBS_S:
        return False  # "Customer pays"
    if last in ADJECTIVES or (last.endswith("ed") and last not in ED_NOUNS and len(last) > 4):
        return False  # "Government-owned", "Required", "Supported"
    return not (last.endswith(("able", "ible")) and last not in ("table", "cable", "timetable"))


def clause_header(name: str) -> bool:
    """A header that is a wh-clause ('What to do', 'What it means for you'): fit for an answer's list, not a prompt."""
    words = name.split()
    return 2 <= len(words) <= 6 and words[0].lower() in WH_WORDS and not name.endswith(("?", "...", "…"))


def description_fragment(value: str) -> bool:
    """A cell of four or more words that is neither a sentence nor a figure ("Site where IDPs are created", "OLU
    course on how to develop an IDP"): graded blind, a question answered by it was dropped as a fragment."""
    text = unwrap(value).strip().strip("*_ ")
    return len(text.split()) >= 4 and not re.search(r"[.!?]$|\d", text)


def real_value(value: str, header: str) -> bool:
    """A cell that answers a question: not a placeholder, a check mark, HTML, or a bare number in a non-quantity."""
    text = unwrap(value).strip()
    bare = re.sub(r"^[*_]+|[*_]+$", "", text).strip()
    if (
        bare.casefold() in PLACEHOLDERS
        or HTML.search(text)
        or REFERENCE_LINK.search(text)
        or not re.search(r"\w", bare)
    ):
        return False
    if BARE_URL.fullmatch(bare) or bare.casefold() == unwrap(header).strip().casefold():
        return False  # a URL, or a link's text that only repeats its column ("Office guide | Office Guide")
    if NUMBER.fullmatch(bare):
        words = {word.lower() for word in re.findall(r"[\w%#]+", unwrap(header))}
        return bool(words & QUANTITY_WORDS)
    return True


def context(label: str, section: dict, always: bool = False) -> str:
    """' (Getting PRA clearance)' after a one-word label ('Review', 'Researcher'), which alone could be any
    review or researcher: the top heading of the section's path below the title, or else the title."""
    if not always and not re.fullmatch(r"[A-Z][a-z]+(?:-[a-z]+)?", label):
        return ""
    title = section.get("title") or ""
    parents = [heading for heading in (section.get("section") or "").split(" > ")[:-1] if heading != title]
    own = [section.get("heading") or ""] if always else []
    for candidate in (*own, parents[0] if parents else "", title):
        text = plain(candidate)
        if (
            text
            and not CONTAINER_HEADING.search(text)
            and (always or text != section.get("heading"))
            and len(text) <= 60
        ):
            if heading_name(text, frozenset(named_words(section.get("body") or ""))):
                return f" in {text}"  # "Harbourside" in "Leeds": a place or a product the label belongs to
            words = text.split()
            if not always and len(words) > 1 and gerund_base(words[0], words[1]):
                lowered = " ".join(word if is_name(word) else word.lower() for word in words)
                return f" when {lowered}"  # "the Review phase when getting research clearance"
            return f" ({text})" if always else ""  # asked as "Commissioning values: what is ...?"
    return ""


def with_kind(label: str, kind: str) -> str:
    """'Harbourside' under 'Branch' -> 'the Harbourside branch'; labels under other headers stay as they are."""
    word = kind.strip()
    if (
        " " in word
        or not word.isalpha()
        or word.lower() in GENERIC_KINDS
        or word.lower() in NOT_THINGS
        or plural(word)
        or {word.lower(), word.lower() + "s"} & set(label.lower().split())
        or "," in label
        or " and " in label
        or plural(label)
        or label.lower().startswith("the ")
    ):
        return label
    return f"the {label} {word.lower()}"


def phrase(header: str) -> str:
    """A header as it reads inside a question: 'Opening hours' -> 'opening hours', 'OWNER' -> 'owner'."""
    header = header.strip()
    return header.lower() if header.isupper() and len(header) > 3 else lower_first(header)


def plural(name: str) -> bool:
    head = re.split(r"\s+(?:" + "|".join(PREPOSITIONS) + r")\s+", name.strip(), maxsplit=1)[0]
    last = head.split()[-1].lower().strip("()") if head.split() else ""
    return (last.endswith("s") and not last.endswith(("ss", "us", "is"))) or last.endswith("(s)")


def article(noun: str) -> str:
    first = noun.split()[0]
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    lower = first.lower()
    if lower.startswith(("uni", "use", "usu", "one", "eu")):
        return "a"
    return "an" if lower[:1] in "aeiou" else "a"


def last_word(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""
