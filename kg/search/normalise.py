"""One normalisation for the search index and its queries: text in, a list of search tokens out.

The same word reaches kg in many spellings (``data-quirks.md``): Arabic or Persian Yeh and Kaf, a zero-width
non-joiner, a space or nothing between a word and its prefix or plural suffix (``می‌شود``, ``می شود``,
``میشود``), diacritics, tatweel, hamza forms (``مسئله``/``مسأله``), the ezafe written ``هٔ`` or ``ه‌ی``, and
digits in three scripts. Indexing and querying both go through :func:`tokens`, so every spelling of a word
becomes the same token and a match never depends on how either side typed it.

Persian: letters are folded to one form, ZWNJ is removed (so the parts join), a detached prefix (``می``,
``نمی``) or suffix (``ها``, ``های``, ``ترین`` ...) is joined to its word, and plural/superlative suffixes are
cut from words long enough to keep a stem. English: case-folded and Snowball-stemmed (``snowballstemmer``,
pure Python). Stop words of both languages are dropped. The rules are our own table rather than
``hazm-normalizer`` or ``parsivar``: README "Search" gives the comparison that decided it.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from itertools import chain

import snowballstemmer  # type: ignore[import-untyped]

from kg.text import ZWNJ, ascii_digits, persian

# Letters folded to one form, and marks deleted (None). Arabic Yeh, Alef Maksura and Kaf are kg.text.persian's.
_FOLD = str.maketrans(
    {
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u06c0": "\u0647",  # heh with yeh above (the ezafe "هٔ" precomposed) -> heh
        "\u06c1": "\u0647",  # heh goal -> heh
        "\u06d5": "\u0647",  # ae -> heh
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u0626": "\u06cc",  # yeh with hamza -> yeh
        "\u0640": None,  # tatweel
        "\u0654": None,  # hamza above (the mark of "هٔ")
        "\u0655": None,
        "\u0670": None,  # superscript alef
        **{chr(c): None for c in range(0x064B, 0x0653)},  # fathatan .. sukun, maddah
        **{chr(c): None for c in range(0x0656, 0x065F + 1)},
        "\u0621": None,  # a lone hamza carries no letter of its own in search
    }
)
# Hamza seats fold to their letter (alef, yeh, waw), which is how the words are typed without hamza: "تأثیر"
# meets "تاثیر", "رئیس" meets "رییس", "مؤسسه" meets "موسسه". A word whose hamza sits on yeh in one spelling and
# on alef in the other (مسئله/مسأله) folds through this table (the folded yeh form -> the alef form).
_SEAT_WORDS = {"مسیله": "مساله", "مسیلهی": "مساله"}
_FOLDED = re.compile("[" + "".join(chr(c) for c in _FOLD) + "]")
_EZAFE = re.compile("\u0647\u200c\u06cc(?![\u0620-\u06ff])")  # "ه‌ی" at a word's end -> "ه" ("راهی" stays)
_WORD = re.compile(r"[^\W\d_]+|\d+")  # letters and digits apart: "سال1399" is two words
_ARABIC = re.compile(r"[\u0600-\u06ff]")

PREFIXES = frozenset({"می", "نمی"})
SUFFIXES = frozenset({"ها", "های", "هایی", "ترین", "تر", "ای", "ام", "اند"})
_AFFIXES = PREFIXES | SUFFIXES
_STRIP = ("هایی", "های", "ها", "ترین")  # cut from words with at least _MIN_STEM letters left
_MIN_STEM = 3

PERSIAN_STOP = frozenset(
    """و در به از که این با را برای آن یا تا بر هم نیز اما یک ی هر شده است بود شد دو بین پس چه
    ولی اگر آیا همه خود ها های ای می او ما من شما ایشان آنها اینکه""".split()
)
ENGLISH_STOP = frozenset(
    """a an and are as at be by for from in into is it its of on or that the their this to was were
    with without via vs""".split()
)
_STOP = PERSIAN_STOP | ENGLISH_STOP
_STEMMER = snowballstemmer.stemmer("english")
_STEMMER_LOCK = threading.Lock()  # a snowballstemmer object keeps its word in itself: one thread at a time


def fold(text: str) -> str:
    """The letter-level rules: one Persian orthography, ASCII digits, no marks, lower case, ezafe folded."""
    text = ascii_digits(persian(text))
    if _ARABIC.search(text):
        if _FOLDED.search(text):  # most text holds none of them: translate (a dict lookup per character) is slow
            text = text.translate(_FOLD)
        if ZWNJ in text:
            text = _EZAFE.sub("\u0647", text).replace(ZWNJ, "")
    return text.casefold()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One folded word's token: English Snowball stem, Persian plural/superlative suffix cut, digits kept."""
    if word.isascii():
        if word.isdigit():
            return word
        with _STEMMER_LOCK:  # the server's threads share it (an unlocked stemmer raised IndexError under load)
            return str(_STEMMER.stemWord(word))
    word = _SEAT_WORDS.get(word, word)
    for suffix in _STRIP:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=262144)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    """The folded words of one whitespace-free chunk. Every rule of :func:`fold` and ``_WORD`` stays inside a
    chunk, and most chunks repeat (a vocabulary of some tens of thousands of words), so the build folds each
    distinct chunk once: three times faster than folding and splitting every text whole."""
    return tuple(_WORD.findall(fold(chunk)))


def words(text: str) -> list[str]:
    """The folded words of ``text`` with detached prefixes and suffixes joined, before stemming and stop words."""
    found = list(chain.from_iterable(map(_chunk_words, text.split())))
    if _AFFIXES.isdisjoint(found):  # the common case: nothing to join, no Python loop over the words
        return found
    # Only an affix, or the word after a prefix, can join its neighbour: the loop visits those alone and copies
    # the runs between them (a joined word is never itself a prefix, so a copied word never follows one).
    marks = [i for i, word in enumerate(found) if word in _AFFIXES]
    visit = sorted(set(marks) | {i + 1 for i in marks if found[i] in PREFIXES and i + 1 < len(found)})
    out: list[str] = []
    copied = 0
    for i in visit:
        out.extend(found[copied:i])
        word = found[i]
        if out and word in SUFFIXES and not out[-1].isascii():
            out[-1] += word
        elif out and out[-1] in PREFIXES:
            out[-1] += word
        else:
            out.append(word)
        copied = i + 1
    out.extend(found[copied:])
    return out


def content_words(text: str) -> list[str]:
    """:func:`words` without stop words."""
    return [w for w in words(text) if w not in _STOP]


def tokens(text: str) -> list[str]:
    """The search tokens of ``text``, in order: what the index stores and what a query is matched with."""
    return list(map(stem, content_words(text)))


def compound(first: str, second: str) -> str | None:
    """The token of two adjacent Persian words written as one ("ریخت شناسی" -> "ریختشناسی"), else None.

    Persian writes the parts of a compound with a space, a ZWNJ or nothing; the index also stores every
    adjacent pair joined (:func:`pair_text`), and a query accepts each word alone or joined to a neighbour.
    """
    if first.isascii() or second.isascii() or first.isdigit() or second.isdigit():
        return None
    return stem(first + second)


def pair_text(text: str) -> str:
    """Every adjacent pair of Persian words joined, as the index's ``pairs`` column."""
    return _pairs(content_words(text))


def _pairs(found: list[str]) -> str:
    joined = (compound(a, b) for a, b in zip(found, found[1:], strict=False))
    return " ".join(j for j in joined if j)


def token_and_pair_text(text: str) -> tuple[str, str]:
    """:func:`token_text` and :func:`pair_text` of one text from one pass over its words (the build's hot path)."""
    found = content_words(text)
    return " ".join(map(stem, found)), _pairs(found)


def token_text(text: str) -> str:
    """:func:`tokens` as one space-separated string: the indexed form of a field."""
    return " ".join(tokens(text))
