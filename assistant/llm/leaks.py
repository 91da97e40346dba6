"""Keep a chat model from handing Tandem's instructions to a participant, even while streaming.

A model can be talked into repeating its system prompt; asking it not to is no defence. This check is
structural: a reply that repeats ``window`` consecutive words of the prompt (compared without case or
punctuation) counts as a leak. While a reply streams, a tail that could begin such a run is held back
until it either stops following the prompt or completes the run, so no part of a leaked run is ever
shown. Paraphrase is not caught (see docs/security.md).
"""

from __future__ import annotations

import re
from functools import lru_cache

WORD = re.compile(r"\S+")
WINDOW = 8  # no 6-word run of prompts/qa_system.md occurs in the shipped guidelines


def _normal(word: str) -> str:
    return re.sub(r"\W+", "", word.lower())


def _words(text: str) -> list[str]:
    return [w for w in (_normal(m.group(0)) for m in WORD.finditer(text)) if w]


def quotes(text: str, secret: str, window: int = WINDOW) -> bool:
    """True when ``text`` repeats ``window`` consecutive words of ``secret``."""
    return VerbatimGuard(secret, window).check_all(text)


@lru_cache(maxsize=16)
def _patterns(secret: str, window: int) -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]]]:
    """The prompt's word runs and their beginnings, computed once per prompt (every reply is checked)."""
    words = _words(secret)
    runs = frozenset(tuple(words[i : i + window]) for i in range(len(words) - window + 1))
    return runs, frozenset(run[:size] for run in runs for size in range(1, window))


class VerbatimGuard:
    """Feed streamed pieces; get back the text that is safe to show now. ``leaked`` turns True on a leak.

    Only a reply's tail that could be the start of a run of the prompt is held back, so an ordinary
    answer streams as it comes; a tail that follows the prompt waits until it either stops following
    it (then it is shown) or reaches ``window`` words (a leak: nothing of the run was shown).
    """

    def __init__(self, secret: str, window: int = WINDOW) -> None:
        self.window = window
        self.runs, self.starts = _patterns(secret, window)
        self.text = ""
        self.shown = 0  # characters of ``text`` released so far
        self.spans: list[tuple[int, str]] = []  # complete words so far: (offset in text, normalised word)
        self.words: list[str] = []  # the same words alone
        self.scanned = 0  # offset up to which complete words are in ``spans``
        self.leaked = False

    def check_all(self, text: str) -> bool:
        words = _words(text)
        return any(tuple(words[i : i + self.window]) in self.runs for i in range(len(words) - self.window + 1))

    def feed(self, piece: str) -> str:
        """Add a piece of the reply; the text that may be shown now ("" while held back or after a leak)."""
        if self.leaked:
            return ""
        self.text += piece
        return self._release(final=False)

    def finish(self) -> str:
        """The end of the reply: the held-back rest, unless it completes a leak."""
        return "" if self.leaked else self._release(final=True)

    def _release(self, *, final: bool) -> str:
        """Parse only what arrived since the last call, so a long reply costs linear time, not quadratic."""
        partial_start = None
        checked_before = len(self.spans)
        for match in WORD.finditer(self.text, self.scanned):
            if not final and match.end() == len(self.text):
                partial_start = match.start()  # the last word may go on in the next piece
                break
            if word := _normal(match.group(0)):
                self.spans.append((match.start(), word))
                self.words.append(word)
            self.scanned = match.end()
        words, window = self.words, self.window
        first_new_window = max(0, checked_before - window + 1)
        if any(tuple(words[i : i + window]) in self.runs for i in range(first_new_window, len(words) - window + 1)):
            self.leaked = True
            return ""
        end = len(self.text) if partial_start is None else partial_start
        if not final:
            for start in range(max(0, len(words) - self.window + 1), len(words)):
                if tuple(words[start:]) in self.starts:  # the longest tail that may begin a run
                    end = min(end, self.spans[start][0])
                    break
        released, self.shown = self.text[self.shown : end], max(self.shown, end)
        return released


class InstructionsLeakError(Exception):
    """A model's reply repeated the system prompt; it is discarded and never stored."""
