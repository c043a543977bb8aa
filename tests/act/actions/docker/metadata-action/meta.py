"""Tags and labels as docker/metadata-action computes them, for the rules the workflows use."""

import json
import os
import re
import sys


def fail(message):
    print(f"::error::metadata stand-in: {message}")
    sys.exit(1)


def rule_tags(rule, event, ref, sha, payload):
    """Return the tag values one `type=...` rule gives for this event."""
    fields = dict(part.split("=", 1) for part in rule.split(",") if "=" in part)
    kind = fields.get("type")
    if kind == "semver":
        match = re.fullmatch(r"refs/tags/v?(\d+)\.(\d+)\.(\d+)(.*)", ref)
        if not match:
            return []
        major, minor, patch, rest = match.groups()
        version = f"{major}.{minor}.{patch}{rest}"
        return [fields["pattern"].replace("{{version}}", version).replace("{{major}}", major).replace("{{minor}}", minor).replace("{{patch}}", patch)]
    if kind == "sha":
        return [f"sha-{sha if fields.get('format') == 'long' else sha[:7]}"]
    if kind == "ref":
        wanted = fields.get("event")
        if wanted == "branch" and ref.startswith("refs/heads/") and event != "pull_request":
            return [re.sub(r"[^A-Za-z0-9._-]", "-", ref[len("refs/heads/"):])]
        if wanted == "tag" and ref.startswith("refs/tags/"):
            return [ref[len("refs/tags/"):]]
        if wanted == "pr" and event == "pull_request":
            return [f"pr-{payload.get('number') or payload.get('pull_request', {}).get('number', 0)}"]
        if wanted not in {"branch", "tag", "pr"}:
            fail(f"unknown ref event in {rule!r}")
        return []
    if kind == "raw":
        return [fields["value"]]
    return fail(f"this stand-in does not know {rule!r}: teach it the rule")


def main():
    images = [line.strip() for line in os.environ["IMAGES"].replace(",", "\n").splitlines() if line.strip()]
    if not images:
        fail("no images given")
    event = os.environ.get("GITHUB_EVENT_NAME", "")
    ref = os.environ.get("GITHUB_REF", "")
    sha = os.environ.get("GITHUB_SHA", "")
    with open(os.environ["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
        payload = json.load(handle)
    values = []
    for rule in os.environ["TAG_RULES"].splitlines():
        if rule.strip():
            values += [value for value in rule_tags(rule.strip(), event, ref, sha, payload) if value not in values]
    tags = [f"{image}:{value}" for image in images for value in values]
    labels = [f"org.opencontainers.image.revision={sha}", *filter(None, os.environ.get("EXTRA_LABELS", "").splitlines())]
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"version={values[0] if values else ''}\n")
        for name, lines in (("tags", tags), ("labels", labels)):
            out.write(f"{name}<<STANDIN_EOF\n" + "".join(f"{line}\n" for line in lines) + "STANDIN_EOF\n")
    print("\n".join(tags))


main()
