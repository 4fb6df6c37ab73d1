#!/usr/bin/env bash
# tunnelcheck nightly: record the tenant, run every check and the drift checks against the accepted
# baseline and the previous run, write the report, results, JUnit and a Markdown summary. The GitHub
# Actions and Azure DevOps templates beside this script run exactly this; tests/test_nightly.py runs it
# end to end against `tunnelcheck emulate`'s emulator.
#
# The tenant is named by the config's `name:`, else by TUNNELCHECK_TENANT: that name is recorded in the
# snapshot and names the tenant in the test ids, the report, the results and the summary; the snapshot
# file is named after it too (NAME.json.gz: lower-case letters, digits, ".", "-" and "_" only).
#
# The first run (no baseline yet) writes its report, results and summary all the same, without the drift
# checks, prints the `tunnelcheck accept ... --sha256 ...` command that makes its snapshot the baseline
# once the report was reviewed, and exits 2.
#
# usage: ci/nightly.sh [extra pytest arguments, e.g. a folder of your own checks]
#
# Environment (defaults in brackets):
#   TUNNELCHECK_TENANT    the tenant to record (domain or id)                                   [required]
#   TUNNELCHECK_CONFIG    the tunnelcheck config: auth method, migration intent, waivers        [tunnelcheck.yaml]
#   TUNNELCHECK_BASELINE  the accepted baseline snapshot (tunnelcheck accept writes it)          [baselines/accepted.json.gz]
#   TUNNELCHECK_OUT       where this run writes NAME.json.gz (the snapshot), results.json,
#                         report.html, junit.xml and summary.md (the artifacts)                 [tunnelcheck-out]
#   TUNNELCHECK_HISTORY   earlier runs' results (kept between runs by the CI cache); the newest
#                         is the previous run, all of them make the trend chart                 [tunnelcheck-history]
#   TUNNELCHECK_KEEP      how many results the history keeps                                    [60]
#   PYTHON                the Python that has tunnelcheck installed                             [python3]
#   GITHUB_STEP_SUMMARY   (GitHub Actions) the summary is appended to it
#   TF_BUILD              (Azure DevOps) the summary is attached to the run
#
# Exit status: 0 every check passed and nothing drifted; 1 a check failed or the tenant drifted from the
# baseline; 2 the tenant could not be recorded, there is no baseline yet (the report is written), or bad
# input; other: pytest's.
set -uo pipefail

PYTHON=${PYTHON:-python3}
tenant=${TUNNELCHECK_TENANT:?set TUNNELCHECK_TENANT to the tenant to record}
config=${TUNNELCHECK_CONFIG:-tunnelcheck.yaml}
baseline=${TUNNELCHECK_BASELINE:-baselines/accepted.json.gz}
out=${TUNNELCHECK_OUT:-tunnelcheck-out}
history=${TUNNELCHECK_HISTORY:-tunnelcheck-history}
keep=${TUNNELCHECK_KEEP:-60}

say() { echo "tunnelcheck nightly: $*" >&2; }

summary() {  # $1: a Markdown file for the CI run's summary page
    [ -s "$1" ] || return 0
    if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
        cat "$1" >>"$GITHUB_STEP_SUMMARY"
    fi
    if [ -n "${TF_BUILD:-}" ]; then
        echo "##vso[task.uploadsummary]$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
    fi
}

stop() {  # $1: exit status, $2: why (also on the CI summary page)
    say "$2"
    printf '## tunnelcheck nightly\n\n%s\n' "$2" >"$out/summary.md"
    summary "$out/summary.md"
    exit "$1"
}

mkdir -p "$out" "$history"
rm -f "$out/results.json" "$out/summary.md" "$out/junit.xml" "$out/report.html"

# 0. The snapshot's file name: the tenant's name (the config's name:, else TUNNELCHECK_TENANT), made safe.
#    A config that cannot be read stops here, with the reason (printed instead of the name).
if ! stem=$("$PYTHON" - "$config" "$tenant" <<'EOF'
import sys
from tunnelcheck.config import load
from tunnelcheck.errors import TunnelcheckError
from tunnelcheck.tenant import tenant_label
from tunnelcheck.untrusted import for_file_name, for_terminal
try:
    settings = load(sys.argv[1])
except TunnelcheckError as exc:
    print(for_terminal(exc))
    sys.exit(2)
print(for_file_name(tenant_label(settings.name, sys.argv[2])))
EOF
); then
    stop 2 "${stem:-cannot name the snapshot (is tunnelcheck installed for $PYTHON?): see the log.}"
fi
snapshot="$out/$stem.json.gz"

# 1. Record the tenant (read-only Graph). 1: some resources could not be read: the checks that need
#    them error, naming the resource and the permission, so the run goes on.
"$PYTHON" -m tunnelcheck.cli record --tenant "$tenant" --tunnelcheck-config "$config" -o "$snapshot"
status=$?
if [ "$status" -ge 2 ]; then
    stop 2 "recording $tenant failed (tunnelcheck record exited $status): see the log."
fi

# 2. The previous run: the newest results in the history (names carry a sequence number).
previous=$(ls -1 "$history" 2>/dev/null | grep -E '^results-[0-9]{6}-.*\.json$' | sort | tail -n 1)
args=(-p no:cacheprovider "--snapshot=$snapshot" "--tunnelcheck-config=$config"
      "--tunnelcheck-history=$history" "--tunnelcheck-json=$out/results.json"
      "--tunnelcheck-markdown=$out/summary.md" "--junitxml=$out/junit.xml"
      "--html=$out/report.html" --self-contained-html)
if [ -f "$baseline" ]; then
    args+=("--baseline=$baseline" --drift)
fi
if [ -n "$previous" ]; then
    args+=("--tunnelcheck-previous=$history/$previous")
fi

# 3. The checks, with the drift checks against the baseline when there is one. Options take their value
#    with "=": pytest's early ini-file search would take a separate value for a test path.
"$PYTHON" -m pytest "${args[@]}" "$@"
status=$?

# 4. Keep this run's results for the next one, and at most $keep of them.
if [ -s "$out/results.json" ]; then
    last=$(ls -1 "$history" | sed -n 's/^results-\([0-9]\{6\}\)-.*\.json$/\1/p' | sort | tail -n 1)
    sequence=$(printf '%06d' $((10#${last:-0} + 1)))
    cp "$out/results.json" "$history/results-$sequence-$(date -u +%Y%m%dT%H%M%SZ).json"
    count=$(ls -1 "$history" | grep -cE '^results-[0-9]{6}-.*\.json$')
    if [ "$count" -gt "$keep" ]; then
        ls -1 "$history" | grep -E '^results-[0-9]{6}-.*\.json$' | sort | head -n $((count - keep)) |
            while read -r name; do rm -f "$history/$name"; done
    fi
fi

# 5. No baseline yet: the report is there to review; say how to accept exactly the snapshot it shows.
if [ ! -f "$baseline" ] && [ "$status" -le 1 ] && [ -s "$out/results.json" ]; then
    digest=$("$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1], encoding="utf-8"))["snapshot_sha256"])' \
             "$out/results.json")
    accept="tunnelcheck accept $snapshot --baseline $baseline --sha256 $digest"
    {
        printf '\n### No baseline yet\n\n'
        printf 'Review the report of this run (report.html in its artifact), then make its snapshot the baseline\n'
        printf '(and commit it):\n\n```sh\n%s\n```\n' "$accept"
    } >>"$out/summary.md"
    summary "$out/summary.md"
    say "no baseline at $baseline yet. Review the report ($out/report.html), then accept its snapshot: $accept (and commit it)."
    exit 2
fi

summary "$out/summary.md"
case $status in
    0) say "every check passed, no drift" ;;
    1) say "a check failed or the tenant drifted from the baseline: see $out/report.html" ;;
    *) say "pytest exited $status" ;;
esac
exit "$status"
