"""Stand-in for kubectl under scripts/run_workflow.py: no cluster here, so it checks what one would refuse.

- `kubectl kustomize DIR`: renders the kustomize subset the template's overlays use (resources,
  namespace, images, patches); any other kustomization field is an error, not silently ignored.
- `kubectl apply [--server-side] [--dry-run=server] -f FILE`: needs a readable kubeconfig (KUBECONFIG)
  with a current context and an https server, and when its user runs a credential plugin (`exec`,
  like `aws eks get-token`), that plugin must give a token; each object must pass the Kubernetes schema
  (kubernetes-validate, strict), name a namespace, and run every container image by digest.
- `kubectl get -f FILE -o name`, `kubectl rollout status|undo KIND/NAME --namespace NS`: answer for
  what an earlier apply of this job applied, and fail for anything else, as a cluster would.
State lives in $RUNNER_TEMP/kubectl-standin.json (one job).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume"}
KUSTOMIZATION_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "patches"}
GROUPS = {"Deployment": "apps", "StatefulSet": "apps", "DaemonSet": "apps", "HorizontalPodAutoscaler": "autoscaling"}
GROUPS |= {"CronJob": "batch", "Job": "batch", "PodDisruptionBudget": "policy"}
GROUPS |= {"NetworkPolicy": "networking.k8s.io", "Ingress": "networking.k8s.io"}
DIGEST = re.compile(r"^[^@\s]+@sha256:[0-9a-f]{64}$")


class Refused(Exception):
    """What a real kubectl or API server would refuse; printed as one line."""


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def merge(base: Any, patch: Any) -> Any:
    """A strategic merge for maps (lists are replaced): what the template's patches need."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return patch


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    spec = obj.get("spec") or {}
    pod = (spec.get("jobTemplate") or {}).get("spec", spec).get("template", {}).get("spec", {})
    if obj.get("kind") == "Pod":
        pod = spec
    return [*(pod.get("containers") or []), *(pod.get("initContainers") or [])]


def image_name(image: str) -> str:
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]


def kustomize(folder: Path) -> list[dict[str, Any]]:
    file = next((folder / n for n in ("kustomization.yaml", "kustomization.yml", "Kustomization")), None)
    if file is None or not file.is_file():
        raise Refused(f"unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in {folder}")
    spec = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    unknown = set(spec) - KUSTOMIZATION_FIELDS
    if unknown:
        raise Refused(f"{file}: the stand-in does not render {sorted(unknown)}: extend tests/act/bin/standin_kubectl.py")
    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources") or []:
        if Path(entry).is_absolute():
            raise Refused(f"{file}: new root '{entry}' cannot be absolute")
        target = (folder / entry).resolve()
        if target.is_dir():
            if folder.resolve().is_relative_to(target):
                raise Refused(f"{file}: cycle detected: '{target}' contains '{folder.resolve()}'")
            objects += kustomize(target)
        elif target.is_file():
            if not target.is_relative_to(folder.resolve()):
                raise Refused(f"{file}: security; file '{target}' is not in or below '{folder.resolve()}'")
            objects += load_documents(target)
        else:
            raise Refused(f"{file}: accumulating resources: '{entry}' must resolve to a file or a directory")
    for entry in spec.get("patches") or []:
        text = entry.get("patch") or (folder / entry["path"]).read_text(encoding="utf-8")
        patch = yaml.safe_load(text)
        key = (patch.get("kind"), (patch.get("metadata") or {}).get("name"))
        hits = [i for i, o in enumerate(objects) if (o.get("kind"), o["metadata"].get("name")) == key]
        if not hits:
            raise Refused(f"{file}: no matches for patch target {key[0]}/{key[1]}")
        for index in hits:
            objects[index] = merge(objects[index], patch)
    if spec.get("namespace"):
        for obj in objects:
            if obj.get("kind") not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = spec["namespace"]
    for rule in spec.get("images") or []:
        for obj in objects:
            for container in containers(obj):
                if image_name(container.get("image", "")) != rule["name"]:
                    continue
                name = rule.get("newName", rule["name"])
                if rule.get("digest"):
                    container["image"] = f"{name}@{rule['digest']}"
                elif rule.get("newTag"):
                    container["image"] = f"{name}:{rule['newTag']}"
                else:
                    container["image"] = name
    return objects


def check_kubeconfig() -> None:
    path = os.environ.get("KUBECONFIG", "")
    if not path or not Path(path).is_file():
        raise Refused("The connection to the server localhost:8080 was refused (no KUBECONFIG file)")
    config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(config, dict) or config.get("kind") != "Config":
        raise Refused(f"error loading config file {path}: not a kubeconfig (kind: Config)")
    contexts = {c["name"]: c.get("context", {}) for c in config.get("contexts") or []}
    current = contexts.get(config.get("current-context", ""))
    if current is None:
        raise Refused("error: current-context is not set or names no context in the kubeconfig")
    clusters = {c["name"]: c.get("cluster", {}) for c in config.get("clusters") or []}
    server = str(clusters.get(current.get("cluster"), {}).get("server", ""))
    if not server.startswith("https://"):
        raise Refused(f"error: the current context's cluster has no https server (got {server!r})")
    users = {u["name"]: u.get("user", {}) for u in config.get("users") or []}
    plugin = (users.get(current.get("user")) or {}).get("exec")
    if plugin:
        run_credential_plugin(plugin)


def run_credential_plugin(plugin: dict[str, Any]) -> None:
    """Run the kubeconfig user's exec plugin (`aws eks get-token`, ...) as kubectl would: it must give a token."""
    command = [str(plugin.get("command", "")), *[str(a) for a in plugin.get("args") or []]]
    env = os.environ | {str(e["name"]): str(e["value"]) for e in plugin.get("env") or []}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise Refused(f"getting credentials: exec: executable {command[0]} not found") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise Refused(f"getting credentials: exec: executable {command[0]} failed with exit code {done.returncode}: {last}")
    try:
        token = json.loads(done.stdout)["status"]["token"]
    except (ValueError, KeyError, TypeError):
        token = ""
    if not token:
        raise Refused(f"getting credentials: {command[0]} gave no ExecCredential with a token")


def state_file() -> Path:
    return Path(os.environ.get("RUNNER_TEMP") or "/tmp") / "kubectl-standin.json"  # noqa: S108


def applied() -> dict[str, str]:
    file = state_file()
    return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}


def object_name(obj: dict[str, Any]) -> str:
    kind = str(obj.get("kind", ""))
    group = GROUPS.get(kind)
    return f"{kind.lower()}{'.' + group if group else ''}/{obj['metadata']['name']}"


def check_objects(objects: list[dict[str, Any]]) -> None:
    import kubernetes_validate

    version = kubernetes_validate.latest_version()
    for obj in objects:
        label = f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}"
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise Refused(f"{label} is invalid against Kubernetes {version}: {error.message}") from None
        except kubernetes_validate.SchemaNotFoundError:
            raise Refused(f"{label}: no such kind in Kubernetes {version}") from None
        if obj.get("kind") not in CLUSTER_SCOPED and not obj["metadata"].get("namespace"):
            raise Refused(f"{label} names no namespace: it would land in the kubeconfig's default")
        for container in containers(obj):
            if not DIGEST.match(str(container.get("image", ""))):
                raise Refused(f"{label} runs {container.get('image')!r}, not an image by digest (NAME@sha256:...)")


def option(args: list[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        for name in names:
            if arg == name and index + 1 < len(args):
                return args[index + 1]
            if arg.startswith(f"{name}="):
                return arg.split("=", 1)[1]
    return None


def main(args: list[str]) -> None:
    if args[:1] == ["kustomize"] and len(args) == 2:
        print(yaml.safe_dump_all(kustomize(Path(args[1])), sort_keys=True), end="")
        return
    if args[:1] in (["apply"], ["get"]):
        file = option(args, "-f", "--filename")
        if file is None:
            raise Refused(f"kubectl {args[0]}: the stand-in takes -f FILE")
        check_kubeconfig()
        objects = load_documents(Path(file))
        if args[0] == "get":
            if option(args, "-o", "--output") != "name":
                raise Refused("kubectl get: the stand-in answers -o name only")
            state = applied()
            for obj in objects:
                name = object_name(obj)
                if name not in state:
                    raise Refused(f'Error from server (NotFound): {name} not found (never applied)')
                print(name)
            return
        check_objects(objects)
        dry_run = option(args, "--dry-run")
        if dry_run not in (None, "server", "none"):
            raise Refused(f"--dry-run={dry_run}: use server (client needs no cluster and checks less)")
        state = applied()
        for obj in objects:
            if dry_run != "server":
                state[object_name(obj)] = obj["metadata"].get("namespace", "")
            print(f"{object_name(obj)} serverside-applied{' (server dry run)' if dry_run == 'server' else ''}")
        state_file().write_text(json.dumps(state), encoding="utf-8")
        return
    if args[:1] == ["rollout"] and len(args) >= 3 and args[1] in ("status", "undo"):
        check_kubeconfig()
        name, namespace = args[2], option(args, "-n", "--namespace") or "default"
        if applied().get(name) != namespace:
            raise Refused(f'Error from server (NotFound): {name} not found in namespace "{namespace}"')
        print(f"{name} {'successfully rolled out' if args[1] == 'status' else 'rolled back'}")
        return
    raise Refused(f"kubectl {' '.join(args[:2])}: the stand-in does not run this (tests/act/README.md)")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except Refused as refused:
        print(f"error: {refused} (kubectl stand-in)", file=sys.stderr)
        sys.exit(1)
