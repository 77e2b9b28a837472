"""Exact tiktoken counts for many texts at once: the encoding's pre-tokenizer split runs as a polars regex,
and byte-pair encoding runs once per distinct piece instead of once per text.

tiktoken splits a text into pieces with one regular expression, then byte-pair encodes each piece on
its own, so a text's token count is the sum of its pieces' counts. Pieces repeat heavily (words,
punctuation), and most are one token of the vocabulary. So polars splits every text, counts its
pieces and keeps those that are not a vocabulary token; only these few distinct pieces go to
tiktoken. The numbers equal `encode_ordinary` per text, and polars spreads the work over every core.

Polars' regex engine has no look-around. The split patterns of cl100k_base and o200k_base use it in
one alternative, `\\s+(?!\\S)`, and possessive quantifiers that cannot change a match in these patterns.
Without that alternative the split differs only where a run of two or more non-newline whitespace
characters is followed by a visible character (tiktoken gives the run's last space to the next word).
Texts holding such a run (`UNSAFE`) are counted by tiktoken itself. tests/test_pieces.py checks the
equality against tiktoken on generated text over every character class the patterns name.
"""

import re

import polars as pl
import tiktoken

from pipeline.long_texts import count_tokens

LOOKAHEAD = r"|\s+(?!\S)"
# A quantifier made possessive by a trailing "+" (`?+`, `++`, `*+`, `{1,3}+`); `\p{L}+` is not one.
POSSESSIVE = re.compile(r"((?<!\\p)(?<!\\P)\{\d+(?:,\d*)?\}|[?*+])\+")
UNSAFE = r"[^\S\r\n]{2,}\S"  # where the dropped alternative would have split differently
CHUNK = 50_000  # texts per polars query
BATCH = 4  # queries run together


def split_pattern(encoding: tiktoken.Encoding) -> str:
    """The encoding's split pattern in the syntax of polars' regex engine, without the look-ahead alternative.

    tiktoken keeps the pattern in `_pat_str` (no public accessor); a tiktoken whose pattern changed
    shape fails here with the pattern shown, and tests/test_pieces.py compares every count anyway."""
    pattern = encoding._pat_str
    if LOOKAHEAD not in pattern:
        raise ValueError(f"the split pattern of {encoding.name} has no `{LOOKAHEAD[1:]}` alternative: {pattern}")
    pattern = pattern.replace(LOOKAHEAD, "")
    pattern = POSSESSIVE.sub(r"\1", pattern)
    if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
        raise ValueError(f"the split pattern of {encoding.name} has look-around polars cannot run: {pattern}")
    return pattern


class PieceCounter:
    """Token counts of texts with one encoding; remembers the count of every multi-token piece it met."""

    def __init__(self, encoding: tiktoken.Encoding) -> None:
        self.encoding = encoding
        self.pattern = split_pattern(encoding)
        self.single = single_token_pieces(encoding)
        self.known: dict[str, int] = {}
        self.segments: dict[str, int] = {}  # of very long texts (long_texts.py)

    def counts(self, texts: pl.Series) -> pl.Series:
        """Tokens per text as `encode_ordinary` counts them (special-token strings count as text); null is 0."""
        frame = pl.DataFrame({"text": texts.cast(pl.String)}).with_row_index("row")
        chunks = [self.split(frame.slice(offset, CHUNK)) for offset in range(0, frame.height, CHUNK)]
        # A few chunks at a time: every core has work, and few chunks' pieces are held at once.
        parts = [
            part for start in range(0, len(chunks), BATCH) for part in pl.collect_all(chunks[start : start + BATCH])
        ]
        found = pl.concat([pl.DataFrame(schema=FOUND), *parts])
        unknown = found.filter(pl.col("piece").is_not_null() & ~pl.col("unsafe"))
        new = [piece for piece in unknown["piece"].unique() if piece not in self.known]
        self.known.update((piece, count_tokens(self.encoding, piece, self.segments)) for piece in new)
        counted = found.filter(pl.col("piece").is_null()).select("row", "unsafe", pl.col("n").cast(pl.Int64))
        if unknown.height:  # a piece outside the vocabulary counted 1; add the rest of its tokens
            pieces = pl.Series(self.known.keys(), dtype=pl.String)
            tokens = pl.Series(self.known.values(), dtype=pl.Int64)
            extra = unknown.group_by("row").agg(extra=(pl.col("piece").replace_strict(pieces, tokens) - 1).sum())
            counted = counted.join(extra, on="row", how="left").select(
                "row", "unsafe", n=pl.col("n") + pl.col("extra").fill_null(0)
            )
        unsafe = counted.filter("unsafe")["row"]
        if unsafe.len():
            lengths = [count_tokens(self.encoding, text, self.segments) for text in frame["text"].gather(unsafe)]
            counted = counted.update(pl.DataFrame({"row": unsafe, "n": pl.Series(lengths, dtype=pl.Int64)}), on="row")
        result = frame.select("row").join(counted, on="row", how="left", maintain_order="left")["n"]
        return result.fill_null(0).alias(texts.name)

    def split(self, chunk: pl.DataFrame) -> pl.LazyFrame:
        """(row, pieces, null, unsafe) per text, and (row, null, piece, unsafe) for each piece that is not one
        token (usually none). An unsafe text, which the split without look-ahead could cut differently, is
        counted again by tiktoken."""
        pieces = chunk.lazy().select(
            "row", pieces=pl.col("text").str.extract_all(self.pattern), unsafe=pl.col("text").str.contains(UNSAFE)
        )
        counts = pieces.select("row", n=pl.col("pieces").list.len(), piece=pl.lit(None, pl.String), unsafe="unsafe")
        unknown = (
            pieces.explode("pieces")
            .drop_nulls("pieces")
            .join(self.single, left_on="pieces", right_on="piece", how="anti")
        )
        return pl.concat([counts, unknown.select("row", n=pl.lit(None, pl.UInt32), piece="pieces", unsafe="unsafe")])


FOUND = pl.Schema({"row": pl.UInt32, "n": pl.UInt32, "piece": pl.String, "unsafe": pl.Boolean})
SINGLE_TOKEN_PIECES: dict[str, pl.LazyFrame] = {}


def single_token_pieces(encoding: tiktoken.Encoding) -> pl.LazyFrame:
    """Every token of the vocabulary that is whole UTF-8 text: a piece equal to one is one token
    (tiktoken looks a piece up before it byte-pair encodes it)."""
    if encoding.name not in SINGLE_TOKEN_PIECES:
        texts = []
        for token in encoding.token_byte_values():
            try:
                texts.append(token.decode("utf-8"))
            except UnicodeDecodeError:
                continue
        SINGLE_TOKEN_PIECES[encoding.name] = pl.DataFrame({"piece": texts}, schema={"piece": pl.String}).lazy()
    return SINGLE_TOKEN_PIECES[encoding.name]
