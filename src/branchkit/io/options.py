"""How a report is written: language, masking, CSV neutralising, and what must not be overwritten.

Every writer (``output`` for CSV/JSON and the dispatch, ``xlsx``, ``html``, ``bookhtml``) takes these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from branchkit.io.excel import MAX_CELL_CHARS


@dataclass
class WriteOptions:
    """How to write: language, masking, CSV neutralising, and what must not be overwritten."""

    lang: str | None = None             # None: Chinese labels for people, English CSV headers
    mask: bool | None = None            # None: the format's default (masked for people, not for machines)
    raw_csv: bool = False
    inputs: list[Path] = field(default_factory=list)
    max_text_chars: int = MAX_CELL_CHARS
    jobs: int = 1                       # processes the html writer may render sections in

    @property
    def label_lang(self) -> str:
        """The language of labels in xlsx/html."""
        return self.lang or "zh"

    def masked(self, fmt: str) -> bool:
        return self.mask if self.mask is not None else fmt in ("xlsx", "html")
