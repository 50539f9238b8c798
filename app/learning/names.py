"""Words in a teacher's free text that look like a student's first name.

Action research is about real students, and their names must stay out of it ("replace names
with initials or “Student A”"). This cannot be certain, so it only warns: the text is saved
and the words are named back to the teacher.

The rule, on each word written with a capital and then lower case (``Maria``, ``O'Neil``,
``Mary-Jo``; never ``MARIA`` or ``maria``):

- a word that is one of the 2,000 most common US first names (``data/first-names.txt.gz``,
  from the 1990 Census, see ``data/NOTICE``) is a likely name;
- except a name that is also an everyday English word ("Will", "May", "Grace", "Mark", "Hope",
  "Bill", marked in the data) when it starts a sentence (the first word, or after ``.``,
  ``!``, ``?``, ``:``, ``;``, a line break or a list bullet): there a capital says nothing.
  In the middle of a sentence a capital does say something ("I asked Will to read"), so it
  counts;
- and never a month that is also a name (April, May, June, August): "in May" is a date.

So "May I ask" and "in May" pass, "Will the class improve?" passes, "Will and Jayden read"
flags Jayden only, and "I paired Grace with Jayden" flags both.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

_DATA = Path(__file__).with_name("data") / "first-names.txt.gz"
_MONTHS = frozenset({"april", "may", "june", "august"})
# A capitalised word; an apostrophe or hyphen may join a second part (O'Neil, Mary-Jo).
_JOINERS = "'\u2019-"  # apostrophe, right single quotation mark, hyphen
_WORD = re.compile(rf"[A-Za-z]+(?:[{_JOINERS}][A-Za-z]+)*")
_CAPITALISED = re.compile(rf"[A-Z][a-z]+(?:[{_JOINERS}][A-Z]?[a-z]+)*")
# What ends a sentence or starts a list item: the next word's capital says nothing.
_SENTENCE_END = frozenset(".!?:;\n\u2022*-\u2013\u2014")
# What may stand between that and the word: spaces, opening quotes and brackets.
_OPENERS = frozenset(" \t\r\"'\u201c\u2018([")


@cache
def _names() -> tuple[frozenset[str], frozenset[str]]:
    """(every name, the names that are also everyday words), lower case."""
    names: set[str] = set()
    words: set[str] = set()
    with gzip.open(_DATA, "rt", encoding="utf-8") as lines:
        for line in lines:
            name, _tab, mark = line.strip().partition("\t")
            if name:
                names.add(name)
                if mark == "word":
                    words.add(name)
    return frozenset(names), frozenset(words)


def _starts_sentence(text: str, start: int) -> bool:
    position = start - 1
    while position >= 0 and text[position] in _OPENERS:
        position -= 1
    return position < 0 or text[position] in _SENTENCE_END or text[position].isdigit()


def likely_names(text: str) -> list[str]:
    """The words of ``text`` that look like first names, each once, in order of appearance."""
    names, words = _names()
    found: dict[str, None] = {}
    for match in _WORD.finditer(text or ""):
        word = re.sub(f"[{_JOINERS[:2]}]s$", "", match.group(0))  # Maria's -> Maria
        if not _CAPITALISED.fullmatch(word):
            continue
        parts = [p.lower() for p in re.split(f"[{_JOINERS}]", word)]
        key = word.lower()
        if key in _MONTHS:
            continue
        if key in names:
            if key in words and _starts_sentence(text, match.start()):
                continue
        elif not (len(parts) > 1 and parts[0] in names and parts[0] not in words):
            continue  # not a name, nor a name joined to another (Mary-Jo, not O'Neil)
        found.setdefault(word, None)
    return list(found)


def names_warning(words: list[str]) -> str:
    """The message shown to the teacher for ``words`` (empty list: no message)."""
    if not words:
        return ""
    quoted = ", ".join(f"“{w}”" for w in words)
    return str(
        _(
            "This looks like it may contain student names: %(names)s. Replace names with "
            "initials or “Student A” (it is saved as it is).",
            names=quoted,
        )
    )
