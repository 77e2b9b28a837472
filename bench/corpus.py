"""A seeded synthetic corpus shaped like sample_data: Markdown pages with FAQ, Q/A and prose sections.

Each page yields about ten examples (FAQ questions, Q/A blocks, explained sections); 5% of pages are
near-copies of an earlier page (a few words changed) so dedup has real work. Same seed, same bytes.
"""

import argparse
import random
from pathlib import Path

WORDS = {
    "nouns": "heat pump battery inverter panel hub tariff meter compressor valve sensor circuit breaker thermostat app "
    "warranty installer roof cable fuse schedule invoice export credit defrost cycle radiator tank pipe filter",
    "verbs": "checks resets charges heats reports controls measures stores limits starts stops shows protects",
    "adjectives": "outdoor indoor smart annual hourly faulty new old main backup quiet efficient",
}
NOUNS, VERBS, ADJECTIVES = (WORDS[kind].split(" ") for kind in ("nouns", "verbs", "adjectives"))
EXAMPLES_PER_PAGE = 10


def sentence(rng: random.Random) -> str:
    words = [
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
        rng.choice(VERBS),
        "the",
        rng.choice(ADJECTIVES),
        rng.choice(NOUNS),
    ]
    words += rng.choices(NOUNS + VERBS + ADJECTIVES, k=rng.randint(4, 14))
    return " ".join(words).capitalize() + f" within {rng.randint(2, 90)} minutes."


def paragraph(rng: random.Random, sentences: tuple[int, int] = (2, 5)) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(*sentences)))


def page(rng: random.Random, number: int) -> str:
    topic = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {number}"
    parts = [f"# Guide to the {topic}", paragraph(rng), "## Frequently asked questions"]
    for _ in range(4):
        parts += [
            f"### Why does the {rng.choice(NOUNS)} {rng.choice(VERBS)} {rng.randint(1, 999)}?",
            paragraph(rng, (1, 3)),
        ]
    parts.append("## Support answers")
    for _ in range(3):
        parts.append(f"Q: How do I reset the {rng.choice(NOUNS)} {rng.randint(1, 999)}?\nA: {paragraph(rng, (1, 2))}")
    for _ in range(2):
        parts += [f"## {rng.choice(ADJECTIVES).capitalize()} {rng.choice(NOUNS)} {rng.randint(1, 999)}", paragraph(rng)]
    return "\n\n".join(parts) + "\n"


def near_copy(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(max(1, len(words) // 60)):
        words[rng.randrange(len(words))] = rng.choice(NOUNS)
    return " ".join(words)


def write_corpus(folder: Path, examples: int, seed: int = 20261129) -> list[Path]:
    """About `examples` examples' worth of pages in `folder`, 1,000 pages per subfolder."""
    rng = random.Random(seed)
    pages: list[str] = []
    paths = []
    for number in range(max(1, examples // EXAMPLES_PER_PAGE)):
        text = near_copy(rng, rng.choice(pages)) if pages and rng.random() < 0.05 else page(rng, number)
        pages.append(text)
        path = folder / f"part-{number // 1000:03d}" / f"page-{number:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--examples", type=int, default=10_000)
    args = parser.parse_args()
    write_corpus(args.folder, args.examples)
