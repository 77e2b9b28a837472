"""Hypothesis strategies shared by the target tests: texts that are empty by each definition, and roles."""

from hypothesis import strategies as st

good_texts = st.one_of(
    st.sampled_from(["Yes.", " Yes.\n", "No.", "Q?", "\u200b"]),  # U+200B is not White_Space: not empty
    st.text(min_size=1, max_size=6),
)
texts = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "\n\t", "\u00a0", "\u3000", "\x1c", "\x85"]),
    st.text(alphabet=st.sampled_from(" \t\n\x85\u00a0\u2003\u200bab"), max_size=4),
    good_texts,
)
roles = st.one_of(
    st.sampled_from(["user", "assistant"]),
    st.sampled_from(["system", "tool", "robot", None, "human", "gpt", "observation", "function_call", "model"]),
)
