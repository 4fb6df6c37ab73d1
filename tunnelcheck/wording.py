"""Counts and lists in the sentences tunnelcheck writes: "1 target is", "2 targets are", "a, b and c".

Every reason, summary and label that counts something or lists names says it through these functions,
so "1 target(s)" and a list that runs on for a hundred names are written nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["LIST_LIMIT", "clauses", "counted", "every", "listed", "named"]

#: How many names a list shows before it says "and N more".
LIST_LIMIT = 5


def _plural(singular: str) -> str:
    """English's regular plural of the phrase's last word: target → targets, property → properties."""
    if singular.endswith("y") and singular[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        return singular[:-1] + "ies"
    if singular.endswith(("s", "x", "z", "ch", "sh")):
        return singular + "es"
    return singular + "s"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the phrase in the number it takes: ``counted(1, "target")`` is "1 target",
    ``counted(2, "target is", "targets are")`` is "2 targets are". Without ``plural`` the phrase's regular
    plural is used, so a phrase that ends in a verb or an irregular noun gives its plural."""
    return f"{n} {singular if n == 1 else (plural or _plural(singular))}"


def every(n: int, singular: str, plural: str | None = None) -> str:
    """All of ``n`` things, for a sentence that says they all pass: "the only target", "all 3 targets"."""
    return f"the only {singular}" if n == 1 else f"all {counted(n, singular, plural)}"


def listed(items: Iterable[str], limit: int | None = LIST_LIMIT) -> str:
    """The items as a list in a sentence: "a", "a and b", "a, b and c"; beyond ``limit`` items the rest
    are counted ("a, b, c, d, e and 3 more"), so the list and a count beside it agree."""
    names = list(items)
    if limit is not None and len(names) > limit:
        return ", ".join(names[:limit]) + f" and {len(names) - limit} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def named(items: Sequence[str], singular: str, plural: str | None = None) -> str:
    """The items counted with what is said of them, then listed: ``named(["A", "B"], "device still has the
    app", "devices still have the app")`` is "2 devices still have the app: A and B"; "" for no item."""
    return f"{counted(len(items), singular, plural)}: {listed(items)}" if items else ""


def clauses(*parts: str, limit: int = LIST_LIMIT) -> str:
    """The parts that say something, as one reason: "2 servers are not healthy: …; 1 Tunnel site has …";
    beyond ``limit`` parts the rest are counted ("…; and 3 more"), so a reason stays short however many
    objects fail (the evidence lists them all)."""
    said = [part for part in parts if part]
    if len(said) > limit:
        return "; ".join(said[:limit]) + f"; and {len(said) - limit} more"
    return "; ".join(said)
