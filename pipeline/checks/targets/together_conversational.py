"""Together AI conversational fine-tuning records: `{"messages": [system?, user, assistant, ...]}`.

Follows Together's data-format docs and `together files check` (together-python `utils/files.py` eba5e5f and
together-py a7cab74, whose role set is system, user and assistant: the newer constants that add `tools`
and the `tool` role are not mirrored). The schema holds the shapes: string content or a list of text
and image_url parts, images only in user messages as base64 data URLs, `weight` 0 or 1, no extra
column. The rules are the SDK's (no two consecutive messages with one role, at least one assistant
message, one content form per conversation, at most 10 images per message and per conversation, 10 MiB
per image, no weight other than 0 on a message with images) and the docs' "start with system or user
and alternate", plus ftprep's: the last message is the assistant's. Limits: at least
one sample; 50.1 GiB per file (the SDK constant; the docs say 100 GB, older docs 5 GB).

The media rules are shared with the instruction and preference targets.
"""

import re

import polars as pl

from pipeline.checks.finding import Finding
from pipeline.checks.targets.sft_rules import clean_conversation, conversation_findings
from pipeline.records import conversation

MAX_IMAGES = 10
IMAGE_HEADER = re.compile(r"^data:image/(jpeg|png|webp);base64,")
MAX_IMAGE_BASE64 = -(-4 * 10 * 1024 * 1024 // 3)  # 10 MiB, base64-encoded


def to_records(examples: pl.DataFrame) -> pl.DataFrame:
    """One `messages` column, the system prompt (when set) as the first message."""
    return examples.select(messages=conversation())


def semantic_checks(record: dict) -> list[Finding]:
    """Alternation from the user's turn to the assistant's, empty turns, content form and images. Never raises."""
    messages = record.get("messages")
    return conversation_findings(messages, "messages") + media_findings(messages, "messages")


def media_findings(messages: object, path: str) -> list[Finding]:
    """One content form per conversation; images per message and in all, their size and weight."""
    if not isinstance(messages, list):
        return []
    turns = [(index, message) for index, message in enumerate(messages) if isinstance(message, dict)]
    found = []
    if len({type(message.get("content")) for _, message in turns} & {str, list}) > 1:
        found.append(
            Finding(0, "semantic.mixed_content", path, "string and part-list contents mixed; use one form throughout")
        )
    total = 0
    for index, message in turns:
        where = f"{path}[{index}]"
        content = message.get("content")
        found += image_findings(content, f"{where}.content")
        images = len(image_urls(content))
        total += images
        if images and message.get("weight") not in (None, 0):
            found.append(
                Finding(0, "semantic.weighted_image", f"{where}.weight", "a message with images must have weight 0")
            )
    if total > MAX_IMAGES:
        found.append(
            Finding(0, "semantic.too_many_images", path, f"{total} images; Together takes at most {MAX_IMAGES}")
        )
    return found


def image_findings(content: object, path: str) -> list[Finding]:
    """Images in one content: at most MAX_IMAGES, each at most 10 MiB once decoded."""
    found = []
    urls = image_urls(content)
    if len(urls) > MAX_IMAGES:
        found.append(
            Finding(0, "semantic.too_many_images", path, f"{len(urls)} images; Together takes at most {MAX_IMAGES}")
        )
    for index, url in urls.items():
        header = IMAGE_HEADER.match(url)
        if header and len(url) - header.end() > MAX_IMAGE_BASE64:
            found.append(
                Finding(0, "semantic.image_too_large", f"{path}[{index}].image_url.url", "the image is over 10 MiB")
            )
    return found


def image_urls(content: object) -> dict[int, str]:
    """Part index -> image URL, for the image parts of a part-list content."""
    if not isinstance(content, list):
        return {}
    found = {}
    for index, part in enumerate(content):
        image = part.get("image_url") if isinstance(part, dict) else None
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str):
            found[index] = url
    return found


def clean_rows(records: pl.DataFrame) -> pl.Series:
    """True where a record rendered from an EXAMPLE frame certainly passes the schema and semantic checks.

    Rendered contents are strings, so the media rules always pass.
    """
    checks = clean_conversation(pl.col("messages"))
    return records.select(pl.all_horizontal(checks).fill_null(False)).to_series()
