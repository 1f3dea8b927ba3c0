"""The README documents every setting and every command (checked, so it cannot drift)."""

from __future__ import annotations

from pathlib import Path

import pytest

from microcred.cli import main
from microcred.config import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_readme_documents_every_setting(setting) -> None:  # noqa: ANN001
    assert f"`{setting.env}`" in README


@pytest.mark.parametrize("command", sorted(main.commands))
def test_readme_documents_every_command(command: str) -> None:
    assert f"`microcred {command}" in README


def test_readme_gives_the_two_commands() -> None:
    assert "make serve" in README and "make test" in README
