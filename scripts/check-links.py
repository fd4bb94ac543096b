#!/usr/bin/env python3
"""Checks that the documentation stands alone and its links hold (run from the repository root).

* every relative link in a Markdown file (`[text](path)` or `[text](path#anchor)`) names a
  file or folder that exists;
* every `docs/NAME.md` named in source files, templates, scripts and Markdown exists;
* no document cites the product specification ("SPEC §", "SPEC 5.3"), which is not in the
  repository.

Exits 1 with one line per broken link.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(".")
SKIP = {"target", "node_modules", ".git", ".venv", "venv", "results"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
DOC_MENTION = re.compile(r"\bdocs/[A-Za-z0-9_.-]+\.md\b")
SPEC_CITE = re.compile(r"\bSPEC\s*(§|\d)")
TEXT_SUFFIXES = {".rs", ".md", ".html", ".sh", ".py", ".toml", ".mjs", ".yml"}


def files():
    for path in ROOT.rglob("*"):
        if any(part in SKIP for part in path.parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            yield path


def main() -> int:
    broken = []
    for path in files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if path.suffix == ".md":
            for target in LINK.findall(text):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
                    continue
                local = target.split("#", 1)[0]
                if local and not (path.parent / local).exists():
                    broken.append(f"{path}: link to {target} (no such file)")
            if path.parts[0] == "docs" or path.name in {"README.md", "CHANGELOG.md"}:
                for line_number, line in enumerate(text.splitlines(), 1):
                    if SPEC_CITE.search(line):
                        broken.append(
                            f"{path}:{line_number}: cites the specification, which is not in "
                            "the repository; say what it means instead"
                        )
        if path.name == "check-links.py":
            continue
        for mention in set(DOC_MENTION.findall(text)):
            if not (ROOT / mention).exists():
                broken.append(f"{path}: names {mention}, which does not exist")
    for line in sorted(broken):
        print(line)
    if broken:
        print(f"check-links: {len(broken)} broken")
        return 1
    print("check-links: every link holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
