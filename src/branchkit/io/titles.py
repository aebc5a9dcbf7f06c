"""Role titles as ledgers write them (岗位) read as role keys (DOMAIN §1).

A title is a role's when it is one of the role's names in the rules ([roles]
names), spaces and full-width forms aside. A longer title takes the role of
the longest name it ends with only when the words around that name keep the
post: a place before it (the branch, 城中支行副行长; a department,
公司业务部法人客户经理, except for the head and deputies), a grade (高级), 岗
after it. Any other word makes another post: 行长助理 is an assistant, 原行长 a
former head, and neither is read as head; such a title is an unknown role, an
error naming its cell, never the role of a name it happens to contain. The
words are rules ([roles] units, departments, grades, not_the_post).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from branchkit.io import convert
from branchkit.text import fold_series, word_key

if TYPE_CHECKING:
    from branchkit.rules import RoleRules


def to_role(values: pd.Series, roles: RoleRules) -> tuple[pd.Series, convert.Bad]:
    """Role titles as written to role keys: a known name whole, or a longer title whose other words keep
    the post (城中支行副行长, 高级对公客户经理; never 行长助理 or 原行长)."""
    bad = convert.Bad()
    text, _ = convert.to_text(values)
    present = text.notna()
    keys = fold_series(text[present])
    exact = {word_key(key): key for key in roles.names}
    for key, words in roles.names.items():
        exact.update({word_key(w): key for w in words})
    mapped = keys.map(exact)
    missing = mapped.isna()
    if missing.any():
        # the titles left are few distinct values (a staff list repeats its posts): each read once
        titles = _Titles(exact, roles)
        found = {k: titles.role(k) for k in keys[missing].unique()}
        mapped[missing] = keys[missing].map(found)
    out = pd.Series(pd.NA, index=values.index, dtype="str")
    out[present] = mapped
    known = ", ".join(words[0] for words in roles.names.values() if words)
    bad.add(present & out.isna(), values, "unknown_role",
            f"unknown role; known roles: {known} (a title is one of these names, after its branch or "
            "department at most: 城中支行副行长; 助理, 原, 代 and the like make another post); add the name "
            "under [roles.names] in the rules file")
    return out, bad


#: Roles a department's own head is not: 公司业务部主任 heads a department, not the branch.
_BRANCH_ONLY = ("head", "deputy")


class _Titles:
    """Reads a title longer than a role name (folded): the longest name it ends with, when the words around
    it keep the post. Before the name: a place (text up to a unit, or up to a department for roles other
    than head and deputy) and/or a grade; after it: 岗, 岗位 or a bracketed grade. A place opened by a
    word that changes the post, or holding one right after a unit or department (原城中支行行长), or
    naming another post (城中支行行长兼营业部主任), is refused: such a title is an unknown role, never the
    role of a name it happens to contain (行长助理 is no head)."""

    def __init__(self, exact: dict[str, str], roles: RoleRules) -> None:
        self.exact = exact
        self.names = sorted((w for w in exact if len(w) >= 2), key=len, reverse=True)
        units, departments = _either(roles.units), _either(roles.departments)
        grades, changed = _either(roles.grades), _either(roles.not_the_post)
        self.suffix = re.compile(rf"(.+?)(?:岗位|岗|\((?:{grades})\))")
        self.branch_place = re.compile(rf"(?:.*(?:{units}))?(?:{grades})?")
        self.any_place = re.compile(rf"(?:.*(?:{units}|{departments}))?(?:{grades})?")
        self.changed = re.compile(rf"^(?:{changed})|(?:{units}|{departments})(?:{changed})")

    def role(self, key: str) -> str | None:
        bare = self.suffix.fullmatch(key)
        for body in (key, bare[1]) if bare else (key,):
            for name in self.names:
                if body.endswith(name) and self._keeps(body[:-len(name)], self.exact[name]):
                    return self.exact[name]
        return None

    def _keeps(self, place: str, role: str) -> bool:
        if not place:
            return True
        fits = (self.branch_place if role in _BRANCH_ONLY else self.any_place).fullmatch(place)
        return bool(fits) and not self.changed.search(place) and not any(n in place for n in self.names)


def _either(words: list[str]) -> str:
    """A regex alternation of the words (folded, longest first); one matching nothing for no words."""
    folded = sorted({word_key(w) for w in words}, key=len, reverse=True)
    return "|".join(map(re.escape, folded)) or "(?!)"
