"""The report says what the longer-chosen share is, and calls it a length bias only far from half."""

import polars as pl
import pytest

from pipeline.records import EXAMPLE
from pipeline.report import warnings
from pipeline.report.length_bias import BIAS_MARGIN, length_bias, longer_chosen_sentence
from pipeline.report.tables import preference_sentence

LEDGER = {"examples": {"train": 500}}
NO_EXAMPLES = pl.DataFrame(schema={**dict(EXAMPLE), "split": pl.String})


@pytest.mark.parametrize(
    ("share", "said"),
    [
        (
            0.51,
            "270 pairs; 51% of them have the longer answer chosen, near half: no length bias (one is flagged outside 35%-65%).",
        ),
        (
            0.65,
            "270 pairs; 65% of them have the longer answer chosen, near half: no length bias (one is flagged outside 35%-65%).",
        ),
        (
            0.66,
            "270 pairs; 66% of them have the longer answer chosen: a length bias: DPO can learn that longer answers are better.",
        ),
        (
            0.2,
            "270 pairs; 20% of them have the longer answer chosen: a length bias: DPO can learn that shorter answers are better.",
        ),
    ],
)
def test_the_share_is_said_without_exaggeration(share, said):
    assert longer_chosen_sentence(270, share) == said


@pytest.mark.parametrize(("share", "warned"), [(0.51, False), (0.5 + BIAS_MARGIN, False), (0.9, True), (0.1, True)])
def test_only_a_share_far_from_half_is_a_warning(share, warned):
    run = {"preference_stats": {"pairs": 270, "chosen_longer_share": share, "by_negative": {}}}
    found = [line for line in warnings(LEDGER, run, NO_EXAMPLES) if "longer answer chosen" in line]
    assert bool(found) == warned
    assert (length_bias(share) is not None) == warned


def test_the_negatives_similarity_is_said_when_pairs_have_one():
    stats = {"pairs": 240, "chosen_longer_share": 0.57, "by_negative": {}, "median_negative_similarity": 0.52}
    said = preference_sentence({"preference": stats})
    assert said.endswith("median similarity of 0.52 (1: every word the prompt asks; per pair: `negative_similarity`).")
    del stats["median_negative_similarity"]  # imported or rated pairs only
    assert "similarity" not in preference_sentence({"preference": stats})
