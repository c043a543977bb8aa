"""Fail like `docker build` would when a COPY/ADD source is missing from the build context."""

import hashlib
import os
import re
import sys
from pathlib import Path


def fail(message):
    print(f"::error::build stand-in: {message}")
    sys.exit(1)


def pattern_regex(pattern):
    """Return a regex for a .dockerignore or COPY pattern (Go filepath.Match, plus `**`)."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def ignore_rules(context):
    rules = []
    ignore = context / ".dockerignore"
    if ignore.is_file():
        for line in ignore.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
            rules.append((keep, pattern_regex(pattern)))
    return rules


def is_excluded(path, rules):
    """Return whether PATH (relative, /-separated) is left out of the context; the last matching rule wins."""
    parts = path.split("/")
    excluded = False
    for keep, regex in rules:
        if any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not keep
    return excluded


def is_in_context(source, in_context):
    """Return whether SOURCE names a file, or a folder holding a file, of the context."""
    regex = pattern_regex(os.path.normpath(source).lstrip("/"))
    return any(
        regex.fullmatch("/".join(f.split("/")[:n])) for f in in_context for n in range(1, f.count("/") + 2)
    )


def main():
    context = Path(os.environ.get("CONTEXT") or ".")
    if not context.is_dir():
        fail(f"build context {context} is not a directory")
    dockerfile = Path(os.environ.get("DOCKERFILE") or context / "Dockerfile")
    if not dockerfile.is_file():
        fail(f"failed to read dockerfile: open {dockerfile}: no such file or directory")
    rules = ignore_rules(context)
    files = sorted(
        p.relative_to(context).as_posix()
        for p in context.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(context).parts
    )
    in_context = [f for f in files if not is_excluded(f, rules)]
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    missing = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() not in {"COPY", "ADD"}:
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        if any(w.startswith("--from") for w in words[1:]) or len(args) < 2:
            continue
        sources = [s for s in args[:-1] if "://" not in s]
        found = {s: is_in_context(s, in_context) for s in sources}
        # A wildcard may match nothing as long as another source of the instruction matched something.
        missing += [
            s for s in sources if not found[s] and (not any(c in s for c in "*?[") or not any(found.values()))
        ]
    if missing:
        for source in missing:
            print(f'::error file={dockerfile}::failed to compute cache key: "/{source}": not found '
                  "(missing from the build context: not committed, not created by an earlier step, or .dockerignored)")
        sys.exit(1)
    tags = [tag.strip() for tag in os.environ.get("TAGS", "").replace(",", "\n").splitlines() if tag.strip()]
    push = os.environ.get("PUSH") == "true"
    load = os.environ.get("LOAD") == "true"
    if push and load:
        fail("push and load together are not supported with the docker-container driver")
    if (push or load) and not tags:
        fail("tag is needed when pushing to registry" if push else "tag is needed to load an image")
    if load and (os.environ.get("SBOM") == "true" or os.environ.get("PROVENANCE", "").startswith("mode=")):
        fail("attestations are not supported by the docker exporter: build for load without sbom/provenance")
    temp = Path(os.environ.get("RUNNER_TEMP") or "/tmp")
    if push:
        logins = (temp / "standin-docker-logins").read_text(encoding="utf-8").split() if (temp / "standin-docker-logins").is_file() else []
        for tag in tags:
            host = tag.split("/", 1)[0] if "/" in tag and any(c in tag.split("/", 1)[0] for c in ".:") else "docker.io"
            if host not in logins:
                fail(f"failed to push {tag}: unauthorized (no login to {host}; logged in to: {', '.join(logins) or 'none'})")
    if load:
        with (temp / "standin-docker-images").open("a", encoding="utf-8") as images:
            images.write("".join(f"{tag}\n" for tag in tags))
    digest = hashlib.sha256("\n".join(in_context).encode()).hexdigest()
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"digest=sha256:{digest}\n")
    action = "would push" if push else "would load" if load else "would build"
    print(f"build stand-in: context has every COPY source ({len(in_context)} files); {action}:")
    print(os.environ.get("TAGS", ""))


main()
