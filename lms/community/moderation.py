"""Moderation of questions on lessons: the blocked-word list and safe plain text.

Blocked words come from a text file (``LMS_BLOCKED_WORDS_FILE``; one word a line, ``#``
comments). While that file does not exist the list shipped in
``lms/community/data/blocked_words.txt`` applies; the admin's page writes the file. A
question containing a blocked word (compared after NFKC normalisation and case folding,
with whitespace removed, so "Ｂ Ｏ" finds "bo") is held for review.

Posts are plain text: shown escaped, with http(s) links made clickable
(``rel="nofollow noopener ugc"``) and line breaks kept. Nothing else becomes markup.
"""

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from flask import current_app
from markupsafe import Markup, escape

SHIPPED_LIST = Path(__file__).parent / "data" / "blocked_words.txt"
MAX_WORDS = 5000
MAX_WORD_LENGTH = 50

_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").casefold())


def parse_words(text: str) -> list[str]:
    """The words of a list's text: one a line, comments and blanks skipped, no repeats."""
    words: list[str] = []
    for line in (text or "").splitlines():
        word = line.strip()
        if word and not word.startswith("#") and word not in words:
            words.append(word[:MAX_WORD_LENGTH])
    return words[:MAX_WORDS]


def words_file() -> Path:
    return Path(current_app.config["LMS_BLOCKED_WORDS_FILE"])


def _source() -> Path:
    path = words_file()
    return path if path.exists() else SHIPPED_LIST


def list_text() -> str:
    """The list as the admin edits it (the shipped default until someone saves one)."""
    return _source().read_text(encoding="utf-8")


def blocked_words() -> tuple[str, ...]:
    """The normalised words, read again whenever the file changes."""
    path = _source()
    mtime = path.stat().st_mtime
    cached = _cache.get(str(path))
    if cached is None or cached[0] != mtime:
        words = tuple(w for w in (_normal(w) for w in parse_words(list_text())) if w)
        cached = _cache[str(path)] = (mtime, words)
    return cached[1]


def save_list(text: str) -> list[str]:
    """Write the list to ``LMS_BLOCKED_WORDS_FILE`` whole (a reader never sees half a
    file); answers the words it holds."""
    words = parse_words(text)
    path = words_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    comments = [line for line in text.splitlines() if line.strip().startswith("#")]
    content = "\n".join([*comments, *words]) + "\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".blocked-words-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(content)
    os.replace(temporary, path)
    _cache.pop(str(path), None)
    return words


def blocked_in(text: str) -> list[str]:
    """The blocked words ``text`` contains (normalised), in list order."""
    normal = _normal(text)
    return [word for word in blocked_words() if word in normal]


# Plain text with safe links ---------------------------------------------------------------

# A link runs to whitespace, a quote or angle bracket, or CJK punctuation.
_LINK = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


def render_post(text: str) -> Markup:
    """Escape the text, make http(s) links clickable and keep its line breaks."""
    text = text or ""
    parts, last = [], 0
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        parts.append(escape(text[last : match.start()]))
        parts.append(
            Markup('<a href="{0}" rel="nofollow noopener ugc" target="_blank">{0}</a>').format(url)
        )
        last = end
    parts.append(escape(text[last:]))
    html = Markup("").join(parts)
    return Markup(str(html).replace("\r\n", "\n").replace("\n", "<br>\n"))
