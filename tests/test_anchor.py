"""A prompt taken out of its page names what it is about: the page's name or activity is added, or it is refused.

The titles and prompts are the shapes real handbooks have (a tool's page, an activity's page, an office's page,
a company handbook, a numbered play), written for these tests.
"""

import pytest

from pipeline.generate.anchor import MIN_QUESTION_WORDS, Page, anchor, page_context


@pytest.mark.parametrize(
    ("title", "names", "name", "activity"),
    [
        ("Get access to Concur", {"Concur"}, "Concur", None),  # an instruction with a name: the name is shorter
        ("Tock", {"Tock"}, "Tock", None),
        ("Doing research at TTS", {"TTS"}, "TTS", "doing research at TTS"),
        ("Leaving TTS & Offboarding", set(), None, "leaving TTS"),  # never "... in Leaving TTS?"
        ("Moving and changing your address", set(), None, "moving and changing my address"),
        (
            "Procedure: Commissioning a Brightwater Cell",
            {"Brightwater", "Cell"},
            None,
            "commissioning a Brightwater Cell",
        ),
        ("Brightwater Cell Home Batteries", {"Brightwater", "Cell"}, "Brightwater Cell", None),
        ("New York City", {"York", "City"}, "New York City", None),  # "York" is no English word: a name
        ("HR Links", {"HR", "Links"}, "HR Links", None),
        ("Leave types", set(), None, None),  # an ordinary noun phrase names nothing
        ("Frequently Asked Questions", set(), None, None),
        ("Employment Verification", set(), None, None),  # two ordinary words the document writes in lower case
        ("Larkspur Logistics Employee Handbook", {"Larkspur"}, None, None),  # not "Larkspur Logistics Employee"
        ("Resources for Deaf and Hard of Hearing individuals in TTS", {"Deaf"}, "TTS", None),  # not the modifier "Deaf"
        ("Working effectively & inclusively with your colleagues", set(), None, None),
        ("Writing Lab 101", {"Writing", "Lab"}, "Writing Lab", None),  # a name that starts with a gerund is no activity
        ("Play 2", set(), None, None),  # a numbered part of something else
        (
            "Mentorship Program Candidate Guide",
            {"Mentorship", "Program", "Candidate"},
            None,
            None,
        ),  # a guide for candidates
        ("Purchases Over $10,000", {"Purchases", "Over"}, None, None),  # a title-cased topic
        ("Code of conduct", {"Code"}, None, None),  # never "In Code, ..."
        ("Internal hiring and internal details", {"Internal"}, None, None),  # an adjective
        ("Slack records", {"Slack"}, None, None),  # "slack" is an English word the page might write in lower case
    ],
)
def test_what_a_title_lets_a_question_say(title, names, name, activity):
    page = page_context(title, names)
    assert (page.name, page.activity) == (name, activity)


CONCUR = page_context("Get access to Concur", {"Concur"})
RESEARCH = page_context("Doing research at TTS", {"TTS"})
LEAVE = page_context("Leave types", set())


@pytest.mark.parametrize(
    ("prompt", "page", "asked"),
    [
        ("What is my user type?", CONCUR, "What is my user type in Concur?"),
        (
            "How much compensation should I offer?",
            RESEARCH,
            "How much compensation should I offer when doing research at TTS?",
        ),
        ("How do I log into Qualtrics?", LEAVE, "How do I log into Qualtrics?"),  # it names something of its own
        (
            "What should I know about parental leave requests?",
            LEAVE,
            "What should I know about parental leave requests?",
        ),
        (
            "Can you tell me about blood, bone marrow, and organ donation?",
            LEAVE,
            "Can you tell me about blood, bone marrow, and organ donation?",
        ),  # enough words of its own
        ("Tell me about distributed employees.", LEAVE, None),
        ("What is my user type?", Page(), None),
    ],
)
def test_a_prompt_gets_its_page_or_is_refused(prompt, page, asked):
    result = anchor(prompt, page)
    assert result.prompt == asked
    if asked is None:
        assert "names neither its page's subject" in result.reason


def test_a_question_the_authors_wrote_needs_fewer_words_of_its_own():
    assert anchor("Who approves overtime?", Page(), MIN_QUESTION_WORDS).prompt == "Who approves overtime?"
    assert anchor("Who approves overtime?", Page()).prompt is None  # a template around a heading needs three


def test_a_nearer_name_among_the_ancestors_comes_first():
    page = page_context("Office locations", {"San", "Francisco"})
    asked = anchor("Can you tell me about the transit subsidy?", page, ancestors=["San Francisco"])
    assert asked.prompt == "Can you tell me about the transit subsidy in San Francisco?"


def test_a_clause_takes_the_name_in_front_and_a_named_subject_needs_no_page():
    chicago = page_context("Chicago", {"Chicago"})
    asked = anchor("Who can I contact if I have questions?", chicago, MIN_QUESTION_WORDS)
    assert asked.prompt == "In Chicago, who can I contact if I have questions?"
    research = page_context("Sharing calendars with partners", set())
    assert anchor("What is MAX.gov?", research).prompt == "What is MAX.gov?"  # not "... when sharing calendars"
    assert page_context("Benefits", {"Benefits"}).name is None  # a topic, never "... in Benefits?"


def test_a_longer_question_takes_the_name_in_front():
    calendar = page_context("Google Calendar", {"Google", "Calendar"})
    short = anchor("How do I change default event durations?", calendar)
    assert short.prompt == "How do I change default event durations in Google Calendar?"
    asked = anchor("How do I change default event durations?", calendar, MIN_QUESTION_WORDS)  # three words: longer
    assert asked.prompt == "In Google Calendar, how do I change default event durations?"


def test_contractions_are_template_words_and_a_numbered_name_is_no_activity():
    assert anchor("What's the process?", Page(), MIN_QUESTION_WORDS).prompt is None
    assert page_context("Writing Lab 101", {"Lab"}).activity is None  # not "... when writing Lab 101?"


def test_an_adjective_before_ordinary_words_is_no_name():
    assert page_context("Paid parental leave", {"Paid"}).name is None  # never "... in Paid?"


def test_a_title_led_by_a_word_never_written_in_lower_case_is_a_product():
    assert page_context("Google Calendar", {"Google"}, frozenset({"Google"})).name == "Google Calendar"
    assert page_context("Google Calendar", {"Google"}).name is None  # the page also writes "google"
    assert page_context("Brightwater Heat Pumps", {"Brightwater"}, frozenset({"Brightwater"})).name is None
    assert anchor("What is considered sensitive?", Page(), MIN_QUESTION_WORDS).prompt is None


def test_a_page_about_an_activity_at_a_place_adds_the_activity_not_the_place():
    """Graded blind, "In TTS, how much compensation should I offer?" left out whose compensation (research)."""
    asked = anchor("How much compensation should I offer?", RESEARCH, min_words=MIN_QUESTION_WORDS)
    assert asked.prompt == "How much compensation should I offer when doing research at TTS?"
    clause = anchor("What should I do if I cannot compensate participants?", RESEARCH, min_words=MIN_QUESTION_WORDS)
    assert clause.prompt == "When doing research at TTS, what should I do if I cannot compensate participants?"
