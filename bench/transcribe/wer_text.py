"""Word error rate with the normalisation both sides get (case, punctuation, numbers)."""

from __future__ import annotations

import re

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def number_words(number: int) -> list[str]:
    """English words for 0 <= number < 10**9 ("and" left out, as speakers often do)."""
    if number < 20:
        return [_ONES[number]]
    if number < 100:
        tens, ones = divmod(number, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if number >= size:
            high, rest = divmod(number, size)
            return number_words(high) + [name] + (number_words(rest) if rest else [])
    raise ValueError(number)


def ordinal_words(number: int) -> list[str]:
    words = number_words(number)
    last = words[-1]
    if last in _ORDINAL:
        words[-1] = _ORDINAL[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def normalise(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    text = re.sub(r"\b(\w)\.(?=\w\.)", r"\1", text)  # U.S. -> US.
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 2,450 -> 2450
    text = re.sub(r"[/\-–—]", " ", text)
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", lambda m: " ".join(ordinal_words(int(m[1]))), text)
    text = re.sub(r"\d+", lambda m: " ".join(_digits(m[0])), text)
    text = re.sub(r"[^\w\s']", " ", text).replace("'", "")
    return text.split()


def _digits(run: str) -> list[str]:
    if len(run) > 9 or (len(run) > 1 and run.startswith("0")):
        return [_ONES[int(digit)] for digit in run]
    return number_words(int(run))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference length) after normalisation."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i] + [0] * len(hyp)
        for j, hyp_word in enumerate(hyp, start=1):
            current[j] = min(
                previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)
            )
        previous = current
    return previous[-1], len(ref)
