#!/usr/bin/env bash
# Refresh GraphiQL's vendored browser assets from the npm registry (`make graphiql-assets`).
# The versions are pinned in package.json and package-lock.json beside this script; the copied
# files are committed under vendor/<package>@<version>/ so that GraphiQL works with no network
# (provinces' networks and CI have none) and no Node at install. manifest.json names each file
# with its Subresource Integrity hash, which the page's <script>/<link> tags carry.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp package.json package-lock.json "$work/"
(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --silent)
version() { node -p "require('$work/node_modules/$1/package.json').version"; }
rm -rf vendor && mkdir vendor
declare -A files=(
  [react]="react/umd/react.production.min.js"
  [react-dom]="react-dom/umd/react-dom.production.min.js"
  [graphiql]="graphiql/graphiql.min.js"
  [graphiql-css]="graphiql/graphiql.min.css"
)
entries=()
for name in react react-dom graphiql graphiql-css; do
  source=${files[$name]}
  package=${source%%/*}
  folder="$package@$(version "$package")"
  mkdir -p "vendor/$folder"
  cp "$work/node_modules/$source" "vendor/$folder/"
  cp "$work/node_modules/$package/LICENSE" "vendor/$folder/LICENSE"
  path="vendor/$folder/$(basename "$source")"
  integrity="sha384-$(openssl dgst -sha384 -binary "$path" | openssl base64 -A)"
  entries+=("\"$name\": {\"path\": \"$path\", \"integrity\": \"$integrity\"}")
done
(IFS=,; printf '{%s}\n' "${entries[*]}") | python3 -m json.tool > vendor/manifest.json
echo "GraphiQL assets refreshed:"; cat vendor/manifest.json
