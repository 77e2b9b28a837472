"""Which words of a heading are verbs, and in which form: the difference between "Copy my public key" (an
instruction: "How do I copy my public key?"), "Copy rights" (a subject) and "Deleting expenses" (an activity:
"How do I delete expenses?").

A hand-kept verb list missed every verb it did not name ("authorize", "teach") and took nouns for verbs ("Leave
types"); lemminflect's lexicon (offline, in its wheel) knows which parts of speech each English word can be.
"""

import re
from functools import cache

from lemminflect import getAllInflections, getAllLemmas, getInflection

# Verbs of thought and attitude: "Consider the forum", "Embrace failure" are maxims, not tasks with steps.
MENTAL = set(
    """consider know understand remember embrace believe assume trust value respect recognize recognise expect
reflect celebrate appreciate acknowledge be feel care imagine accept obey""".split()
)
# Words that can follow an imperative verb but never a noun used as a modifier ("Update the handbook" vs
# "Update schedule"): articles, possessives, pronouns and particles.
OBJECT_START = set(
    """the a an my your our their his her its it them this that these those up out in on off down over back to
with for from into about yourself yourselves someone something some any all each every new""".split()
)


MASS_NOUN = re.compile(r"(?:ware|ment|tion|sion|ance|ence|ness|ity|data|information|access|equipment|feedback)$")


# lemminflect reads its tables on first use; read them now, at import, before any worker thread asks: two shards
# asking at once could see a half-read table (a bench run of the same corpus differed by one example).
getAllLemmas("warm")
getInflection("warm", tag="VBG")
getAllInflections("warm", upos="VERB")


@cache
def lemmas(word: str) -> dict[str, tuple[str, ...]]:
    return getAllLemmas(word.lower())  # type: ignore[no-any-return]


def base_verb(word: str) -> bool:
    """The word is a verb's base form ("copy", "authorize"), whatever else it can be."""
    return word.lower() in lemmas(word).get("VERB", ())


def only_verb(word: str) -> bool:
    forms = lemmas(word)
    return bool(forms) and set(forms) == {"VERB"}


def only_noun(word: str) -> bool:
    forms = lemmas(word)
    return bool(forms) and set(forms) == {"NOUN"}


def instruction(words: list[str]) -> bool:
    """The heading starts with an imperative: a verb-only word ("Authorize CircleCI"), or a verb that could be a
    noun followed by what only follows a verb ("Copy my public key", "Set up Slack")."""
    if len(words) < 2 or not base_verb(words[0]):
        return False
    if len(words) <= 3 and all(word[:1].isupper() for word in words) and not any(map(acronym, words[1:])):
        return False  # "Google Calendar", "Slack Huddles": a title-cased name, not an instruction
    if all(word.lower() in OBJECT_START for word in words[1:]):
        return False  # "Bill to", "Log in": a label, nothing to do anything to
    if words[1].lower() in OBJECT_START:
        return True
    if lettered(words[1]):
        return False
    # A verb-only word before a singular common noun is a modifier ("Defrost cycle"): an imperative's object is a
    # name ("Authorize CircleCI"), a plural ("Teach partners", "Reclaim member seats") or a mass noun.
    following = [word for word in words[1:3] if word.isalpha()]
    return only_verb(words[0]) and (
        words[1][:1].isupper()
        or any(word.endswith("s") and not word.endswith("ss") for word in following)
        or bool(MASS_NOUN.search(words[1].lower()))
    )


def acronym(word: str) -> bool:
    return sum(char.isupper() for char in word) >= 2 or any(char.isdigit() for char in word)


def lettered(word: str) -> bool:
    """ "Schedule A(r)", "Form B": a name with a letter after a noun, not a verb and its object."""
    return bool(re.fullmatch(r"[A-Z](?:\([a-z0-9]{1,3}\))?|[A-Z]\d?", word))


def gerund_base(word: str, following: str = "") -> str | None:
    """The base verb of an activity's first word ("deleting" -> "delete"), or None when the word is not a gerund
    or reads as an adjective before a plural ("missing receipts", "existing customers"); a word that can be
    either before anything else is an activity ("Moving and changing your address", "Calculating comp time")."""
    low = word.lower()
    if not low.endswith("ing"):
        return None
    verbs = [lemma for lemma in lemmas(low).get("VERB", ()) if lemma != low]
    plural = following.lower().endswith("s") and not following.lower().endswith("ss")
    if not verbs or ("ADJ" in lemmas(low) and (plural or not following)):
        return None
    return verbs[0]


def past_tense(word: str) -> bool:
    """ "Forgot", "Lost", "Received": only a verb's inflected form, never a noun or an adjective ("Used" is one)."""
    forms = lemmas(word)
    low = word.lower()
    return set(forms) == {"VERB"} and low not in forms["VERB"] and not low.endswith(("ing", "s"))


@cache
def inflections(verb: str) -> frozenset[str]:
    """Every written form of a verb ("submit" -> submits, submitted, submitting)."""
    low = verb.lower()
    return frozenset({low, *(form for forms in getAllInflections(low, upos="VERB").values() for form in forms)})


def gerund(verb: str) -> str:
    """ "work" -> "working", for titles written as instructions ("Work on an engagement")."""
    forms = getInflection(verb.lower(), tag="VBG")
    return forms[0] if forms else f"{verb}ing"
