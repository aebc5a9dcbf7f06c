"""Files shipped with branchkit: the jinja2 templates (inside the wheel, or in a source checkout)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def templates_dir() -> Path:
    """The folder of jinja2 templates: ``branchkit/templates`` in an installed wheel,
    the repository's top-level ``templates/`` when running from a source checkout."""
    packaged = Path(str(resources.files("branchkit"))) / "templates"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "templates"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError("branchkit's templates are missing from this installation")
