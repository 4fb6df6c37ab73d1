"""tunnelcheck.wording: the one place counts and lists are put into words."""

from __future__ import annotations

import pytest

from tunnelcheck.wording import LIST_LIMIT, clauses, counted, every, listed, named


@pytest.mark.parametrize(("n", "words", "said"), [
    (0, ("target",), "0 targets"),
    (1, ("target",), "1 target"),
    (2, ("target",), "2 targets"),
    (3, ("Android Tunnel target",), "3 Android Tunnel targets"),
    (2, ("property",), "2 properties"),
    (2, ("day",), "2 days"),
    (2, ("address",), "2 addresses"),
    (2, ("match",), "2 matches"),
    (1, ("target is", "targets are"), "1 target is"),
    (2, ("target is", "targets are"), "2 targets are"),
])
def test_counted(n: int, words: tuple[str, ...], said: str) -> None:
    assert counted(n, *words) == said


def test_every() -> None:
    assert every(1, "iOS Defender profile") == "the only iOS Defender profile"
    assert every(3, "iOS Defender profile") == "all 3 iOS Defender profiles"


@pytest.mark.parametrize(("items", "said"), [
    ([], ""),
    (["a"], "a"),
    (["a", "b"], "a and b"),
    (["a", "b", "c"], "a, b and c"),
    (["a", "a"], "a and a"),  # a list beside a count says as many items as it counts
])
def test_listed(items: list[str], said: str) -> None:
    assert listed(items) == said


def test_a_long_list_counts_the_rest() -> None:
    items = [f"g{i}" for i in range(LIST_LIMIT + 3)]
    assert listed(items) == ", ".join(items[:LIST_LIMIT]) + " and 3 more"
    assert listed(items, limit=None) == ", ".join(items[:-1]) + f" and {items[-1]}"
    assert listed(iter(["x", "y"]), limit=1) == "x and 1 more"


def test_named_counts_what_it_lists() -> None:
    assert named(["A"], "device still has the app", "devices still have the app") == "1 device still has the app: A"
    assert named(["A", "B"], "device still has the app", "devices still have the app") == \
        "2 devices still have the app: A and B"
    assert named([], "device still has the app") == ""


def test_clauses_join_what_says_something() -> None:
    assert clauses("2 servers are not healthy: a and b", "", "1 Tunnel site has no server: s") == \
        "2 servers are not healthy: a and b; 1 Tunnel site has no server: s"
    assert clauses("", "") == ""
    many = [f"p{n} differs" for n in range(LIST_LIMIT + 3)]
    assert clauses(*many) == "; ".join(many[:LIST_LIMIT]) + "; and 3 more"
