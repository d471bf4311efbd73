"""The README and docs/ point only inside the repository, at files that exist.

A clone is all a user has: a link to a sibling folder of the checkout (the
project's own notes, say) or to a file since moved is a dead end for them.
Every relative Markdown link of README.md and docs/*.md must name a file or
folder of the repository, and a `#fragment` into a Markdown file one of its
headings; a path in a code span that climbs out of the repository (`../…`)
is refused too, as is one naming no file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sinergi.paths import project_dir

ROOT = project_dir().resolve()
DOCUMENTS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
# [text](target) and [text](target "title"); images too
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_CODE_SPAN_PATH = re.compile(r"`(\.\./[^`\s]+)`")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _prose(text: str) -> str:
    """A document without its fenced code blocks (their brackets are code, not links)."""
    return _FENCE.sub("", text)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    anchors = set()
    for line in _prose(path.read_text(encoding="utf-8")).splitlines():
        if match := re.match(r"#{1,6}\s+(.*)", line):
            text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1)).strip().lower()
            anchors.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return anchors


def _inside(path: Path) -> bool:
    return path == ROOT or ROOT in path.parents


def _problems(document: Path, text: str | None = None) -> list[str]:
    """What is wrong with the links of `document` (its `text`, default: the file's)."""
    problems = []
    text = _prose(document.read_text(encoding="utf-8") if text is None else text)
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto:: not a file of the repository
        file_part, _, fragment = target.partition("#")
        resolved = (document.parent / file_part).resolve() if file_part else document
        if not _inside(resolved):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif fragment and resolved.suffix == ".md" and fragment not in _anchors(resolved):
            problems.append(f"{target}: no heading #{fragment} in {resolved.name}")
    for path in _CODE_SPAN_PATH.findall(text):
        resolved = (document.parent / path).resolve()
        if not _inside(resolved):
            problems.append(f"`{path}`: outside the repository")
        elif not resolved.exists():
            problems.append(f"`{path}`: no such file")
    return problems


def test_the_documents_are_found() -> None:
    names = [d.relative_to(ROOT).as_posix() for d in DOCUMENTS]
    assert "README.md" in names and "docs/domain-rules.md" in names, names


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_inside_the_repository(document: Path) -> None:
    assert _problems(document) == []


def test_a_link_out_of_the_repository_is_caught() -> None:
    text = (ROOT / "docs" / "domain-rules.md").read_text(encoding="utf-8")
    text += (
        "\n[spec](../../shared/SPEC.md) [gone](no-such.md) `../shared/STACK-NOTES.md`"
        " [rules](domain-rules.md#no-such-heading) [five](domain-rules.md#the-five-sources)\n"
    )
    # judged as if it were a page of docs/
    assert _problems(ROOT / "docs" / "probe.md", text) == [
        "../../shared/SPEC.md: outside the repository",
        "no-such.md: no such file",
        "domain-rules.md#no-such-heading: no heading #no-such-heading in domain-rules.md",
        "`../shared/STACK-NOTES.md`: no such file",
    ]
    # from the top of the repository the same climbs out of it
    assert _problems(ROOT / "probe.md", "`../shared/SPEC.md`") == [
        "`../shared/SPEC.md`: outside the repository"
    ]
