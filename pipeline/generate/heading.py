"""A section answered by its whole body: the heading, phrased as a question a person would ask, is the prompt.

The answer is the section's entire body (paragraphs, lists, code, tables as written), so it answers the
question completely; a section with sub-sections is left to them, because its own body is only an
introduction. A heading that names no subject yields a refusal (reason `no_subject`) instead of a weak
prompt: pipeline.generate.subject says which headings can be asked about and how.
"""

import re
from collections.abc import Iterator

from pipeline.blocks import Block
from pipeline.config import GenerateConfig
from pipeline.generate.anchor import Page, anchor
from pipeline.generate.common import CONTAINER_HEADING, choose, example, pair, refusal
from pipeline.generate.scope import organisation_use, within_parent
from pipeline.generate.subject import ABOUT, OPENINGS, VERBS, clean_heading, phrase_heading
from pipeline.generate.verbs import base_verb, gerund, inflections, instruction, lemmas, only_verb

# Open questions ("What should I know about X?") need an answer that covers X; one line under them is a stub.
BROAD = (*OPENINGS, "How do I go about", "Can you give me an overview")
# Graded blind, open questions ("What should I know about X?") answered in under 300 characters were kept a third
# of the time (a part of X, a stub), and so were those about "X and Y" (two subjects, an answer about one).
MIN_BROAD_ANSWER = 300
PSEUDO_HEADING = re.compile(r"^(?:\*\*|__)[^*_\n]{2,80}(?:\*\*|__):?$")
OWN_EXTRACTORS = ("qa", "dialogue", "definitions")  # blocks another extractor reads as pairs of their own


def extract(section: dict, blocks: list[Block], cfg: GenerateConfig) -> Iterator[dict]:
    if any(block.kind == "paragraph" for block in blocks):
        yield from whole_body(section, blocks, cfg, "heading")


def whole_body(section: dict, blocks: list[Block], cfg: GenerateConfig, task: str) -> Iterator[dict]:
    """One example asking the section's heading, answered by all of its body; or one refusal saying why not."""
    heading = askable_heading(section)
    if heading is None or any(block.kind in OWN_EXTRACTORS for block in blocks):
        return
    if any(PSEUDO_HEADING.match(block.text) for block in blocks[1:]):
        return  # a bold line standing as a heading splits the body into topics the heading does not name
    if len(section["body"]) < cfg.min_body_chars and task != "list":  # a list of two or more items is whole
        return
    ancestors = [name for name in reversed(section["section"].split(" > ")[:-1]) if name]
    context = [*ancestors, section["title"] or ""] if section["heading"] else []
    variant = int(choose("0123456789", cfg.seed, section["doc_id"], section["section"]))
    phrased = phrase_heading(heading, context, section["body"], variant)
    start, end = section["body_start"], section["body_end"]
    if phrased.prompt is None:
        yield refusal(section, cfg, task, heading, section["body"], start, end, "no_subject", phrased.reason)
        return
    prompt: str = phrased.prompt
    if prompt.startswith(BROAD) and two_subjects(clean_heading(heading)):
        detail = "an open question about two subjects ('X and Y'): its answer seldom covers both"
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "two_subjects", detail)
        return
    if prompt.startswith("How do I") and not tells_how(section["body"]):
        detail = "a how-to question over a body with no steps or instructions (it describes or points elsewhere)"
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "no_steps", detail)
        return
    if prompt.startswith("How do I") and not gives_steps(prompt, section["body"]):
        prompt = about_the_task(prompt, variant)
    page = section.get("page") or Page()
    prompt = as_the_body_says(prompt, section["body"])
    scoped = within_parent(organisation_use(prompt, section["body"]), heading, section["body"], ancestors, page.names)
    if scoped.prompt is None:
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "needs_context", scoped.reason)
        return
    anchored = anchor(scoped.prompt, page, ancestors=ancestors)
    if anchored.prompt is None:
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "needs_context", anchored.reason)
        return
    prompt = anchored.prompt
    if is_index(section["body"]):
        detail = "the body is a list of titles (links whose targets are gone): it points elsewhere, it says nothing"
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "link_list", detail)
        return
    if prompt.startswith(BROAD) and len(section["body"]) < MIN_BROAD_ANSWER and task != "list":
        detail = f"a broad question answered by {len(section['body'])} characters (fewer than {MIN_BROAD_ANSWER})"
        yield refusal(section, cfg, task, prompt, section["body"], start, end, "thin_answer", detail)
        return
    yield example(section, cfg, task, pair(prompt, section["body"]), start, end)


def askable_heading(section: dict) -> str | None:
    """The heading whole_body may ask about, or None for a section it never answers whatever its blocks: no
    heading, a question (the faq extractor's), a container of other content, or a section with sub-sections."""
    heading = section["heading"] or (section["title"] if section["level"] == 0 else "")
    if not heading or heading.rstrip().endswith("?") or CONTAINER_HEADING.search(heading):
        return None
    return None if section.get("has_children") else heading


INSTRUCTION_PHRASE = re.compile(
    r"\b(?:you(?:'ll| will| can| need to| must| should| may)|to do (?:this|so)|by (?:clicking|selecting|going|"
    r"opening|sending|emailing|filling|submitting|using|asking))\b",
    re.I,
)


CAPITALISED_START = re.compile(r"(?:^|[.!?]\s+)([A-Z][a-z]+)\b")


def tells_how(body: str) -> bool:
    """The body gives steps: a list, an instruction ("Open the app", "Email the desk"), or what the reader
    does ("you can", "you need to"). Graded blind, "How do I ...?" over a description or a pointer to a
    user guide was dropped every time."""
    if LIST_ITEM.search(body) or INSTRUCTION_PHRASE.search(body):
        return True
    starts = CAPITALISED_START.findall(body)
    return any(base_verb(word) and word.lower() not in ("please", "note") for word in starts)


NUMBERED_ITEM = re.compile(r"^\s*\d{1,3}[.)]\s+", re.M)
SENTENCE_START = re.compile(
    r"(?:^|[.!?]\s+|^\s*(?:[-*+]|\d{1,3}[.)])\s+)(?:\*\*)?([A-Z][a-z]+(?: [\w'’-]+){0,3})", re.M
)
HOW_DO_I = re.compile(r"How do I (\w+)")
READER_DOES = re.compile(
    r"(?i)\b(?:you(?:'ll| will| can| need to| must| should)|to)(?:\s+(?:also|then|first|just))?\s+([a-z]+)\b"
)


def gives_steps(prompt: str, body: str) -> bool:
    """ "How do I X?" is answered: numbered steps, an imperative sentence or list item ("Submit a ticket",
    "Go to the F Street entrance"), or the reader told to do X ("you will need to submit ..."). Graded blind, a
    how-to question over a body that only describes X ("Travel comp time expires after a year", "you are
    responsible for returning your equipment") was dropped two times in three: the body says what to know about
    X, not how to do it."""
    if NUMBERED_ITEM.search(body):
        return True
    for start in SENTENCE_START.findall(body):
        words = start.split()
        if words[0].lower() in ("please", "note") or len(words) < 2:
            continue
        if instruction(words) or only_verb(words[0]) or (base_verb(words[0]) and words[1][:1].isupper()):
            return True  # "Use BookIt to reserve rooms": a verb before a name starts an instruction
    asked = HOW_DO_I.match(prompt)
    forms = inflections(asked.group(1)) if asked else set()
    return any(verb in forms for verb in READER_DOES.findall(body))


HOW_DO_I_TASK = re.compile(r"How do I (\w+)(.*)\?$")
SECOND_VERB = re.compile(r" (and|or) (\w+)\b")


def about_the_task(prompt: str, variant: int) -> str:
    """ "How do I return my equipment?" -> "What should I know about returning my equipment?": the question the
    body answers when it describes the task instead of giving its steps."""
    verb, rest = HOW_DO_I_TASK.match(prompt).groups()  # type: ignore[union-attr]
    second = SECOND_VERB.match(rest)  # "build and maintain relationships"
    if second and base_verb(second.group(2)):
        rest = f" {second.group(1)} {gerund(second.group(2))}{rest[second.end() :]}"
    return ABOUT[variant % len(ABOUT)].format(f"{gerund(verb)}{rest}")


WHAT_IS = re.compile(r"^What (is|are) (?:(?:the|an?) )?(.+)\?$")


def as_the_body_says(prompt: str, body: str) -> str:
    """ "What is Individual Development Plan?" over "An Individual Development Plan (IDP) is ..." -> "What is an
    Individual Development Plan?"; "What is the google calendar?" over "Google Calendar is ..." -> "What is Google
    Calendar?": a title-cased heading loses its article and its case, and the body's first words still have them.
    Graded blind, the first was dropped as ungrammatical."""
    asked = WHAT_IS.match(prompt)
    if not asked:
        return prompt
    verb, subject = asked.groups()
    opening = re.match(rf"[*_]*(?:(the|an?) )?({re.escape(subject)})(?!\w)", body.lstrip(), re.I)
    if not opening:
        return prompt
    article, named = opening.groups()
    if not article and named[1:] == subject[1:]:
        return prompt  # "Brand management means ...": a capital that only starts the sentence
    return f"What {verb} {article.lower() + ' ' if article else ''}{named}?"


AND_OR = re.compile(r"^(.*?)\s+(?:and|or|&)\s+(.+)$", re.I)


def two_subjects(heading: str) -> bool:
    """ "Laws and regulations", "Compliance and records considerations", "Booking and purchasing": two things,
    and graded blind the answer covered one. Not "Printing and scanning prices" or "Quiet and group study": a
    modifier before "and" shares the head noun after it."""
    match = AND_OR.search(heading)
    if not match:
        return False
    left, right = match.group(1).split(), match.group(2).split()
    modifier = len(left) == 1 and len(right) >= 2 and bool({"ADJ", "VERB"} & set(lemmas(left[0])))
    return not modifier


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$", re.M)
SENTENCE_PUNCTUATION = re.compile(r"[.!?:;,]\s*$|[.!?]\s")


def is_index(body: str) -> bool:
    """Most list items are bare titles (a few capitalised words, no sentence): a table of contents or a list of
    links whose targets the Markdown reader dropped ("- Performance plans", "- Supervisor")."""
    items = LIST_ITEM.findall(body)
    if len(items) < 2:
        return False
    titles = [
        item
        for item in items
        if len(item.split()) <= 6
        and not SENTENCE_PUNCTUATION.search(item)
        and item.split(" ", 1)[0].lower().strip("*") not in VERBS  # "Open the app": a step, not a title
    ]
    return len(titles) >= 0.6 * len(items) and sum(len(item) for item in items) >= 0.5 * len(body)
