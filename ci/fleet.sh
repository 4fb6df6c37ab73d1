#!/usr/bin/env bash
# tunnelcheck fleet: gather the nightly results of many tenants into one page. The fleet templates beside
# this script (ci/github/tunnelcheck-fleet.yml, ci/azure-devops/tunnelcheck-fleet.yml) run ci/nightly.sh once
# per tenant, in parallel jobs, each uploading its tunnelcheck-out folder as the artifact
# "tunnelcheck-tenant-NAME"; then one job downloads them all and runs this. tests/test_fleet_ci.py runs both
# end to end against emulated tenants.
#
# Every tenant of the list is given to `tunnelcheck fleet` by its path, so a tenant whose job wrote no
# results (its recording failed, the job was cancelled) is a row "results unreadable", never left out.
#
# usage: ci/fleet.sh
#
# Environment (defaults in brackets):
#   TUNNELCHECK_TENANTS          the tenant list: JSON, [{"name": "contoso", "tenant": "contoso.onmicrosoft.com"}, ...];
#                                a name is letters, digits, "-", "_" or "."                            [tenants.json]
#   TUNNELCHECK_RESULTS          where the tenants' artifacts were downloaded, one folder each          [fleet/results]
#   TUNNELCHECK_ARTIFACT_PREFIX  the artifacts' names before the tenant's name                          [tunnelcheck-tenant-]
#   TUNNELCHECK_FLEET_OUT        where fleet.html, summary.md and fleet.json are written: upload it
#                                with the results folder inside it, the page links each tenant's report [fleet]
#   TUNNELCHECK_FLEET_HISTORY    the previous run's fleet.json is kept here (by the CI cache)          [fleet-history]
#   PYTHON                       the Python that has tunnelcheck installed                              [python3]
#   GITHUB_STEP_SUMMARY          (GitHub Actions) the summary is appended to it
#   TF_BUILD                     (Azure DevOps) the summary is attached to the run
#
# Exit status: 0 every tenant's results were read; 1 some tenant has no readable results (the page says
# which); 2 bad input (the list, the previous fleet.json), nothing written.
set -uo pipefail

PYTHON=${PYTHON:-python3}
tenants=${TUNNELCHECK_TENANTS:-tenants.json}
results=${TUNNELCHECK_RESULTS:-fleet/results}
prefix=${TUNNELCHECK_ARTIFACT_PREFIX-tunnelcheck-tenant-}
out=${TUNNELCHECK_FLEET_OUT:-fleet}
history=${TUNNELCHECK_FLEET_HISTORY:-fleet-history}

say() { echo "tunnelcheck fleet: $*" >&2; }

# The tenants' names, one a line; a name that could leave its folder or break a job name stops the job.
names=$("$PYTHON" - "$tenants" <<'EOF'
import json, re, sys
path = sys.argv[1]
try:
    tenants = json.load(open(path, encoding="utf-8"))
except (OSError, ValueError) as exc:
    sys.exit(f"tunnelcheck fleet: {path}: cannot read the tenant list: {exc}")
if not isinstance(tenants, list) or not tenants:
    sys.exit(f"tunnelcheck fleet: {path}: expected a list of tenants")
seen = set()
for n, entry in enumerate(tenants):
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        sys.exit(f"tunnelcheck fleet: {path}: [{n}].name: expected letters, digits, '-', '_' or '.' (got {name!r})")
    if name in seen:
        sys.exit(f"tunnelcheck fleet: {path}: [{n}].name: {name} is listed twice")
    seen.add(name)
    print(name)
EOF
) || exit 2

args=()
while read -r name; do
    args+=("$results/$prefix$name/results.json")
done <<<"$names"
args+=(-o "$out/fleet.html" --markdown "$out/summary.md" --json "$out/fleet.json")
if [ -f "$history/fleet.json" ]; then
    args+=(--previous "$history/fleet.json")
fi

"$PYTHON" -m tunnelcheck.cli fleet "${args[@]}"
status=$?

if [ "$status" -le 1 ]; then  # the page was written: it is the next run's previous
    mkdir -p "$history"
    cp "$out/fleet.json" "$history/fleet.json"
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        cat "$out/summary.md" >>"$GITHUB_STEP_SUMMARY"
    fi
    if [ -n "${TF_BUILD:-}" ]; then
        echo "##vso[task.uploadsummary]$(cd "$out" && pwd)/summary.md"
    fi
fi
case $status in
    0) say "every tenant's results were read: see $out/fleet.html" ;;
    1) say "some tenants have no readable results: see $out/fleet.html" ;;
esac
exit "$status"
