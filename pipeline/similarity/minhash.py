"""Word-shingle hashes and datasketch-compatible MinHash signatures for a batch of texts, vectorised.

Building shingles in Python and hashing each with sha1 is about 60% of datasketch's per-document time
(10.7 s of 17.8 s when the team measured it), so here a batch of texts becomes one flat UTF-8 byte array. Tokens are
runs of non-space bytes; a shingle is the span from the first to the last of `n` consecutive tokens,
hashed as a polynomial over its bytes modulo 2**64 read off one prefix sum (the base is odd, hence
invertible, so any span's hash is a difference of prefix sums rescaled), then mixed with fmix64. The
MinHash step applies datasketch's permutations (drawn as datasketch draws them, `permutations`)
to blocks of shingles and takes per-document minima with `np.minimum.reduceat`.

Row i of `signatures(texts, n, ...)` equals `datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash)`
updated with `shingles(texts[i], n)`, bit for bit (tests/test_minhash.py), so rows can be wrapped in
`LeanMinHash(seed=seed, hashvalues=row, scheme=scheme)` and used with any datasketch index.
`set_signatures` runs sets of arbitrary string shingles (hashed with sha1, as datasketch does by
default) through the same `minhash`, so the library has one MinHash engine.
"""

import itertools
import re
from functools import lru_cache
from typing import Literal, NamedTuple

import numpy as np
import polars as pl

Scheme = Literal["affine32", "legacy"]

BASE = 0x9E3779B97F4A7C15  # odd: invertible modulo 2**64, which the prefix-sum trick needs
INVERSE = pow(BASE, -1, 2**64)
MASK64 = 2**64 - 1
SPACE = 0x20
TOKEN = re.compile(r"[^ ]+")
MERSENNE_PRIME = np.uint64(2**61 - 1)  # datasketch's legacy scheme
LEGACY_MAX_HASH = np.uint64(2**32 - 1)
BLOCK = 1 << 18  # shingles per MinHash block: 1 MB of uint32 scratch, held in L2 across all permutations
CHUNK_BYTES = 1 << 20  # text bytes per batch in `signatures`: scratch (about 40 bytes per byte) stays in cache


class ShingleHashes(NamedTuple):
    """Flat 64-bit shingle hashes in document order; document i owns hashes[offsets[i]:offsets[i + 1]]."""

    hashes: np.ndarray
    offsets: np.ndarray


def shingles(text: str, n: int) -> list[str]:
    """The shingles of one text in plain Python: the definition the vectorised code is tested against.

    A text with fewer than n tokens is one shingle, an empty one has none. On normalised text a shingle
    is n words joined by one space.
    """
    spans = [match.span() for match in TOKEN.finditer(text)]
    if len(spans) < n:
        return [text[spans[0][0] : spans[-1][1]]] if spans else []
    return [text[spans[i][0] : spans[i + n - 1][1]] for i in range(len(spans) - n + 1)]


def shingle_set(text: str, n: int) -> frozenset[str]:
    """Word n-grams of a normalised text as strings; a text shorter than n words is one shingle, an empty text none."""
    return frozenset(shingles(text, n))


def shingle_hash64(shingle: str) -> int:
    """64-bit shingle hash in plain Python; the vectorised hashes equal it. Stable across library versions,
    unlike `pl.Series.hash`, so stored signatures stay comparable."""
    value = 0
    for byte in shingle.encode("utf-8"):
        value = (value * BASE + byte + 1) & MASK64  # + 1: a zero byte still changes the hash
    value ^= value >> 33
    value = (value * 0xFF51AFD7ED558CCD) & MASK64
    value ^= value >> 33
    value = (value * 0xC4CEB9FE1A85EC53) & MASK64
    return value ^ (value >> 33)


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash datasketch's 32-bit schemes expect (`hashfunc=shingle_hash`): the high half of the 64."""
    return shingle_hash64(shingle) >> 32


def shingle_hashes(texts: pl.Series, n: int, chunk_bytes: int = CHUNK_BYTES) -> ShingleHashes:
    """Every document's shingle hashes (duplicates kept: MinHash and set Jaccard ignore them), batch by batch."""
    parts = [hash_batch(texts.slice(low, high - low), n) for low, high in batches(texts, chunk_bytes)]
    starts = np.cumsum([0] + [len(part.hashes) for part in parts[:-1]])
    offsets = [parts[0].offsets[:1]] + [part.offsets[1:] + start for part, start in zip(parts, starts, strict=True)]
    return ShingleHashes(np.concatenate([part.hashes for part in parts]), np.concatenate(offsets))


def batches(texts: pl.Series, chunk_bytes: int) -> list[tuple[int, int]]:
    """Row ranges of about `chunk_bytes` of text each (a longer text ends its own range), so scratch is bounded."""
    ends = np.cumsum(texts.fill_null("").str.len_bytes().to_numpy(), dtype=np.int64)
    batch = np.maximum(ends - 1, 0) // chunk_bytes
    return list(itertools.pairwise([0, *(np.flatnonzero(np.diff(batch)) + 1).tolist(), len(texts)]))


def hash_batch(texts: pl.Series, n: int) -> ShingleHashes:
    """Shingle hashes of one batch; scratch is about 40 bytes per byte of text."""
    data, offsets = utf8_buffers(texts)
    starts, ends, token_offsets = tokens(data, offsets)
    first, last, shingle_offsets = shingle_tokens(token_offsets, n)
    begin, end = starts[first], ends[last]
    # prefix[i] = sum over j < i of (byte_j + 1) * INVERSE**(j + 1); UTF-8 has no 0xFF byte, so + 1 fits in uint8
    prefix = np.empty(len(data) + 1, dtype=np.uint64)
    prefix[0] = 0
    np.multiply(data + np.uint8(1), powers(INVERSE, len(data) + 1)[1:], out=prefix[1:], dtype=np.uint64)
    np.cumsum(prefix[1:], out=prefix[1:])
    # sum over j in [begin, end) of (byte_j + 1) * BASE**(end-1-j) = BASE**end * (prefix[end] - prefix[begin])
    polynomial = powers(BASE, len(data) + 1)[end] * (prefix[end] - prefix[begin])
    return ShingleHashes(fmix64(polynomial), shingle_offsets)


def utf8_buffers(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The texts' UTF-8 bytes as one uint8 array (a view of the Arrow buffer) and int64 offsets (n + 1)."""
    array = texts.fill_null("").cast(pl.String).to_arrow(compat_level=pl.CompatLevel.oldest())
    _, offset_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
    return data[offsets[0] : offsets[-1]], offsets - offsets[0]


def tokens(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Byte starts and ends of runs of non-space bytes (never across documents), and each document's first token."""
    space = data == SPACE
    boundary = np.zeros(len(data) + 1, dtype=bool)
    boundary[offsets] = True
    before, after = boundary[:-1].copy(), boundary[1:].copy()
    before[1:] |= space[:-1]
    after[:-1] |= space[1:]
    solid = ~space
    starts = np.flatnonzero(solid & before)
    ends = np.flatnonzero(solid & after) + 1
    return starts, ends, np.searchsorted(starts, offsets)


def shingle_tokens(token_offsets: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last token of every shingle, and each document's first shingle."""
    count = np.diff(token_offsets)
    per_doc = np.where(count >= n, count - n + 1, np.minimum(count, 1))
    shingle_offsets = np.zeros(len(count) + 1, dtype=np.int64)
    np.cumsum(per_doc, out=shingle_offsets[1:])
    first = np.arange(shingle_offsets[-1], dtype=np.int64)
    first += np.repeat(token_offsets[:-1] - shingle_offsets[:-1], per_doc)
    last = np.minimum(first + (n - 1), np.repeat(token_offsets[1:] - 1, per_doc))
    return first, last, shingle_offsets


@lru_cache(maxsize=4)
def _powers(base: int, size: int) -> np.ndarray:
    values = np.full(size, base, dtype=np.uint64)
    values[0] = 1
    np.cumprod(values, out=values)  # uint64 wraps: powers modulo 2**64
    values.flags.writeable = False
    return values


def powers(base: int, length: int) -> np.ndarray:
    """base**0 .. base**(length-1) modulo 2**64, cached at power-of-two sizes so batches share one table."""
    return _powers(base, 1 << max(length - 1, 1).bit_length())[:length]


def fmix64(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, vectorised (the same steps as `shingle_hash64`'s last lines)."""
    values = values ^ (values >> np.uint64(33))
    values *= np.uint64(0xFF51AFD7ED558CCD)
    values ^= values >> np.uint64(33)
    values *= np.uint64(0xC4CEB9FE1A85EC53)
    values ^= values >> np.uint64(33)
    return values


def fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch's affine32 scheme applies it before permuting."""
    values = values ^ (values >> np.uint32(16))
    values *= np.uint32(0x85EBCA6B)
    values ^= values >> np.uint32(13)
    values *= np.uint32(0xC2B2AE35)
    values ^= values >> np.uint32(16)
    return values


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int, scheme: Scheme) -> tuple[np.ndarray, np.ndarray]:
    """datasketch 2.x's (a, b) for these parameters, drawn as it draws them from numpy's RandomState(seed):
    affine32, all of a (2 * randint(0, 2**31) + 1: odd, so h -> a*h + b is a bijection of uint32) and then all
    of b (randint(0, 2**32)); legacy, a pair (randint(1, p), randint(0, p)) per permutation, p = 2**61 - 1.

    Drawn here rather than read off a `datasketch.MinHash`: importing datasketch imports scipy's integrate
    and optimize (0.3 s), which every worker paid at its first signature and a small run paid once in its
    dedup. tests/test_minhash.py holds these against the installed datasketch's, so the family cannot drift
    unnoticed. Cached, and read-only, since every batch of every text asks for the same ones."""
    generator = np.random.RandomState(seed)
    if scheme == "affine32":
        a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    else:
        draw = lambda low: generator.randint(low, MERSENNE_PRIME, dtype=np.uint64)  # noqa: E731
        drawn = [(draw(1), draw(0)) for _ in range(num_perm)]
        a, b = np.array(drawn, dtype=np.uint64).T.copy()
    a.flags.writeable = b.flags.writeable = False
    return a, b


def minhash(hashes: ShingleHashes, num_perm: int = 128, seed: int = 1, scheme: Scheme = "affine32") -> np.ndarray:
    """(n_docs, num_perm) MinHash values of the 32-bit shingle hashes (`hashes >> 32`), as datasketch computes them.

    affine32 (datasketch 2.x default): fmix32, then a*h + b wrapping in uint32, stored as uint32. legacy:
    (a*h + b) % (2**61 - 1) & (2**32 - 1) in wrapping uint64 arithmetic, exactly as datasketch's numpy code.
    A document without shingles keeps the maximum hash, like an empty datasketch MinHash.
    """
    a, b = permutations(num_perm, seed, scheme)
    dtype = a.dtype.type
    values = (hashes.hashes >> np.uint64(32)).astype(dtype)
    if scheme == "affine32":
        values = fmix32(values)
    offsets = hashes.offsets
    top = np.iinfo(np.uint32).max if scheme == "affine32" else LEGACY_MAX_HASH
    out = np.full((num_perm, len(offsets) - 1), top, dtype=dtype)  # permutation-major: one row per pass
    # Blocks of whole documents of about BLOCK shingles; per permutation three 1-D passes over a block that
    # stays in L2 (one long ufunc call each) beat a 2-D broadcast, whose per-row overhead dominates.
    ends = np.unique(np.searchsorted(offsets, np.arange(BLOCK, offsets[-1], BLOCK), "right"))
    for low, high in itertools.pairwise([0, *ends[ends < len(offsets) - 1].tolist(), len(offsets) - 1]):
        block = values[offsets[low] : offsets[high]]
        nonempty = np.flatnonzero(np.diff(offsets[low : high + 1]))
        if not len(nonempty):
            continue
        starts, docs = offsets[low + nonempty] - offsets[low], low + nonempty
        scratch = np.empty_like(block)
        for row, (a_k, b_k) in enumerate(zip(a, b, strict=True)):
            np.multiply(block, a_k, out=scratch)
            np.add(scratch, b_k, out=scratch)
            if scheme == "legacy":
                np.remainder(scratch, MERSENNE_PRIME, out=scratch)
                np.bitwise_and(scratch, LEGACY_MAX_HASH, out=scratch)
            out[row, docs] = np.minimum.reduceat(scratch, starts)
    return np.ascontiguousarray(out.T)


def signatures(
    texts: pl.Series,
    n: int,
    num_perm: int = 128,
    seed: int = 1,
    scheme: Scheme = "affine32",
    chunk_bytes: int = CHUNK_BYTES,
) -> np.ndarray:
    """(len(texts), num_perm) signatures, computed over batches of about `chunk_bytes` of text so scratch memory
    stays bounded whatever the number of documents (uint32 for affine32, uint64 for legacy, as in datasketch)."""
    dtype = np.uint32 if scheme == "affine32" else np.uint64
    out = np.empty((len(texts), num_perm), dtype=dtype)
    for low, high in batches(texts, chunk_bytes):
        out[low:high] = minhash(hash_batch(texts.slice(low, high - low), n), num_perm, seed, scheme)
    return out


def set_signatures(shingle_sets: list[frozenset[str]], num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """(n, num_perm) uint64 MinHash values of sets of arbitrary string shingles, for small sets such as
    preference questions (documents go through `signatures`).

    Each shingle is hashed with datasketch's default `sha1_hash32`, then `minhash` runs as for documents,
    so row i equals `datasketch.MinHash(num_perm, seed)` updated with the UTF-8 shingles of set i.
    """
    from datasketch.hashfunc import sha1_hash32  # imported here: see `permutations`

    hashed = [sha1_hash32(shingle.encode("utf-8")) for group in shingle_sets for shingle in group]
    offsets = np.zeros(len(shingle_sets) + 1, dtype=np.int64)
    np.cumsum([len(group) for group in shingle_sets], out=offsets[1:])
    hashes = np.array(hashed, dtype=np.uint64) << np.uint64(32)  # `minhash` reads the high 32 bits
    return minhash(ShingleHashes(hashes, offsets), num_perm, seed).astype(np.uint64)
