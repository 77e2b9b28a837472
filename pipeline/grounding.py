"""The grounding check: every extracted answer must be the text of its recorded source span.

Extractors take answers verbatim, so this is a guard against any future extractor (or a bug) that
paraphrases, and the proof behind "every answer is traceable to its source". Whitespace is normalised
on both sides. Single-turn answers must equal their span; in multi-turn conversations every line of
every assistant turn must occur in the span. Composed answers (a table row as a `- **Label**: value`
list) are not one span: their span covers the table's header and the row, and the label and the value
of every answer line (list marker and `**` removed) must each occur in it, `**` removed there too.
Imported examples have no source text, and LLM answers are checked for lexical support when generated,
so both are passed through.
"""

import polars as pl

from pipeline.records import Split, answer_text, reject
from pipeline.spaces import one_space

UNCHECKED_GENERATORS = ("import:", "llm:")
CONVERSATION_TASKS = ("dialogue", "faq_conversation")  # the span covers the whole conversation
COMPOSED_TASKS = ("table_entry", "table_level")  # "label: value" lines, each part found in the span
LIST_MARKER = r"^\s*(?:[-*+]|\d{1,3}[.)])\s+"


def squash(expr: pl.Expr) -> pl.Expr:
    return one_space(expr).str.strip_chars()


def check_grounding(examples: pl.DataFrame, documents: pl.DataFrame) -> Split:
    checked = ~pl.col("generator").str.starts_with(UNCHECKED_GENERATORS[0]) & ~pl.col("generator").str.starts_with(
        UNCHECKED_GENERATORS[1]
    )
    rows = examples.with_row_index("_row").join(
        documents.select("doc_id", _text="text"), on="doc_id", how="left", maintain_order="left"
    )
    raw_span = pl.col("_text").str.slice(pl.col("span_start"), pl.col("span_end") - pl.col("span_start"))
    rows = rows.with_columns(
        _same=answer_text() == raw_span,
        _composed=pl.col("task").is_in(COMPOSED_TASKS),
        _multi=pl.col("task").is_in(CONVERSATION_TASKS)
        | (pl.col("messages").list.eval(pl.element().struct.field("role") == "assistant").list.sum() > 1),
    )
    # An answer that is its span verbatim needs no whitespace squashed (nearly every one: squashing was most of
    # the stage), so spans are squashed only where a check reads them; elsewhere they stay null, unread.
    needs_span = pl.col("_composed") | pl.col("_multi") | ~pl.col("_same")
    rows = rows.with_columns(_span=squash(pl.when(needs_span).then(raw_span)))
    single = (
        pl.when(pl.col("_same"))
        .then(True)
        .otherwise(squash(pl.when(~pl.col("_same")).then(answer_text())) == pl.col("_span"))
    )
    multi_ok = multi_turn_grounded(rows)
    composed_ok = composed_grounded(rows)
    grounded = (
        pl.when(pl.col("_composed"))
        .then(pl.col("_row").is_in(composed_ok.implode()))
        .when(pl.col("_multi"))
        .then(pl.col("_row").is_in(multi_ok.implode()))
        .otherwise(single)
    )
    flagged = rows.with_columns(_ok=(~checked | grounded.fill_null(False)))
    detail = (
        pl.when(pl.col("span_start").is_null())
        .then(pl.lit("no source span recorded"))
        .when(pl.col("_composed"))
        .then(pl.format("a label or value of the answer is not in {}[{}:{}]", "source", "span_start", "span_end"))
        .otherwise(pl.format("answer is not the text of {}[{}:{}]", "source", "span_start", "span_end"))
    )
    helper = ["_row", "_text", "_same", "_span", "_composed", "_multi", "_ok"]
    rejected = reject(flagged.filter(~pl.col("_ok")), "ungrounded", detail).drop(helper)
    return Split(flagged.filter(pl.col("_ok")).drop(helper), rejected)


def multi_turn_grounded(rows: pl.DataFrame) -> pl.Series:
    """Row numbers of multi-turn examples whose every assistant line occurs in the span."""
    lines = (
        rows.filter(pl.col("_multi") & ~pl.col("_composed"))
        .select("_row", "_span", turn=pl.col("messages"))
        .explode("turn")
        .filter(pl.col("turn").struct.field("role") == "assistant")
        .with_columns(line=pl.col("turn").struct.field("content").str.split("\n"))
        .explode("line")
        .with_columns(line=squash(pl.col("line")))
        .filter(pl.col("line") != "")
        .with_columns(found=pl.col("_span").str.contains(pl.col("line"), literal=True))
    )
    verdict = lines.group_by("_row").agg(pl.col("found").all())
    return verdict.filter(pl.col("found"))["_row"]


def composed_grounded(rows: pl.DataFrame) -> pl.Series:
    """Row numbers of composed examples whose every answer line's label and value occur in the span.

    A line is `- **Label**: value` (or a bare value); without its list marker and `**` it splits at the first
    ": " into the label and the value, and each must be found verbatim (whitespace squashed, `**` removed).
    """
    lines = (
        rows.filter(pl.col("_composed"))
        .select(
            "_row", span=pl.col("_span").str.replace_all("**", "", literal=True), line=answer_text().str.split("\n")
        )
        .explode("line")
        .with_columns(line=squash(pl.col("line").str.replace(LIST_MARKER, "").str.replace_all("**", "", literal=True)))
        .filter(pl.col("line") != "")
        .with_columns(part=pl.col("line").str.splitn(": ", 2))
        .with_columns(
            label=squash(pl.col("part").struct.field("field_0")), value=squash(pl.col("part").struct.field("field_1"))
        )
        .with_columns(
            found=pl.col("span").str.contains(pl.col("label"), literal=True)
            & (pl.col("value").is_null() | pl.col("span").str.contains(pl.col("value"), literal=True))
        )
    )
    verdict = lines.group_by("_row").agg(pl.col("found").all())
    return verdict.filter(pl.col("found"))["_row"]
