"""Stand-in for `docker buildx imagetools` under scripts/run_workflow.py: a registry in a JSON file.

The registry is $REGISTRY_STANDIN, a JSON object {"NAME:TAG": "sha256:..."} (run_workflow.py's
`--registry NAME:TAG=DIGEST` fills it). `inspect NAME:TAG|NAME@DIGEST --format '{{json .Manifest}}'`
fails like a registry's "manifest unknown" when the image is not there; `create --tag NAME:TAG
NAME@DIGEST` needs the source by digest, in the same repository, and moves the tag. Every
other docker command goes to the host's docker, if any.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
HERE = Path(__file__).resolve().parent


class Refused(Exception):
    """What a registry or buildx would refuse; printed as one line."""


def registry() -> tuple[Path, dict[str, str]]:
    path = os.environ.get("REGISTRY_STANDIN", "")
    if not path:
        raise Refused("REGISTRY_STANDIN is not set: the stand-in has no registry")
    file = Path(path)
    return file, json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


def lookup(reference: str, images: dict[str, str]) -> str:
    name, at, digest = reference.partition("@")
    if at:
        if not DIGEST.match(digest):
            raise Refused(f"{reference}: invalid reference format")
        if not any(k.rsplit(":", 1)[0] == name and v == digest for k, v in images.items()):
            raise Refused(f"{reference}: not found: manifest unknown")
        return digest
    if ":" not in reference.rsplit("/", 1)[-1]:
        reference += ":latest"
    if reference not in images:
        raise Refused(f"{reference}: not found: manifest unknown")
    return images[reference]


def imagetools(args: list[str]) -> None:
    file, images = registry()
    if args[:1] == ["inspect"] and len(args) >= 2:
        fmt = args[args.index("--format") + 1] if "--format" in args else ""
        if fmt != "{{json .Manifest}}":
            raise Refused(f"imagetools inspect: the stand-in answers --format '{{{{json .Manifest}}}}' only, not {fmt!r}")
        digest = lookup(args[1], images)
        print(json.dumps({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": digest, "size": 1609}))
        return
    if args[:1] == ["create"]:
        tags = [args[i + 1] for i, a in enumerate(args) if a in ("--tag", "-t") and i + 1 < len(args)]
        sources = [a for i, a in enumerate(args[1:], 1) if not a.startswith("-") and args[i - 1] not in ("--tag", "-t")]
        if len(tags) != 1 or len(sources) != 1:
            raise Refused("imagetools create: the stand-in takes one --tag and one source")
        if "@" not in sources[0]:
            raise Refused(f"imagetools create: source {sources[0]} is not by digest")
        digest = lookup(sources[0], images)
        if tags[0].rsplit(":", 1)[0] != sources[0].split("@", 1)[0]:
            raise Refused(f"imagetools create: {tags[0]} is another repository than {sources[0]}")
        images[tags[0]] = digest
        file.write_text(json.dumps(images, indent=1), encoding="utf-8")
        print(f"#1 pushing {tags[0]} -> {digest} (stand-in)")
        return
    raise Refused(f"imagetools {' '.join(args[:1])}: the stand-in runs inspect and create only")


def main(args: list[str]) -> None:
    if args[:2] == ["buildx", "imagetools"]:
        imagetools(args[2:])
        return
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if Path(p).resolve() != HERE)
    real = shutil.which("docker", path=path)
    if real is None:
        raise Refused(f"docker {' '.join(args[:2])}: no docker on this host (the stand-in runs buildx imagetools)")
    os.execv(real, [real, *args])  # noqa: S606 - the host's docker, by absolute path


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Refused as refused:
        print(f"ERROR: {refused} (docker stand-in)", file=sys.stderr)
        sys.exit(1)
