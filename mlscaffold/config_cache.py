"""Per-version caches of the default template, in the user's cache directory.

Two things are kept: the parsed copier.yml, and the Jinja bytecode of the template's files.

Reading copier.yml (all documents, includes expanded, every file through yamlio's limits) is
the largest part of mlscaffold's own work before copier starts. A template version's files
never change, so its configuration is parsed once and kept as JSON under a key naming the
exact content (the git tree id of the version) and the cache format.

Only a sure answer is ever taken from it: an entry that cannot be read, is not valid JSON,
has another shape, or names another key is ignored and written again, and a configuration
JSON cannot hold exactly (a date, a tagged value, a key that is not a string) is not cached.
A missing or unwritable cache costs only time.

The compiled templates are Jinja's own bytecode cache, keyed by the same tree id, the file's
name and the versions of copier and Jinja (which decide how a file compiles); Jinja reuses an
entry only when its header and the checksum of the file's source match, and an entry that
cannot be read is compiled again.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import BytecodeCache

__all__ = ["FORMAT", "bytecode_cache", "cache_dir", "cache_key", "cached_config"]

# Bumped whenever what `load_config` returns for the same files changes.
FORMAT = 1


def cache_dir() -> Path:
    """Return the directory the parsed configurations are kept in ($XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mlscaffold" / "copier-config"


def bytecode_dir() -> Path:
    """Return the directory the compiled templates are kept in."""
    return cache_dir().parent / "jinja-bytecode"


def cache_key(content_id: str) -> str:
    """Return the cache key of the template content named CONTENT_ID (a git tree id)."""
    return hashlib.sha256(f"mlscaffold-copier-config/{FORMAT}/{content_id}".encode()).hexdigest()


def _is_plain(value: Any) -> bool:
    """Tell whether VALUE survives a JSON round trip exactly (types and all)."""
    if type(value).__name__ == "ScalarBoolean":
        return False  # ruamel's anchored YAML boolean: an int subclass, so an int to JSON
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_is_plain(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(key, str) and _is_plain(item) for key, item in value.items())
    return False


# Far above any real entry (a template's copier.yml is at most 1 MB): a bigger file is no entry.
_MAX_ENTRY_BYTES = 4_000_000


def _read(path: Path, key: str) -> dict[str, Any] | None:
    try:
        # Not a regular file (a FIFO would block) or too big: no entry, and never opened.
        found = path.stat()
        if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_ENTRY_BYTES:
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    config = entry.get("config")
    return config if isinstance(config, dict) else None


def _write(path: Path, key: str, config: Mapping[str, Any]) -> None:
    text = json.dumps({"format": FORMAT, "key": key, "config": config}, allow_nan=False)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the entry and renamed over it: a reader sees a whole entry or none.
        fd, partial = tempfile.mkstemp(prefix=".partial-", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(partial).replace(path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a read-only or full cache directory: the next run parses again


def cached_config(content_id: str, load: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Return the configuration of the template content CONTENT_ID, calling LOAD when not cached."""
    key = cache_key(content_id)
    path = cache_dir() / f"{key}.json"
    found = _read(path, key)
    if found is not None:
        return found
    config = load()
    if _is_plain(config):
        _write(path, key, config)
    return config


def bytecode_cache(content_id: str, compiler: str) -> BytecodeCache:
    """Return a Jinja bytecode cache for the template content CONTENT_ID rendered by COMPILER.

    COMPILER names what decides how a file compiles (copier's and Jinja's versions); the
    checkout's path, new on every run, is left out of the key.
    """
    import pickle

    from jinja2.bccache import Bucket, FileSystemBytecodeCache

    class TemplateBytecodeCache(FileSystemBytecodeCache):
        def get_cache_key(self, name: str, filename: str | None = None) -> str:  # noqa: ARG002 - a new path each run
            text = f"mlscaffold-jinja/{FORMAT}/{compiler}/{content_id}/{name}"
            return hashlib.sha256(text.encode()).hexdigest()

        def load_bytecode(self, bucket: Bucket) -> None:
            try:
                found = Path(self._get_cache_filename(bucket)).stat()
                if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_ENTRY_BYTES:
                    return  # a FIFO would block: compiled again, and replaced when written
                super().load_bytecode(bucket)
            except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
                bucket.reset()  # unreadable: compiled again

        def dump_bytecode(self, bucket: Bucket) -> None:
            try:
                Path(self.directory).mkdir(mode=0o700, parents=True, exist_ok=True)
                super().dump_bytecode(bucket)
            except OSError:
                pass  # a read-only or full cache directory: the next run compiles again

    return TemplateBytecodeCache(str(bytecode_dir()), "%s.jinja")
