"""The README documents every environment variable that workmate/settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_readme_documents_every_setting_from_the_environment():
    settings_source = (BASE_DIR / "workmate" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"env_\w+\(\s*\"([A-Z][A-Z0-9_]+)\"", settings_source))
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    assert names, "no env_*() calls found in settings.py"
    assert not names - documented, f"not documented in README.md: {sorted(names - documented)}"


def test_readme_names_the_two_setup_commands():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("##", 1)[0]
    assert "make run" in setup
    assert "make test" in setup
