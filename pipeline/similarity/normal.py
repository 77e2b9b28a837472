"""The normal form texts are compared in: lower case, words (runs of word characters) one space apart.

Dedup, the split, leakage, decontamination and conflicts compare this form, and a text's words for n-grams
are this form split at its spaces."""

import polars as pl

from pipeline.spaces import one_space


def normalise(text: pl.Expr) -> pl.Expr:
    """Lower case, every run of non-word characters (punctuation, whitespace) one space: the text compared.

    One regex pass (pipeline.spaces); the same result as punctuation to spaces followed by collapsing whitespace."""
    return one_space(text.str.to_lowercase(), r"\W").str.strip_chars()


def words(text: pl.Expr) -> pl.Expr:
    """The words of a text's lower case (`\\w+` runs), as a list: its normal form split at its spaces (over 83,336
    compared texts, already normal: 0.18 s, normalising again included, against 0.30 s extracting the runs by
    regex). A text with no word gives an empty list."""
    normal = normalise(text)
    return pl.when(normal != "").then(normal.str.split(" ")).otherwise(pl.lit([], pl.List(pl.String)))
