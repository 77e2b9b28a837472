"""The pair-quality gate: each rule with real-world-shaped pairs it rejects and look-alikes it keeps."""

import typing

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.apply import apply_stage, runs
from pipeline.config import GenerateConfig, PairRule, PrepareConfig
from pipeline.pair_quality import REASONS, filter_pairs
from pipeline.records import EXAMPLE, Split, empty
from pipeline.stages import STAGES
from pipeline.state import RunState

LINKS = (
    "- [Laws enforced by the EEOC](https://www.eeoc.gov/eeoc-legal-resources)\n"
    "- [Types of discrimination](https://www.eeoc.gov/prohibited-employment-policiespractices)\n"
    "- [New and proposed regulations](https://www.eeoc.gov/regulatory-process)"
)
ONE_LINK = (
    "For information about getting a license, check GSA's Office of Customer Experience "
    "[Customer Feedback and Surveys](https://insite.gsa.gov/services-and-offices/staff-offices/"
    "office-of-customer-experience/customer-feedback-and-surveys) page."
)
LIST = "- **Weekly:** check the filter and clean it if it is grey.\n- **Yearly:** book a service visit."
PROSE = "Full-time employees get twenty-five vacation days per year, plus public holidays."


def example(prompt: str, answer: str, example_id: str = "x", generator: str = "extractive:faq", **extra) -> dict:
    row = {"id": example_id, "kind": "sft", "task": (generator or ":faq").split(":")[1], "generator": generator}
    row["messages"] = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    return row | extra


def verdict(prompt: str, answer: str, **extra) -> str | None:
    kept, rejected = filter_pairs(pl.DataFrame([example(prompt, answer, **extra)], schema=EXAMPLE))
    assert kept.height + rejected.height == 1
    return rejected["reject_reason"][0] if rejected.height else None


# (prompt, answer, the first rule it fails or None): read down a rule's rows for what it means.
SPEC = [
    # prompt_no_subject: without template words and words that name nothing alone, something must be left.
    ("List the no.", "- Not on weekends\n- Not on public holidays", "prompt_no_subject"),
    ("What are the yes?", "- Remote work is allowed two days a week.", "prompt_no_subject"),
    ("Give the who for L2.", "Technical support team", "prompt_no_subject"),  # the column is a question word
    ("What are the target hours of 5?", "16-20 hours a week", "prompt_no_subject"),  # the row is a bare number
    ("Explain ---.", "New Relic is a monitoring platform used by every TTS system.", "prompt_no_subject"),
    ("What is the general?", PROSE, "prompt_no_subject"),
    ("Describe the setup.", "Open the app, choose your Hub and follow the steps on screen.", "prompt_no_subject"),
    ("Describe 1.2.", "This section covers how leave is approved and recorded.", "prompt_no_subject"),
    ("Where can I learn more?", "The leave policy page has every detail of annual leave.", "prompt_no_subject"),
    ("What is If Friday?", "If Friday is a holiday, submit your timecard on Thursday.", "prompt_no_subject"),
    ("What are These groups?", "These groups are a valued part of TTS and of government.", "prompt_no_subject"),
    ("What does CMS mean?", "Content Management System: software for creating and managing web pages.", None),
    ("What is CX?", "Customer Experience.", None),
    ("What does 508 mean?", "Section 508 of the Rehabilitation Act, which requires accessible IT.", None),
    ("What is a 1:1?", "A regular meeting between you and your supervisor.", None),
    ("What are the steps for setting up two-factor login?", "1. Open the app.\n2. Scan the code.", None),
    ("What is the description for `wg-`?", "Channels of working groups, one per group.", None),
    ("What is Your Travel Vendor ID?", "Your Travel Vendor ID is a number in the format E000XXXXX.", None),
    ("What should you do if you do not know the answer?", "Say that you will find out and call back.", None),
    # markup_in_prompt: Markdown, HTML, template or front-matter syntax, or a heading pasted in brackets.
    ("Describe **Violations & Enforcement** (**Information Security Policy**).", PROSE, "markup_in_prompt"),
    ("What is the point of contact for [18F Guides](https://18f.gsa.gov/guides/)?", PROSE, "markup_in_prompt"),
    ("What is the more like... for _Saying nothing and quietly fuming_?", PROSE, "markup_in_prompt"),
    ("Describe Conduct Unbecoming a Federal Employee (---).", PROSE, "markup_in_prompt"),
    ("Explain the structure (Joining the Design Team).", PROSE, "markup_in_prompt"),
    ("What is the TTS-managed<sup>2</sup> for the cloud-gov organisation?", PROSE, "markup_in_prompt"),
    ("What are 3. Use strong passwords?", PROSE, "markup_in_prompt"),
    ("List the cSpell: ignore matrixed, onboards, unmute.", PROSE, "markup_in_prompt"),
    ("What does {{ site.title }} show on the page?", PROSE, "markup_in_prompt"),
    ("## Billing questions", PROSE, "markup_in_prompt"),
    ("- What is Tock used for?", PROSE, "markup_in_prompt"),
    ("What are the steps for support services {#support-services}?", PROSE, "markup_in_prompt"),
    ("List the steps for TSP (Thrift Savings Plan).", "1. Log in to tsp.gov.\n2. Choose your funds.", None),
    ("What is the Content Management System (CMS)?", PROSE, None),
    ("How do I reset a PIN (personal identification number)?", PROSE, None),
    ("What does the max_retry_count setting do?", PROSE, None),
    ("What does the `**kwargs` parameter of the client do?", PROSE, None),
    # markup_in_answer: HTML, template tags, front matter, link definitions; light Markdown and code are fine.
    ("How do I list the guilds?", 'See the table below.\n</div> <div class="item no">', "markup_in_answer"),
    ("How do I contact the team?", "Call us on weekdays.<br>We answer within a day.", "markup_in_answer"),
    ("Where do I ask about Tock?", 'Ask in {% slack_channel "tock" %} during work hours.', "markup_in_answer"),
    ("What is New Relic?", "---\ntitle: New Relic\n---\n\nNew Relic is a monitoring platform.", "markup_in_answer"),
    ("What is the accessibility page?", "title: Accessibility\nredirect_from: /a11y/", "markup_in_answer"),
    ("How do I get approval rights?", "Fill in the [CGE form][cge].\n\n[cge]: https://x.gov/", "markup_in_answer"),
    ("How do I watch the recording?", 'Play it: <iframe src="https://x.gov/v"></iframe>', "markup_in_answer"),
    ("Where are the network guides?", "Logging in &amp; networks are covered in the IT guide.", "markup_in_answer"),
    ("How do I look after the heat pump?", LIST, None),
    ("What do the models cost?", "| Model | Price |\n|---|---|\n| HP-7 | €8,900 |\n| HP-12 | €11,400 |", None),
    ("When do I use line breaks in tables?", "Use the `<br>` tag only inside table cells, never in prose.", None),
    ("How do I link to another Handbook page?", 'Write:\n\n```\n{% page "/tools/" %}\n```\n\nIt checks links.', "markup_in_answer"),  # template source, even in code
    ("How do I compare the two values?", "Both x > 3 and y < 2 must hold before the alert fires.", None),
    # answer_fragment: starts or ends mid-sentence.
    ("How do I get a laptop?", "and then submit the form to your supervisor for approval.", "answer_fragment"),
    ("How does Smart Charge work?", "which means the battery charges overnight at off-peak prices.", "answer_fragment"),
    ("How do I run a team meeting?", "some managers like to ask a question of the week.", "answer_fragment"),
    ("Define Agile.", "A software development methodology based on collaboration,", "answer_fragment"),
    ("What is a solicitation?", "The formal process for posting an opportunity for vendors to", "answer_fragment"),
    ("How do we design in the open?", "We work in public.\n\nHere are some of our rules of thumb:", "answer_fragment"),
    ("How do I attach receipts?", "Click the Add receipt button (it looks like a slip of paper", "answer_fragment"),
    ("Who onboards new staff?", "People Ops.\n\n| Who | What |\n|---|---|\n| **Buddy** | Answers", "answer_fragment"),
    ("When do I return my laptop?", "On your last day.", None),
    ("Can I work remotely from abroad?", "Not at this time.", None),
    ("How do I return a kettle?", "Pack it in its box.", None),
    ("How are columns named?", "`snake_case` names are required for every column of the export.", None),
    ("How are columns named?", "snake_case names are required for every column of the export.", None),
    ("What does npm install do?", "npm installs the dependencies listed in package.json.", None),
    ("What is meant by self-consumption?", "the share of solar energy used in the home instead of exported.",
     "answer_fragment"),  # graded blind, a noun phrase for an answer was dropped as a fragment
    ("Why does my HP-7 let out steam?", "That is a defrost cycle. It takes two to six minutes.", None),
    ("How do I change my password?", "Do the following:\n\n1. Open the app.\n2. Tap Settings.", None),
    ("Where do I say hello?", "Post in the welcome channel and say hi :wave:", None),
    ("How do I sign in?", "Open the portal and choose the button that says log in", None),
    # answer_mostly_links: more than half of the visible text is link text, URLs or navigation.
    ("What are the harassment laws?", LINKS, "answer_mostly_links"),
    ("Who leads the engineering team?", "See [the org chart](https://docs.google.com/d/1/).", "answer_mostly_links"),
    ("What is advanced sick leave?", "https://www.opm.gov/pay-leave/advanced-sick-leave/", "answer_mostly_links"),
    ("What comes after booking?", "< Previous: Booking travel\nNext: Filing your voucher >", "answer_mostly_links"),
    # answer_link_skeleton: the labels a list of links leaves behind, or a draft's placeholder.
    (
        "How do I create a new performance plan?",
        "Supervisors create the plan in HR Links.\n\n- Step-by-step instructions:\n  - Employee\n  - Supervisor (Section 1, "
        "Topic 1.1)",
        "answer_link_skeleton",
    ),
    ("How is data maintained in AirTable?", "Guidance TK.", "answer_link_skeleton"),
    ("What are some tips for a launch?", "Plan the launch a month ahead.\n\nMore{.usa-button}", "markup_in_answer"),
    (
        "What should I know about DNSSEC?",
        "DNSSEC signs DNS answers so resolvers can check them.\n\n- Why isn't DNSSEC good enough?\n- What is DANE?",
        "answer_link_skeleton",
    ),  # link titles that were questions
    (
        "How do I override an evaluation acknowledgment?",
        "Supervisors can override it.\n\nStep-by-step instructions:\n\n- No action required by employee",
        "answer_link_skeleton",
    ),
    ("What goes in the education section?", "- University of Leeds, MM/YYYY\n- Degree in design", "answer_link_skeleton"),
    (
        "What do I pack for a site visit?",
        "- A charged laptop with the survey app installed.\n- Safety boots and a hard hat.\n- Spare batteries for "
        "the meter.",
        None,
    ),
    ("Which teams take part?", "- The support team answers the phone.\n- Finance", None),  # one label is not a skeleton
    (
        "What should I know about equipment to accommodate disability?",
        "GSA provides standing desks, screen readers and other equipment on request.\n\nMore information.",
        "answer_link_skeleton",
    ),  # the label of a link that ended the section
    # answer_points_elsewhere: a pointer instead of an answer, or steps the answer promises and does not hold.
    ("How do I get a Qualtrics license?", ONE_LINK, "answer_points_elsewhere"),
    (
        "How does performance management happen at TTSC?",
        "Consult the general TTS guidance for an overview of the annual performance cycle and resources.",
        "answer_points_elsewhere",
    ),
    (
        "What do I need to know about certificate errors?",
        "When trying to access various `.mil` sites, you will get a certificate error. Follow these instructions to "
        "solve the issue.",
        "answer_points_elsewhere",
    ),
    ("How do I request a new laptop?", "Fill out this form and IT will ship it within a week.", "answer_points_elsewhere"),
    ("How do I make my membership public?", "Go to the people page. Click **private** next to your name.", None),
    (
        "How do I write a federal government resume?",
        "This page provides an overview with examples of how to write a federal government resume, which have "
        "content and formatting that differ from most private sector resumes.",
        "answer_points_elsewhere",
    ),
    (
        "What is the process for PRA clearance?",
        "*Detailed, step-by-step instructions follow this table.* The desk officer reviews each package.",
        "answer_points_elsewhere",
    ),
    (
        "How do I change my name across GSA?",
        "1. Update your name with Social Security.\n2. Follow these steps.\n3. Tell your supervisor once HR confirms.",
        "answer_points_elsewhere",
    ),  # the steps were a link
    (
        "How do I deliver on the statement of work?",
        "Accountability here means knowing how work on the ground connects to what is listed in the SOW, and "
        "whether it needs to change.",
        "answer_points_elsewhere",
    ),  # the explanation of a list item's label: "here" is the list it came from
    (
        "How do I require MFA for the sandbox accounts?",
        "This implements several controls for you. Accounts are created with an IAM group that enforces MFA.",
        "answer_points_elsewhere",
    ),  # "This" is the step before it on its page
    (
        "What should I know about alternate strategies for one-on-ones?",
        "As noted in the introduction, 1:1s are a tool, but not the only one. Try a shared running document.",
        "answer_points_elsewhere",
    ),
    ("What is meant by base schedule?", "This is a template of your work schedule, kept in HR Links.", None),
    (
        "How do I archive a Slack channel?",
        "Any member of a channel can archive it from the channel's settings. View instructions for archiving a channel.",
        "answer_points_elsewhere",
    ),  # the last sentence was a link
    (
        "What should I know about equipment to accommodate disability?",
        "Attach a doctor's note to the request. If you have questions, ask in #equipment. More information.",
        "answer_points_elsewhere",
    ),
    (
        "What should I know about ATOs for Pages sites?",
        "Pages sites stay inside the platform's boundary. To make a new site public, **see the launch checklist**.",
        "answer_points_elsewhere",
    ),
    (
        "What are the Tech Operations rules?",
        "Ask before you install anything, or by submitting a Google Apps Script . Never spend money first.",
        "answer_points_elsewhere",
    ),  # the text of a link was dropped
    ("What are the spending rules?", "You cannot spend a penny, or or create the expectation of it.", "answer_points_elsewhere"),
    (
        "Can you tell me about collaboration tools?",
        "Collaboration is a critical part of our work. There are a variety of tools to support our teams.\n\n"
        "*References to specific products are for information only and are not an endorsement.*",
        "answer_points_elsewhere",
    ),  # the tools were in the sub-sections the page had next
    (
        "Can you give me an overview of booking travel?",
        "Book flights in Concur.\n\nBook hotels in Concur too; pay with the travel card.\n\n*Without a travel "
        "card, hotels are charged to you.*",
        None,
    ),
    ("How do I print?", "Send the file to `lpr -P office .` and collect it; see `man lpr` for details.", None),
    (
        "How do I get started with a purchase over $10,000?",
        "If your team needs to buy something over $10,000 a year, visit the Large purchases handbook page to learn "
        "how to get started.",
        "answer_points_elsewhere",
    ),  # a how-to answered by where to read how
    (
        "How do I pull a timesheet report?",
        "Some kinds of leave need a timesheet report.\n\nYou can refer to the intranet user guide about timesheet "
        "reports. Ask in #people-ops if you need help.",
        "answer_points_elsewhere",
    ),
    (
        "What should I know about the wiki?",
        "Every page has an owner who reviews edits within a week, and pages without an owner are archived after "
        "ninety days; visit the wiki page for your team to see its owners.",
        None,
    ),  # not a how-to: the pointer is one fact among others
    ("How do I get access to the container registry?", "Ask in #admins-registry for access to the team account.", None),
    (
        "What should I know about social media?",
        "*Learn how the team uses social media.*\n\nAll staff follow the social media policy when posting, in "
        "official accounts and personal ones; tell the outreach team before you comment in your professional role.",
        "answer_points_elsewhere",
    ),  # the page's teaser opens the answer
    (
        "Who do I contact about survey clearance?",
        "*Note: an extra legal review is not needed on the fast track.*\n\nThe clearance desk officer reviews your "
        "survey; write to clearance@example.gov with the draft and the burden estimate.",
        "answer_points_elsewhere",
    ),
    (
        "How do I report a vulnerability?",
        "*Submit reports through the bug bounty program.*\n\nWhen someone outside alerts us to a vulnerability, "
        "thank them, open a private issue and tell the security team within a day.",
        None,
    ),  # an italic instruction answers; only a note or a teaser is an aside
    # kept: a reply that answers, even when it names where to go.
    ("Who approves travel?", "Your supervisor approves travel in Concur before you book.", None),
    (
        "How do I get IT help?",
        "Email the IT service desk or call 866-450-5250; they answer around the clock and can reset passwords, "
        "unlock accounts and ship replacement hardware. For hardware problems, bring the laptop to the desk.",
        None,
    ),
    ("How do I book a room?", "Use [BookIt](https://bookit.gsa.gov) to reserve rooms in the 6400 wing.", None),
    ("How do I sign commits?", "Next, tell git to sign your commits with the SSH key you made.", None),
    ("What is the link of GSA Insite?", "<https://insite.gsa.gov>", None),  # asked for a link
    # prompt_longer_than_answer: unless the answer is a reply of two or more words to one question or instruction.
    ("What is the billable time (minimum hours expected) for 4 days?", "24", "prompt_longer_than_answer"),
    ("Give the monthly price for CarePlan Complete.", "€19", "prompt_longer_than_answer"),
    ("Is the government-owned flag set for the cloud-gov organisation?", "Y", "prompt_longer_than_answer"),
    ("Here is our reading list of favourite books. Are we missing one?", "If so, add it.", "prompt_longer_than_answer"),
    ("How long is the warranty on the HP-7 heat pump?", "Seven years.", None),
    ("Give the meaning of inverter error code E305.", "String voltage too high", None),
    ("Give the description for Continuity of Operations (COOP) 101.", "How to plan for emergencies.", None),
    ("What is the contact information for the GSA PRA Desk Officer?", "<GSARegSec@gsa.gov>", None),
    ("What is the resource for the GSA PRA Desk Officer role?", "<GSARegSec@gsa.gov>", "prompt_longer_than_answer"),
]  # fmt: skip


@pytest.mark.parametrize(("prompt", "answer", "reason"), SPEC)
def test_rules(prompt, answer, reason):
    assert verdict(prompt, answer) == reason


def test_every_rule_has_rejected_and_kept_rows():
    reasons = [reason for _, _, reason in SPEC]
    for rule in REASONS:
        assert reasons.count(rule) >= 3, rule
    assert reasons.count(None) >= 3 * len(REASONS)


def test_the_config_names_every_rule():
    assert typing.get_args(PairRule) == REASONS


def test_the_detail_states_the_rule():
    _, rejected = filter_pairs(pl.DataFrame([example("List the no.", LIST)], schema=EXAMPLE))
    assert rejected["reject_detail"][0].startswith("the prompt names nothing: without template words")


@pytest.mark.parametrize(
    ("extra", "judged"),
    [
        ({"generator": "extractive:heading"}, True),
        ({"generator": "llm:gpt-4o-mini"}, True),
        ({"generator": "import:alpaca"}, False),  # the user's own dataset
        ({"generator": "llm-judge:gpt-4o-mini"}, False),
        ({"generator": None}, False),
    ],
)
def test_only_generated_pairs_are_judged(extra, judged):
    assert (verdict("List the no.", LIST, **extra) is not None) == judged


def test_the_rejected_side_of_a_pair_is_never_judged():
    base = example("How long is the warranty on the HP-7?", "x", generator="extractive:faq")
    base["messages"] = base["messages"][:1]
    rows = [
        base | {"id": "pair", "kind": "preference", "chosen": PROSE, "rejected": "and the"},
        base | {"id": "good", "kind": "kto", "chosen": PROSE, "label": True},
        base | {"id": "bad", "kind": "kto", "chosen": "and the", "label": False},  # undesirable on purpose
        base | {"id": "cut", "kind": "kto", "chosen": "and the", "label": True},
    ]
    kept, rejected = filter_pairs(pl.DataFrame(rows, schema=EXAMPLE))
    assert kept["id"].to_list() == ["pair", "good", "bad"]
    assert rejected.select("id", "reject_reason").rows() == [("cut", "answer_fragment")]


def test_skipped_rules_do_not_run():
    frame = pl.DataFrame([example("What is the general?", "See <b>the guide</b> first.")], schema=EXAMPLE)
    assert filter_pairs(frame).rejected["reject_reason"].to_list() == ["prompt_no_subject"]
    skipped = filter_pairs(frame, ["prompt_no_subject"])
    assert skipped.rejected["reject_reason"].to_list() == ["markup_in_answer"]
    assert filter_pairs(frame, list(REASONS)).kept.height == 1


def test_missing_turns_are_rejected_and_an_empty_frame_passes():
    frame = pl.DataFrame([example("What is Tock?", PROSE) | {"messages": None}], schema=EXAMPLE)
    assert filter_pairs(frame).rejected.height == 1  # a rule that evaluates to null rejects
    kept, rejected = filter_pairs(empty(EXAMPLE))
    assert kept.height == rejected.height == 0


PIECES = [
    *"aZ 1.,:;?!-_*#`|<>/()[]{}%\n\t'\"éß→",
    "</div>",
    "{%",
    "](",
    "---",
    " and",
    "What is ",
    "the ",
    "https://x.y",
]
TEXT = st.one_of(st.text(), st.lists(st.sampled_from(PIECES), max_size=30).map("".join))


@settings(max_examples=150)
@given(st.lists(st.tuples(TEXT, TEXT, st.sampled_from(["extractive:faq", "llm:m", "import:x"])), max_size=12))
def test_the_gate_never_raises_and_accounts_for_every_row(rows):
    frame = pl.DataFrame(
        [example(prompt, answer, f"id{index}", generator) for index, (prompt, answer, generator) in enumerate(rows)],
        schema=EXAMPLE,
    )
    kept, rejected = filter_pairs(frame)
    assert sorted(kept["id"].to_list() + rejected["id"].to_list()) == sorted(frame["id"].to_list())
    assert rejected["reject_reason"].is_in(list(REASONS)).all()
    assert not kept["id"].is_in(rejected["id"].implode()).any()


STAGE = next(stage for stage in STAGES if stage.name == "pair-quality")


def test_the_stage_runs_after_grounding_and_before_the_format_check():
    names = [stage.name for stage in STAGES]
    assert names.index("ground") < names.index("pair-quality") < names.index("check-format")
    assert (STAGE.scope, STAGE.step, STAGE.reads) == ("shard", "generate", ("generate",))


def test_the_stage_rejects_a_markup_prompt_under_the_generate_step():
    rows = [
        example("Describe **Violations & Enforcement** (Security Policy).", PROSE, "markup"),
        example("How many vacation days do full-time employees get?", PROSE, "good"),
    ]
    state = RunState.start().apply(Split(pl.DataFrame(rows, schema=EXAMPLE), empty(EXAMPLE)))
    after = apply_stage(STAGE, state, PrepareConfig())
    assert after.examples["id"].to_list() == ["good"]
    assert after.rejected.select("id", "reject_stage", "reject_reason").rows() == [
        ("markup", "generate", "markup_in_prompt")
    ]


def test_the_stage_is_off_when_disabled():
    assert runs(STAGE, PrepareConfig())
    assert not runs(STAGE, PrepareConfig(generate=GenerateConfig(pair_quality=False)))
