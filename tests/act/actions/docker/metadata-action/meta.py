"""Tags and labels as docker/metadata-action computes them, for the rules the workflows use."""

import json
import os
import re
import sys


def fail(message):
    print(f"::error::metadata stand-in: {message}")
    sys.exit(1)


def is_default_branch(ref, payload):
    """Return whether REF is the repository's default branch (metadata-action's {{is_default_branch}})."""
    default = payload.get("repository", {}).get("default_branch", "")
    return bool(default) and ref == f"refs/heads/{default}"


def enabled(fields, ref, payload):
    """Return whether a rule's `enable=` holds: true, false or {{is_default_branch}}."""
    value = fields.get("enable", "true")
    if value == "{{is_default_branch}}":
        return is_default_branch(ref, payload)
    if value not in {"true", "false"}:
        fail(f"this stand-in does not know enable={value}: teach it the expression")
    return value == "true"


def rule_tags(rule, event, ref, sha, payload):
    """Return the tag values one `type=...` rule gives for this event."""
    fields = dict(part.split("=", 1) for part in rule.split(",") if "=" in part)
    kind = fields.get("type")
    if not enabled(fields, ref, payload):
        return []
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
    flavor = dict(part.split("=", 1) for part in os.environ.get("FLAVOR", "").replace(",", "\n").split() if "=" in part)
    latest = flavor.get("latest", "auto")
    if latest not in {"auto", "true", "false"}:
        fail(f"flavor latest={latest} is not auto, true or false")
    values = []
    semver_release = False
    for rule in os.environ["TAG_RULES"].splitlines():
        if rule.strip():
            found = rule_tags(rule.strip(), event, ref, sha, payload)
            if found and rule.strip().startswith("type=semver") and "-" not in found[0]:
                semver_release = True
            values += [value for value in found if value not in values]
    # latest=auto: metadata-action adds `latest` for a semver tag that is not a pre-release.
    if (latest == "true" or (latest == "auto" and semver_release)) and "latest" not in values:
        values.append("latest")
    tags = [f"{image}:{value}" for image in images for value in values]
    labels = [f"org.opencontainers.image.revision={sha}", *filter(None, os.environ.get("EXTRA_LABELS", "").splitlines())]
    with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
        out.write(f"version={values[0] if values else ''}\n")
        for name, lines in (("tags", tags), ("labels", labels)):
            out.write(f"{name}<<STANDIN_EOF\n" + "".join(f"{line}\n" for line in lines) + "STANDIN_EOF\n")
    print("\n".join(tags))


main()
