"""An open question about a name asks it in the scope its page answers it in, or is not asked.

"What do I need to know about Node.js?" is a question about Node.js anywhere; under "Running the Handbook" the
section says only how to run one site with it, and graded blind such pairs were dropped every time (Node.js,
GitHub, CODEOWNERS, "Supervisors" under "Who we are"): the answer is one organisation's use, not the subject.
So a name heading under a parent heading that narrows it is asked with that parent where it reads as a person
would ask ("... about Node.js when running the Handbook?"), and refused otherwise; and a section that opens "At
TTS, ..." about a product is asked as what it is: how that organisation uses the product.
"""

import re
from collections.abc import Sequence

from pipeline.generate.anchor import GENERIC_OR_PAGE_WORDS, title_activity
from pipeline.generate.subject import OPENINGS, Phrased, clean_heading, is_name

OPEN = re.compile(rf"^(?:{'|'.join(OPENINGS)}) (.+)[?.]$")  # "Tell me about Node.js."
ORGANISATION_OPENING = re.compile(r"^(?:At|In) ([A-Z0-9&-]*[A-Z][A-Z0-9&-]*), ")  # "At TTS, ...", not "In 2012, ..."
SECOND_PERSON = re.compile(r"\b(?:my|your|our|we|you|I)\b")
PARENTHESES = re.compile(r"\([^)]*\)")
SPACED_PARENTHESES = re.compile(r"\s*\([^)]*\)")
ARTICLE = re.compile(r"^(?:[Tt]he|[Aa]n?) ")


def open_subject(prompt: str) -> str | None:
    """ "Tell me about Node.js." -> "Node.js"; None for any other kind of prompt."""
    match = OPEN.match(prompt)
    return match.group(1) if match else None


def names_only(text: str) -> bool:
    """ "Node.js", "GitHub", "CODEOWNERS", "Pull requests (PRs)", "Supervisors": a heading that is a name (every
    word capitalised or an acronym, at most three), not a topic phrase ("Bike parking")."""
    words = PARENTHESES.sub(" ", text).split()
    return 0 < len(words) <= 3 and all(word[:1].isupper() or is_name(word) for word in words)


def within_parent(prompt: str, heading: str, body: str, ancestors: Sequence[str], names: frozenset[str]) -> Phrased:
    """The open question about a name heading as its parent heading scopes it. A one-word parent ("Tools",
    "Usage") is a list of such names, and a body that opens with the name is about it: both leave the question
    as it is."""
    subject = open_subject(prompt)
    if subject is None or not ancestors or not names_only(clean_heading(heading)):
        return Phrased(prompt)
    if opens_with(subject, body):
        return Phrased(prompt)  # "The Competitive Development Program provides ...": the section is about it
    parent = clean_heading(ancestors[0])
    words = parent.split()
    if len(words) <= 1 or all(word.lower() in GENERIC_OR_PAGE_WORDS for word in words):
        return Phrased(prompt)
    activity = title_activity(words, set(names))
    if activity and not SECOND_PERSON.search(activity) and len(words) >= 3:
        return Phrased(f"{prompt[:-1]} when {activity}{prompt[-1]}")
    return Phrased(
        None,
        f"an open question about the name '{subject}' under '{parent}': the section says what the name means there, "
        "not what to know about it, and the parent heading does not read as a scope a question can add",
    )


def opens_with(subject: str, body: str) -> bool:
    """ "The Competitive Development Program provides ..." opens with "Competitive Development Program (CDP)";
    "The Engineering Supervisors are ..." does not open with "Supervisors": it is about a narrower thing."""
    name = SPACED_PARENTHESES.sub("", subject)
    opening = ARTICLE.sub("", body.lstrip()[: len(name) + 40])
    if not opening.lower().startswith(name.lower()):
        return False
    rest = opening[len(name) :]
    if rest[:1] not in (" ", "(", ",", ""):
        return False  # "GitHubs", "Node.jsx"
    return not rest.lstrip()[:1].isupper()  # "GitHub Enterprise is ...": a narrower thing than "GitHub"


def organisation_use(prompt: str, body: str) -> str:
    """ "Tell me about Microsoft Office." over "At TTS, Google Docs is our preferred tool ..." -> "How does TTS use
    Microsoft Office?": the section says how one organisation uses the product, and a person would ask that."""
    subject = open_subject(prompt)
    opening = ORGANISATION_OPENING.match(body)
    if subject is None or opening is None or not names_only(subject):
        return prompt
    if opening.group(1).lower() in subject.lower():
        return prompt
    return f"How does {opening.group(1)} use {subject}?"
