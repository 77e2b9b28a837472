"""Whether chosen answers are longer than rejected ones often enough to teach length instead of content.

DPO raises the chosen answer's likelihood over the rejected one's; when the chosen one is nearly always
the longer (or the shorter), length alone tells them apart and the model learns it. A share near half
says nothing of the kind, so the report only calls a share a length bias beyond `BIAS_MARGIN` of half.
"""

BIAS_MARGIN = 0.15  # a longer-chosen share above 65% or below 35% is a length bias


def length_bias(share: float) -> str | None:
    """What a bias at this longer-chosen share teaches, or None when the share is near half."""
    if share > 0.5 + BIAS_MARGIN:
        return "a length bias: DPO can learn that longer answers are better"
    if share < 0.5 - BIAS_MARGIN:
        return "a length bias: DPO can learn that shorter answers are better"
    return None


def longer_chosen_sentence(pairs: int, share: float) -> str:
    """The longer-chosen share said as it is: near half is no bias, and only beyond the margin is it called one."""
    said = f"{pairs} pairs; {share:.0%} of them have the longer answer chosen"
    bias = length_bias(share)
    if bias:
        return f"{said}: {bias}."
    low, high = 0.5 - BIAS_MARGIN, 0.5 + BIAS_MARGIN
    return f"{said}, near half: no length bias (one is flagged outside {low:.0%}-{high:.0%})."
