"""A question taken out of its page names what it is about.

Under a page titled "Tock", "How do I change a reporting period I already filled out?" is clear; in a training set
it asks about nothing in particular, and a model taught it learns to answer vague questions with one team's tool.
So a prompt that names neither its page's subject nor any other name gets the page's context added where the
title gives one a question can carry:
- a name (a tool, a place: "Concur", "New York City") -> "... in Concur?";
- an activity ("Doing research at TTS", "Get access to Concur") -> "... when doing research at TTS?".
A page titled with an ordinary noun phrase ("Leave types", "Frequently Asked Questions") gives neither; its
prompt then stands alone only if it says enough by itself (three words that are not template words, two in a
question the authors wrote: "Who approves overtime?"), else it is refused (`needs_context`): "What is my user
type?" is not a question anyone can answer without the page.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.generate.subject import (
    GENERIC_WORDS,
    PAGE_WORDS,
    Phrased,
    clean_heading,
    first_person,
    is_name,
    page_name,
)
from pipeline.generate.verbs import gerund, gerund_base, instruction, lemmas

# Template and question words that say nothing about the subject.
FRAME = set(
    """a an the of for in on to at by with and or is are was were be been do does did can could should would will
i me my you your we our it its this that these those what which who whom whose when where why how give list describe
explain tell about overview summary know need needs there here some any all more most please get go going happens
happen happening so if than then also just within during before after once first second next last change
changes changing update updates updating new information have has had considered what's who's where's how's when's it's
that's i'm i've else""".split()
)
TITLE_CUT = re.compile(r"\s+[-–—:|&(]\s*.*$")  # "Leaving TTS & Offboarding" -> "Leaving TTS"
MIN_SPECIFIC_WORDS = 3
MIN_QUESTION_WORDS = 2  # a question as the page's authors wrote it
LABELS = {"procedure", "procedures", "process", "guide", "policy", "faq", "how-to", "howto", "runbook", "playbook",
          "checklist", "reference", "tutorial", "handbook", "manual", "sop", "note", "notes", "memo"}  # fmt: skip
NAME_AFTER = {"to", "in", "with", "at", "on", "for", "using", "into", "from", "via"}
WORD = re.compile(r"[^\W\d_][\w'’./-]*|\d\w*")
# Unions of the word sets above, made once (a union written inside a loop is built again for every word).
TITLE_LABEL_WORDS = PAGE_WORDS | GENERIC_WORDS | LABELS
GENERIC_OR_PAGE_WORDS = GENERIC_WORDS | PAGE_WORDS
NOT_A_STEM = FRAME | PAGE_WORDS
TITLE_TAIL_WORDS = PAGE_WORDS | LABELS | {"faq", "faqs"}
NOT_IN_A_NAME = NAME_AFTER | {"over", "under", "of"}
NAMED_PLACE = re.compile(r" in (?:the )?[A-Z0-9]")


@dataclass(frozen=True)
class Page:
    """What a page's title lets a question say about where it comes from."""

    name: str | None = None  # "Concur": "... in Concur?"
    activity: str | None = None  # "doing research at TTS": "... when doing research at TTS?"
    stems: frozenset[str] = frozenset()  # the title's content words
    names: frozenset[str] = frozenset()  # words the document writes as names


def page_context(title: str, names: set[str], always: frozenset[str] = frozenset()) -> Page:
    """`names`: words the document writes capitalised mid-sentence (its tools, teams and places); `always`:
    those of them it never writes in lower case ("Google" on the Google Calendar page)."""
    text = clean_heading(title or "")
    label, colon, rest = text.partition(": ")
    if colon and all(word.lower() in TITLE_LABEL_WORDS for word in label.split()):
        text = rest  # "Procedure: Commissioning a Brightwater Cell"
    text = TITLE_CUT.sub("", text)
    words = text.split()
    stems = frozenset(stem(word) for word in WORD.findall(text) if word.lower() not in NOT_A_STEM)
    name = title_name(text, names, always) or product_name(words, always)
    activity = title_activity(words, names)
    if name and activity and not gerund_base(words[0], words[1]):
        activity = None  # "Get access to Concur": "... in Concur?" says it shorter than "when getting access to"
    elif activity and name and name.split()[0] == words[0]:
        name = None  # "Leaving TTS & Offboarding": an activity, never "... in Leaving TTS?"
    return Page(name, activity, stems, frozenset(names))


def title_name(text: str, names: set[str], always: frozenset[str] = frozenset()) -> str | None:
    """The name a title is about: the whole title when it is a short name ("Concur", "New York City"), else a
    run of capitalised words after a preposition ("Get access to Concur", "Intro to TTS Tech Operations").
    A word counts as a name when it is an acronym or written capitalised mid-sentence in the document more
    often than in lower case: "Onboarding overview", "Code of conduct" and "Employment Verification" name none.
    What is left of a title once its label is cut names no place when it is mostly ordinary words ending in a noun:
    "18F Leadership Candidate Guide" is a guide for candidates, and graded blind "How do I nominate someone else in
    18F Leadership Candidate?" was dropped; "Brightwater Cell Guide" still names the Brightwater Cell."""
    words = text.split()
    labelled = bool(words) and words[-1].lower() in ("guide", "guides", "handbook")
    name = name_in_title(text, names, always)
    ordinary = [word for word in (name or "").split() if lemmas(word) and not is_name(word)]
    if name and labelled and len(ordinary) >= 2 and "NOUN" in lemmas(name.split()[-1]):
        return None
    return name


def name_in_title(text: str, names: set[str], always: frozenset[str]) -> str | None:

    def named(word: str) -> bool:
        return is_name(word) or word in names or word.lower() in ("of", "and", "the", "for")

    def proper(word: str) -> bool:  # not an English word at all: "York", "Tock", "Qualtrics"
        return is_name(word) or (word in names and not lemmas(word))

    words = text.split()
    while words and words[-1].lower() in TITLE_TAIL_WORDS:
        words = words[:-1]  # "Benefits FAQ", "Concur guide"
    tokens = WORD.findall(" ".join(words))
    capitalised = 0 < len(words) <= 3 and all(word[:1].isupper() or is_name(word) for word in words)
    if any(word.lower() in NOT_IN_A_NAME or word.startswith("$") for word in words):
        capitalised = False  # "Procurements Over $10,000": a title-cased topic, not a name
    if len(words) == 1 and words[0].endswith("s") and "NOUN" in lemmas(words[0]) and not is_name(words[0]):
        capitalised = False  # "Benefits": a topic, never "... in Benefits?"
    collection = len(tokens) > 1 and "NOUN" in lemmas(tokens[-1]) and tokens[-1].endswith("s")  # "Support Macros"
    numbered = len(tokens) == 2 and tokens[1].isdigit() and bool(lemmas(tokens[0]))  # "Play 2": a part of something
    if capitalised and not numbered and (all(map(named, tokens)) or (any(map(proper, tokens)) and not collection)):
        return " ".join(words)  # "HR Links", "New York City": written as a name in the document, or no English word
    whole = page_name([text])
    if whole and all(map(named, WORD.findall(whole))):
        return whole  # "Concur FAQ" -> "Concur"; not "Larkspur Logistics Employee (Handbook)"
    lead = []
    for word in words:
        if not (named(word) and word[:1].isupper()) or word.lower() in ("of", "and", "the", "for"):
            break
        lead.append(word)
    if lead and len(lead) <= 3 and any(map(proper, lead)) and lead != words[:1]:
        return " ".join(lead)  # "Brightwater Cell Home Batteries" -> "Brightwater Cell"
    first = words[0] if words else ""
    plural_noun = first.endswith("s") and "NOUN" in lemmas(first)  # "Benefits overview": a topic, not a name
    modifier = bool(lemmas(first)) and "NOUN" not in lemmas(first)  # "Paid parental leave": an adjective
    # An English word stands as a name only if the page never writes it in lower case ("Slack"): "Supervisor
    # responsibilities", "Internal hiring" and "Code of conduct" gave "In Code, ...", dropped when graded blind.
    proper_first = is_name(first) or not lemmas(first) or first in always
    if (
        len(words) > 1
        and first in names
        and proper_first
        and not plural_noun
        and not modifier
        and words[1][:1].islower()
        and words[1].lower() not in NAME_AFTER | {"and", "or", "&", "of"}
    ):
        return first  # "Slack channel usage and best practices" -> "Slack"; not "Conduct and norms"
    for index, word in enumerate(words[:-1]):
        if word.lower() not in NAME_AFTER:
            continue
        run, after = [], ""
        for following in words[index + 1 :]:
            plain = following.strip(",.;:()")
            if not plain[:1].isupper() and not is_name(plain):
                after = plain.lower()
                break
            run.append(plain)
        if after and after not in NAME_AFTER:
            continue  # "for Deaf and Hard of Hearing individuals": a modifier of what follows, not a name
        while run and run[-1].lower() in GENERIC_OR_PAGE_WORDS:
            run.pop()
        adjective = len(run) == 1 and set(lemmas(run[0])) == {"ADJ"}  # "for Deaf colleagues"
        if run and len(run) <= 3 and all(map(named, run)) and not adjective:
            return " ".join(run)
    return None


def product_name(words: list[str], always: frozenset[str]) -> str | None:
    """ "Google Calendar", "Google Groups": a short title-cased title whose first word the page never writes in
    lower case names a product, though its last word is an ordinary one the page also uses in lower case."""
    if 2 <= len(words) <= 3 and all(word[:1].isupper() for word in words) and words[0] in always:
        last = words[-1]
        collection = len(words) == 3 and last.endswith("s") and "NOUN" in lemmas(last)  # "Brightwater Heat Pumps"
        if last.lower() not in PAGE_WORDS | GENERIC_WORDS | LABELS and not collection:
            return " ".join(words)
    return None


def heading_name(heading: str, names: frozenset[str]) -> str | None:
    """An ancestor heading that is a name as a whole ("San Francisco", "Google Drive"), or None."""
    words = WORD.findall(clean_heading(heading))
    if not 0 < len(words) <= 3 or not all(word[:1].isupper() or is_name(word) for word in words):
        return None
    if all(is_name(word) or word in names for word in words) and any(not lemmas(w) or is_name(w) for w in words):
        return " ".join(clean_heading(heading).split())
    return None


def title_activity(words: list[str], names: set[str]) -> str | None:
    """ "Doing research at TTS" -> "doing research at TTS"; "Get access to Concur" -> "getting access to Concur"."""
    if (
        len(words) < 2
        or words[1].endswith("ly")
        or words[-1].isdigit()  # "Writing Lab 101": a name with a number
        or (words[1][:1].isupper() and not is_name(words[1]) and words[1] not in names)
    ):
        return None  # "Working effectively ...", "Writing Lab 101", "Hiring Authorities": names, not activities
    first = words[0]
    if gerund_base(first, words[1]) and first not in names:
        lead = first.lower()
    elif len(words) >= 3 and instruction(words):  # not "Google Groups"
        lead = gerund(first)
    else:
        return None
    rest = [
        word.lower() if word[:1].isupper() and lemmas(word) and not (is_name(word) or word in names) else word
        for word in words[1:]
    ]
    return first_person(" ".join([lead, *rest]))


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    word = word.lower().strip("'’.")
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"  # "batteries" -> "battery"
    for suffix in ("ings", "ing", "es", "s", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def names_something(prompt: str) -> bool:
    """A name of its own inside the prompt: "How do I log into Qualtrics?", "What is the TSP?"."""
    return names_any(WORD.findall(prompt))


def names_any(words: list[str]) -> bool:
    """A capital after the first word, or a word is_name calls a name. A lower-case word of letters alone (no
    capitals, digits or dots), most of a prompt, is neither, and is passed over first."""
    for index, word in enumerate(words):
        if word.islower() and word.isalpha():
            continue
        if (index and word[:1].isupper() and word != "I") or is_name(word):
            return True
    return False


def anchor(prompt: str, page: Page, min_words: int = MIN_SPECIFIC_WORDS, ancestors: Sequence[str] = ()) -> Phrased:
    """The prompt as it stands alone: unchanged, with its page's context added, or refused. A question the
    page's authors wrote says more with fewer words ("Who approves overtime?") than a template around a
    heading ("Tell me about channel names."), so the faq extractor asks for fewer (`min_words`)."""
    words = WORD.findall(prompt)
    own = [word for word in words if word.lower() not in FRAME]
    stems = {stem(word) for word in own}
    named_place = NAMED_PLACE.search(prompt, 1)  # "... in New York City?" already says where
    specific = [word for word in own if len(word) >= 3]
    clause = " when " in prompt or " if " in prompt  # "What should I do when ...?": not a second "when"
    own_name = names_any(words)  # "What is MAX.gov?" needs no page to say what it asks
    if page.activity and not page.stems & stems and len(specific) <= min_words and not clause and not own_name:
        # "How much compensation should I offer?" needs "when doing research"; a question that says enough
        # ("Why is the charge lower in the morning than at bedtime?") reads worse with it
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    said = page.name and (
        page.name.lower() in prompt.lower() or all(stem(word) in stems for word in WORD.findall(page.name))
    )  # "... on GitHub.com?" says "GitHub"
    if (
        page.name
        and page.activity
        and page.name in page.activity
        and not said
        and not own_name
        and not page.stems & stems
        and len(specific) <= min_words + 2
    ):
        # "Doing research at TTS": "In TTS, how much compensation should I offer?" left out the research
        if clause:
            return Phrased(f"When {page.activity}, {prompt[:1].lower()}{prompt[1:]}")
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    if page.name and not named_place and not said and not own_name and len(specific) <= min_words + 2:
        # "In Google Calendar, how do I change default event durations?": the page's name in front reads as a
        # person asks; at the end it read as pasted ("... in Benefits?"), and after a clause as part of it
        if len(specific) <= min_words and not clause:  # "What is my user type in Concur?"
            return Phrased(f"{prompt[:-1]} in {page.name}{prompt[-1]}")
        return Phrased(f"In {page.name}, {prompt[:1].lower()}{prompt[1:]}")
    if own_name or page.stems & stems:
        return Phrased(prompt)
    place = next((name for heading in ancestors if (name := heading_name(heading, page.names))), None)
    if place:  # "Transit subsidy" under "San Francisco": the nearer name says more than the page's
        return Phrased(f"{prompt[:-1]} in {place}{prompt[-1]}")
    if page.activity and len(specific) < min_words and not clause:
        return Phrased(f"{prompt[:-1]} when {page.activity}{prompt[-1]}")
    if len(specific) >= min_words:
        return Phrased(prompt)
    return Phrased(
        None,
        f"'{prompt}' names neither its page's subject nor anything else specific ({len(specific)} words of its own, "
        f"fewer than {min_words}), and the page's title gives no name or activity to add",
    )
