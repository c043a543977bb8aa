"""Stand-in for the AWS CLI under scripts/run_workflow.py: no AWS here, so it checks what AWS would refuse.

- `aws eks update-kubeconfig --name NAME --region REGION [--kubeconfig FILE]`: needs short-lived
  credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN,
  as configure-aws-credentials hands them out by OIDC), a valid region and cluster name; writes a
  kubeconfig like the real one: an https server, a user that runs `aws eks get-token`.
- `aws eks get-token --cluster-name NAME --region REGION`: the same credentials; prints an
  ExecCredential (what kubectl's exec plugin reads).
Anything else is refused, so a workflow cannot lean on a command this stand-in does not check.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import yaml

REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
CLUSTER = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")


class Refused(Exception):
    """What the real CLI or AWS would refuse; printed as one line."""


def option(args: list[str], name: str) -> str | None:
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def account() -> str:
    """Return the account the credentials belong to; refuse what STS would not have handed out."""
    key, secret, session = (os.environ.get(n, "") for n in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"))
    if not key or not secret:
        raise Refused("Unable to locate credentials. You can configure credentials by running \"aws configure\".")
    if not key.startswith("ASIA") or not session:
        raise Refused("long-lived access keys: the stand-in accepts only an OIDC session (ASIA... and a session token)")
    found = re.search(r"([0-9]{12})$", key)
    return found.group(1) if found else "000000000000"


def required(args: list[str], name: str, pattern: re.Pattern[str]) -> str:
    value = option(args, name)
    if value is None:
        raise Refused(f"the following arguments are required: {name}")
    if not pattern.match(value):
        raise Refused(f"invalid value for {name}: {value!r}")
    return value


def update_kubeconfig(args: list[str]) -> None:
    name = required(args, "--name", CLUSTER)
    region = required(args, "--region", REGION)
    owner = account()
    path = Path(option(args, "--kubeconfig") or os.environ.get("KUBECONFIG") or Path.home() / ".kube" / "config")
    arn = f"arn:aws:eks:{region}:{owner}:cluster/{name}"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": arn, "cluster": {"server": f"https://{name}.gr7.{region}.eks.amazonaws.com"}}],
        "contexts": [{"name": arn, "context": {"cluster": arn, "user": arn}}],
        "current-context": arn,
        "users": [
            {
                "name": arn,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["--region", region, "eks", "get-token", "--cluster-name", name, "--output", "json"],
                    }
                },
            }
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    print(f"Added new context {arn} to {path} (stand-in)")


def get_token(args: list[str]) -> None:
    name = required(args, "--cluster-name", CLUSTER)
    required(args, "--region", REGION)
    owner = account()
    status = {"expirationTimestamp": "2099-01-01T00:00:00Z", "token": f"k8s-aws-v1.standin-{owner}-{name}"}
    print(json.dumps({"kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1beta1", "status": status}))


def main(args: list[str]) -> None:
    # Global options may come first (`aws --region R eks get-token`): commands are the bare words.
    words = [a for i, a in enumerate(args) if not a.startswith("-") and not (i and args[i - 1].startswith("--"))]
    if words[:2] == ["eks", "update-kubeconfig"]:
        update_kubeconfig(args)
    elif words[:2] == ["eks", "get-token"]:
        get_token(args)
    else:
        raise Refused(f"aws {' '.join(words[:2])}: the stand-in does not run this (tests/act/README.md)")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Refused as refused:
        print(f"aws: error: {refused} (aws stand-in)", file=sys.stderr)
        sys.exit(1 if "required" not in str(refused) else 2)
