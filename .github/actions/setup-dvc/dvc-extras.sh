#!/usr/bin/env bash
# Print `extras=...` and `has-remote=...` (GITHUB_OUTPUT lines) for the DVC remotes
# configured in .dvc/config and .dvc/config.local of the current directory.
set -euo pipefail
extras=()
has_remote=false
for config in .dvc/config .dvc/config.local; do
  [ -f "$config" ] || continue
  while IFS= read -r url; do
    has_remote=true
    case "$url" in
      s3://*) extra=s3 ;;
      gs://*) extra=gs ;;
      azure://*) extra=azure ;;
      ssh://*) extra=ssh ;;
      hdfs://*) extra=hdfs ;;
      webhdfs://*) extra=webhdfs ;;
      http://* | https://*) extra="" ;;
      webdav://* | webdavs://*) extra=webdav ;;
      oss://*) extra=oss ;;
      gdrive://*) extra=gdrive ;;
      *) extra="" ;;
    esac
    if [ -n "$extra" ] && [[ " ${extras[*]-} " != *" $extra "* ]]; then
      extras+=("$extra")
    fi
  done < <(sed -n 's/^[[:space:]]*url[[:space:]]*=[[:space:]]*//p' "$config")
done
joined="$(IFS=,; echo "${extras[*]-}")"
echo "extras=${joined}"
echo "has-remote=${has_remote}"
