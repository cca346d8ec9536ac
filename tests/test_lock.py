"""The lock file is what a fresh machine installs: it must match pyproject.toml."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pinned_lines() -> list[Requirement]:
    text = (ROOT / "requirements.lock").read_text()
    return [Requirement(line.rstrip(" \\"))
            for line in text.splitlines() if re.match(r"[A-Za-z0-9_.-]+==", line)]


def locked() -> dict[str, str]:
    """name → version of every pin that applies to this Python and platform."""
    return {canonicalize_name(req.name): str(next(iter(req.specifier)).version)
            for req in pinned_lines() if req.marker is None or req.marker.evaluate()}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = project["dependencies"] + project["optional-dependencies"]["test"]
    return [Requirement(line) for line in names]


def test_every_dependency_is_locked_within_its_range():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name]), (
            f"{name}=={pins[name]} is outside {requirement.specifier}: run `make lock`")
        assert requirement.specifier, f"{name} has no version range in pyproject.toml"


def test_every_locked_package_has_hashes():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text.strip())
    assert len(blocks) == len(pinned_lines())
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_the_installed_versions_are_the_locked_ones():
    for name, version in locked().items():
        if name in {"meetup", "setuptools"}:
            continue
        installed = metadata.version(name)
        assert installed == version, f"{name}: installed {installed}, locked {version}"
