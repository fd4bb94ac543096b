#!/usr/bin/env python3
"""Checks the workspace's `rust-version` against what the lockfile really needs.

Reads every locked package's `rust-version` (from `cargo metadata`, all features, every
platform) and compares the highest with `[workspace.package] rust-version` in Cargo.toml.
Fails when a dependency needs a newer Rust than the workspace declares (a `cargo update`
raised it: raise the workspace's too, and say so in CHANGELOG.md), or when the workspace
declares a newer one than anything needs (lower it). Run from the repository root:

    python3 scripts/check-rust-version.py            # check
    python3 scripts/check-rust-version.py --list 10  # also show the 10 most demanding crates
"""
import json
import re
import subprocess
import sys


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def shown(parts):
    return ".".join(str(part) for part in parts).removesuffix(".0")


def declared():
    with open("Cargo.toml", encoding="utf-8") as manifest:
        text = manifest.read()
    section = text.split("[workspace.package]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^rust-version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    if not match:
        sys.exit("Cargo.toml: [workspace.package] has no rust-version")
    return match.group(1)


def main():
    metadata = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    needs = sorted(
        (
            (version(package["rust_version"]), package["name"], package["version"])
            for package in metadata["packages"]
            if package.get("rust_version") and package.get("source")
        ),
        reverse=True,
    )
    if "--list" in sys.argv:
        count = int(sys.argv[sys.argv.index("--list") + 1])
        for need, name, crate_version in needs[:count]:
            print(f"  {name} {crate_version}: rust-version {shown(need)}")
    workspace = declared()
    highest, name, crate_version = needs[0]
    if highest > version(workspace):
        sys.exit(
            f"rust-version: {name} {crate_version} needs Rust {shown(highest)}, but the workspace "
            f"declares {workspace}; raise [workspace.package] rust-version in Cargo.toml to "
            f"{shown(highest)} (and note it in CHANGELOG.md), or hold the dependency back"
        )
    if highest < version(workspace):
        sys.exit(
            f"rust-version: the workspace declares {workspace} but no locked dependency needs "
            f"more than {shown(highest)} ({name} {crate_version}); lower it unless our own "
            f"code needs {workspace}"
        )
    print(f"rust-version {workspace}: what the lockfile needs ({name} {crate_version})")


main()
