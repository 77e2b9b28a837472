"""Headings phrased as questions a person would ask, or refused with a reason (pipeline/generate/subject.py)."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.generate.subject import clean_heading, phrase_heading

BODY = "Annual leave is time off with full pay. Staff can claim the remote work stipend once a year."


@pytest.mark.parametrize(
    ("heading", "context", "prompt"),
    [
        # instructions and clauses become the question they answer
        ("How to request leave", [], "How do I request leave?"),
        ("Submit your timesheet", [], "How do I submit my timesheet?"),
        ("2. Add your keys to the password manager", [], "How do I add my keys to the password manager?"),
        ("Step 3: Book travel through the portal", [], "How do I book travel through the portal?"),
        ("What to bring on your first day", [], "What should I bring on my first day?"),
        ("Booking travel for a conference", [], "How do I book travel for a conference?"),
        ("Before your quarterly review", [], "What should I do before my quarterly review?"),
        ("If someone becomes defensive", [], "What should I do if someone becomes defensive?"),
        ("How should I estimate my expenses", [], "How should I estimate my expenses?"),
        # noun phrases name their subject, with markup and anchors gone
        ("**Remote work stipend**", [], "What should I know about the remote work stipend?"),
        ("Flexible spending accounts {#fsa}", [], "What should I know about flexible spending accounts?"),
        ("Annual leave", [], "What is annual leave?"),  # the body defines it
        ("Brief overview of vouchers", [], "Can you give me an overview of vouchers?"),
        ("Project management", [], "What should I know about project management?"),
        # generic headings take their subject from the nearest specific ancestor or the title
        ("Eligibility", ["Remote work stipend", "Benefits"], "Who is eligible for the remote work stipend?"),
        ("Overview", ["Notes", "Parental leave"], None),  # graded blind, "an overview of X" asked more than it answered
        (
            "Roles and responsibilities",
            ["Incident response"],
            "What are the roles and responsibilities for incident response?",
        ),
        ("Tips", ["Video calls"], "What are some tips for video calls?"),
        # the page's name is not added here: pipeline.generate.anchor adds it where the prompt needs it
        ("Requesting a license", ["Microsoft Office"], "How do I request a license?"),
        (
            "Selecting payment type",
            ["Expenses", "Concur Travel"],
            "How do I select payment type?",
        ),
        (
            "Updating your accounts",
            ["Offboarding"],
            "How do I update my accounts?",
        ),  # one ordinary word is no name
        ("After the event", ["Hosting a webinar"], None),  # which event: the page's; the question does not say
        ("Once inside the building", [], None),
    ],
)
def test_headings_become_natural_questions(heading, context, prompt):
    assert phrase_heading(heading, context, BODY).prompt == prompt


@pytest.mark.parametrize(
    ("heading", "context", "why"),
    [
        ("Notes", [], "names no subject"),
        ("Yes", [], "names no subject"),
        ("1.2", [], "names no subject"),
        ("Step 5", [], "names no subject"),
        ("March 12, 2025", [], "names no subject"),
        ("---", [], "names no subject"),
        ("title: Organization structure", [], "names no subject"),
        ("Resources", ["Onboarding"], "kind of content"),
        ("Eligibility", [], "no ancestor heading or title"),
        ("Eligibility", ["Overview", "Notes"], "no ancestor heading or title"),
        ("Who we are", [], "we/our"),
        ("Our values", [], "we/our"),
        ("Parking", [], "one common word"),
        ("For admins", [], "starts with 'For'"),
        ("18F is here for you", [], "statement"),
        ("Can I work remotely?", [], "faq extractor"),
        ("Other speaking requests", [], "points at something it does not name"),
        ("TTS Hiring Managers Guide", [], "names a document"),
        ("Common barriers to using these tools", [], "points at something it does not name"),
    ],
)
def test_headings_without_a_subject_are_refused_with_a_reason(heading, context, why):
    phrased = phrase_heading(heading, context, BODY)
    assert phrased.prompt is None and why in phrased.reason


def test_a_one_word_name_the_body_writes_mid_sentence_is_a_subject():
    body = "Most teams chat in Slack every day, and Slack channels are open by default."
    assert phrase_heading("Slack", [], body).prompt == "What should I know about Slack?"


def test_title_case_is_lowered_only_where_the_body_writes_the_word_in_lower_case():
    body = "Every installer follows the safety rules. The Heat Pump Academy runs the course."
    assert phrase_heading("Safety Rules for the Heat Pump Academy", [], body).prompt == (
        "What should I know about safety rules for the Heat Pump Academy?"
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**Q: How do I waive insurance?**", "How do I waive insurance?"),
        ("[Travel policy](https://example.com/travel) {#travel}", "Travel policy"),
        ("3. Tell the password manager about the keys", "Tell the password manager about the keys"),
        ("Email template for individual travel:", "Email template for individual travel"),
        ("<span>Badges</span> and `ssh` keys", "Badges and ssh keys"),
    ],
)
def test_headings_are_plain_text(raw, clean):
    assert clean_heading(raw) == clean


@given(st.text(max_size=80), st.lists(st.text(max_size=40), max_size=3), st.text(max_size=200))
def test_phrasing_never_raises_and_a_prompt_is_plain(heading, context, body):
    phrased = phrase_heading(heading, context, body)
    assert (phrased.prompt is None) != (phrased.reason == "")
    if phrased.prompt:
        assert "**" not in phrased.prompt and "](" not in phrased.prompt and "{%" not in phrased.prompt


@pytest.mark.parametrize(
    ("heading", "prompt"),
    [
        # verbs from lemminflect's lexicon: instructions, activities, and nouns that only look like verbs
        ("Copy my public key from KeePassXC", "How do I copy my public key from KeePassXC?"),
        ("Authorize CircleCI", "How do I authorize CircleCI?"),
        ("Calculating travel comp time", "How do I calculate travel comp time?"),
        ("Understanding travel comp time", "Can you explain travel comp time?"),
        ("Forgot my card", "What should I do if I forgot my card?"),
        ("Book rooms for meetings", "How do I book rooms for meetings?"),
    ],
)
def test_verbs_in_headings_read_as_they_are_used(heading, prompt):
    assert phrase_heading(heading, [], BODY).prompt == prompt


@pytest.mark.parametrize(
    "heading",
    [
        "Mailing lists",  # a gerund naming a kind of thing: not "How do I mail lists?"
        "Staffing changes",
        "Working hours",
    ],
)
def test_gerund_modifiers_are_not_instructions(heading):
    assert not (phrase_heading(heading, [], BODY).prompt or "").startswith("How do I")


@pytest.mark.parametrize(
    "heading",
    [
        "Consider the forum",  # a maxim
        "Write to be understood, read to understand",
        "If it feels like a marathon, make it a series",
        "Usability testing does not require PRA clearance.",  # a sentence
        "Note before getting started",  # a remark of the page
        "One thing I learned",  # the author's voice
        "EDUCATION",  # a template's label in capitals
        "Gym, lockers, locker rooms",  # several things
        "Editors you may like",  # a clause about the reader
        "Examples within TTS",  # a kind of content
        "Leave types",  # a noun or an instruction: ambiguous, so nothing
        "Schedule A(r)",  # a name with a letter, not "How do I schedule A(r)?"
        "Play 7 - learn how to delegate effectively",  # a title in two parts
        "Problem / situation / context",
        "What to say during “my portion” of the meeting",  # a label of its page in quotes
        "Tell git manually (without using KeePassXC)",  # an aside in brackets
        "Use your travel card when possible",  # advice
        "Credit hours example",
        "Consider the law, obey the law",
    ],
)
def test_headings_that_are_not_subjects_are_refused(heading):
    phrased = phrase_heading(heading, [], BODY)
    assert phrased.prompt is None and phrased.reason


@pytest.mark.parametrize(
    ("heading", "statement"),
    [
        ("Battery shows less capacity than expected", True),  # a symptom: a sentence, not a subject
        ("Hub loses its connection", True),
        ("Battery charges from the grid at night", True),
        ("Travel costs for conferences", False),  # a noun phrase
        ("Mailing lists", False),
    ],
)
def test_a_symptom_heading_is_a_statement(heading, statement):
    phrased = phrase_heading(heading, [], BODY)
    assert (phrased.prompt is None and "statement" in phrased.reason) == statement


def test_a_capitalised_first_word_over_a_common_head_noun_takes_an_article():
    from pipeline.generate.subject import noun_phrase

    assert noun_phrase("Internal role approval process") == "the Internal role approval process"
    assert noun_phrase("HP-7 setup") == "HP-7 setup"  # a name and one word


@pytest.mark.parametrize(
    ("heading", "body"),
    [
        ("Digital Council", "The TTS Digital Council meets monthly; the digital work of each team is reviewed."),
        ("New Relic", "Our new monitoring tool is New Relic. Ask in #admins-newrelic for an account."),
        ("Rental Cars and mileage", "A rental car needs approval. Cars are booked in Concur; cars are rare."),
    ],
)
def test_a_name_half_lowered_reads_as_a_pasted_heading(heading, body):
    """Graded blind: "the digital Council", "the new Relic", "rental Cars" were dropped as pasted headings."""
    phrased = phrase_heading(heading, [], body)
    words = heading.split()
    halves = [f"{a.lower()} {b}" for a, b in itertools.pairwise(words) if a.istitle() and b.istitle()]
    assert phrased.prompt is None or not any(half in phrased.prompt for half in halves)
    assert phrased.prompt is not None or "half a name" in phrased.reason


def test_hyphenated_title_words_are_lowered_like_any_word_or_refused():
    body = "Harassment of any kind, sexual or non-sexual, is not tolerated. Follow-up meetings are held weekly."
    assert phrase_heading("Follow-up meetings", [], body).prompt == "What should I know about follow-up meetings?"
    refused = phrase_heading("Sexual and Non-Sexual Harassment", [], body)  # "sexual and Non-Sexual harassment"
    assert refused.prompt is None and "Non-Sexual" in refused.reason


@pytest.mark.parametrize(
    ("heading", "body", "kept"),
    [
        ("Handoff to partner agencies", "When the project ends, hand the repositories to the partner.", False),
        ("Assistive staff", "Interpreters and readers are provided on request.", False),
        ("Slack etiquette", "Use threads in Slack and keep channels public. Slack etiquette matters.", True),
    ],
)
def test_a_heading_capital_kept_before_a_lower_case_word_reads_as_pasted(heading, body, kept):
    """Graded blind: "What should I know about Handoff to partner agencies?" was dropped; "Slack" is a name."""
    phrased = phrase_heading(heading, [], body)
    assert (phrased.prompt is not None) == kept, phrased


def test_a_body_that_says_where_something_is_does_not_define_it():
    """ "Bike parking is available in the basement" says where, not what: "What is bike parking?" was dropped."""
    assert phrase_heading("Bike parking", [], "Bike parking is available in the basement.").prompt == (
        "What should I know about bike parking?"
    )
    assert (
        phrase_heading("Annual leave", [], "Annual leave is time off with full pay.").prompt == "What is annual leave?"
    )
