#!/usr/bin/env bash
# Contract fuzzing: schemathesis against a really running `delivery serve`.
#
#   contract/run.sh [quick|long]      (or CONTRACT_PROFILE=quick|long)
#
# quick: fixed seed; ~4,400 cases (most of them the deterministic boundary
#        cases of schemathesis's coverage phase), ~30 s on 2 cores.
#        Without that phase (--phases examples,fuzzing,stateful) it is a few
#        hundred cases.
# long:  random seed (printed; set CONTRACT_SEED to repeat); ~55,000 cases,
#        ~9 minutes on 2 cores.
#
# Environment:
#   DELIVERY_BIN     server binary (default: ../target/debug/delivery from here)
#   CONTRACT_SEED    seed (default: fixed for quick, random for long)
#   CONTRACT_PARTS   which parts to run, comma-separated (default portal,apikey,seller,tenants)
#   CONTRACT_OUT     where logs and reports go (default: contract/out/PROFILE)
#   CONTRACT_NETNS   1 (default): run server and fuzzer in a fresh network namespace
#                    that has only loopback; 0: on the host network
#   CONTRACT_KEEP    1: keep the server's temp data dir
#
# Parts (each on a freshly seeded shop of the same server):
#   portal  the public routes (portal, signed file links, health, metrics), no token
#   apikey  /api/v1/* with the shop's read-write API key as bearer token
#   seller  every operation with the seller's access token
#   tenants /api/v1/* as shop A (API key) with shop B as a peer: A's reads of
#           A's objects are replayed with B's key (object_level_authorization,
#           ignored_auth, not_a_server_error only; the rest ran above)
#
# Exit status: 0 when schemathesis found nothing in any part, 1 when it reported
# failures or errors, 2 for a setup problem.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
profile=${1:-${CONTRACT_PROFILE:-quick}}
case $profile in
quick | long) ;;
*)
	echo "usage: $0 [quick|long]" >&2
	exit 2
	;;
esac
bin=${DELIVERY_BIN:-$here/../target/debug/delivery}
venv=$here/.venv
out=${CONTRACT_OUT:-$here/out/$profile}
parts=${CONTRACT_PARTS:-portal,apikey,seller,tenants}
spec=$here/../openapi.yaml

# ---- 1. Tools (outside the namespace: this needs the package registry) -------
if [[ -z ${CONTRACT_INNER:-} ]]; then
	# The venv remembers the requirements it was built from; a changed pin rebuilds it.
	if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" || ! "$venv/bin/schemathesis" --version >/dev/null 2>&1; then
		python=$(command -v python3.11 || command -v python3)
		echo "== creating $venv ($(grep -v '^#' "$here/requirements.txt" | tr '\n' ' '))"
		"$python" -m venv "$venv"
		"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
		cp "$here/requirements.txt" "$venv/requirements.txt"
	fi
	[[ -x $bin ]] || {
		echo "no server binary at $bin (build it, or set DELIVERY_BIN)" >&2
		exit 2
	}
	"$bin" --help >/dev/null || {
		echo "$bin --help failed" >&2
		exit 2
	}

	# ---- 2. Isolation: the fuzzer invents storage endpoints (S3 URLs) that the
	# server would try to reach; in a namespace with only loopback, nothing but
	# this machine's own test server is ever contacted.
	if [[ ${CONTRACT_NETNS:-1} == 1 ]]; then
		for how in "unshare --net" "unshare --user --map-root-user --net"; do
			if $how true 2>/dev/null; then
				exec $how -- env CONTRACT_INNER=netns bash "$0" "$profile"
			fi
		done
		echo "cannot create a network namespace (unshare); CONTRACT_NETNS=0 runs on the host network" >&2
		exit 2
	fi
	export CONTRACT_INNER=host
fi
if [[ $CONTRACT_INNER == netns ]]; then
	ip link set lo up
fi

# ---- 3. Profile ----------------------------------------------------------------
if [[ $profile == quick ]]; then
	seed=${CONTRACT_SEED:-20250601}
	# Common options, then per part: phases and max examples per operation.
	opts=(--max-examples 8 --phases examples,coverage,fuzzing,stateful)
	declare -A part_opts=(
		[portal]="--max-examples 10"
		[apikey]="--phases examples,fuzzing --max-examples 2"
		[seller]=""
		[tenants]="--phases examples,fuzzing,stateful --max-examples 8"
	)
else
	seed=${CONTRACT_SEED:-$RANDOM$RANDOM}
	opts=(--max-examples 500 --phases examples,coverage,fuzzing,stateful)
	declare -A part_opts=(
		[portal]="--max-examples 1000"
		[apikey]="--max-examples 100"
		[seller]=""
		[tenants]="--phases examples,fuzzing,stateful --max-examples 100"
	)
fi
declare -A part_paths=(
	[portal]='^/api/(portal/|files/|health$)|^/metrics$'
	[apikey]='^/api/v1/'
	[seller]='.'
	[tenants]='^/api/v1/'
)
declare -A part_auth=([portal]=none [apikey]=apikey [seller]=seller [tenants]=wfc)

mkdir -p "$out"
rm -rf "${out:?}"/*

# ---- 4. Server -------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/delivery-contract.XXXXXX")
server_pid=""
stop_server() {
	if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
	if [[ ${CONTRACT_KEEP:-0} == 1 ]]; then
		echo "server data kept in $work"
	else
		rm -rf "$work"
	fi
}
trap stop_server EXIT
trap 'exit 130' INT TERM

port=$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
(
	# Only the settings below: a stray DELIVERY_* variable (DELIVERY_BIN is one) is an error to the server.
	while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(DELIVERY_|DATABASE_URL$)' || true)
	export DELIVERY_DATA_DIR=$work/data
	export DATABASE_URL=sqlite://$work/data/delivery.db
	export DELIVERY_PUBLIC_URL=$base
	export DELIVERY_STATIC_DIR=$work/no-spa
	export DELIVERY_LOG_FORMAT=json
	# A fuzzed POST /auth/logout ends the seller's session; hooks.py signs in again,
	# and fuzzed logins/sign-ups all come from 127.0.0.1: raise the login budgets
	# of this throwaway server so they do not turn every auth call into a 429.
	export DELIVERY_LOGIN_BURST_PER_ACCOUNT=1000000
	export DELIVERY_LOGIN_BURST_PER_IP=1000000
	# The portal limiter has no setting; hooks.py gives each portal request its own
	# X-Forwarded-For address instead, which the server honours only with this.
	export DELIVERY_TRUST_FORWARDED_FOR=true
	# Long runs outlast the default 15 minutes.
	export DELIVERY_ACCESS_TOKEN_TTL_SECS=86400
	exec "$bin" serve --bind "127.0.0.1:$port"
) >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 150); do
	curl -fsS -o /dev/null "$base/api/health" 2>/dev/null && break
	kill -0 "$server_pid" 2>/dev/null || {
		echo "server exited; log:" >&2
		tail -20 "$out/server.log" >&2
		exit 2
	}
	sleep 0.2
done
curl -fsS -o /dev/null "$base/api/health" || {
	echo "server did not become healthy" >&2
	exit 2
}
echo "== server $base (pid $server_pid, data $work), profile $profile, seed $seed, network: $CONTRACT_INNER"

# ---- 5. Seed + fuzz, part by part -------------------------------------------------
export PYTHONPATH=$here${PYTHONPATH:+:$PYTHONPATH}
export CONTRACT_BASE=$base
status=0
summary=()
IFS=, read -r -a part_list <<<"$parts"
for part in "${part_list[@]}"; do
	[[ -n ${part_paths[$part]:-} ]] || {
		echo "unknown part $part" >&2
		exit 2
	}
	config=$here/schemathesis.toml
	checks=${CONTRACT_CHECKS:-all}
	if [[ $part == tenants ]]; then
		# Two shops; schemathesis acts as shop A and replays A's successful reads
		# of A's objects as shop B (object_level_authorization), which must not
		# see them. Identities come from a Web Fuzzing Commons auth file.
		other=$("$venv/bin/python" "$here/seed.py" "$base" tenants-b) || {
			echo "seeding for $part failed" >&2
			exit 2
		}
		key_b=$(eval "$other" && printf '%s' "$API_KEY")
	fi
	seed_out=$("$venv/bin/python" "$here/seed.py" "$base" "$part" "$here/.seeded") || {
		echo "seeding for $part failed" >&2
		exit 2
	}
	eval "$seed_out"
	if [[ $part == tenants ]]; then
		"$venv/bin/python" - "$work/wfc.json" "$API_KEY" "$key_b" <<'PY'
import json, sys
path, key_a, key_b = sys.argv[1:]
users = [("shop-a", key_a), ("shop-b", key_b)]
doc = {"auth": [{"name": n, "fixedHeaders": [{"name": "Authorization", "value": f"Bearer {k}"}]} for n, k in users]}
open(path, "w").write(json.dumps(doc))
PY
		# Same settings plus the identities; next to schemathesis.toml so that
		# its relative paths (.seeded/...) still resolve.
		config=$here/.tenants.toml
		{
			cat "$here/schemathesis.toml"
			printf '\n[auth.wfc]\npath = "%s"\npeers = ["shop-a", "shop-b"]\n' "$work/wfc.json"
		} >"$config"
		# The other checks run in the parts above; this one is about tenants.
		checks=object_level_authorization,ignored_auth,not_a_server_error
	fi
	printf '%s\n' "$seed_out" | grep -vE 'TOKEN|PASSWORD|API_KEY=' >"$out/$part.seed"
	export CONTRACT_AUTH=${part_auth[$part]}
	echo
	echo "== part $part: auth=$CONTRACT_AUTH, operations matching ${part_paths[$part]}"
	echo "   portal code $PORTAL_CODE, grant $GRANT_ID, order $ORDER_ID"
	# shellcheck disable=SC2206 # word splitting of the per-part options is intended
	extra=(${part_opts[$part]})
	started=$(date +%s)
	set +e
	(cd "$here" && "$venv/bin/schemathesis" --config-file "$config" run "$spec" \
		--url "$base" \
		--include-path-regex "${part_paths[$part]}" \
		--checks "$checks" \
		--seed "$seed" \
		--generation-database none \
		--continue-on-failure \
		--no-color --output-sanitize false \
		--report junit,ndjson --report-dir "$out/$part" \
		"${opts[@]}" "${extra[@]}") 2>&1 | tee "$out/$part.log"
	rc=${PIPESTATUS[0]}
	set -e
	took=$(($(date +%s) - started))
	cases=$(grep -E '^ +[0-9]+ generated' "$out/$part.log" | tail -1 | sed 's/^ *//' || true)
	summary+=("$(printf '%-7s exit %s  %4ss  %s' "$part" "$rc" "$took" "${cases:-no test cases}")")
	[[ $rc == 0 ]] || status=1
done

echo
echo "== distinct failures (details: $out/failures.md)"
"$venv/bin/python" "$here/summarize.py" "$out" | grep -aE '^(## |### )' || true
echo
echo "== contract summary ($profile, seed $seed); logs in $out"
printf '%s\n' "${summary[@]}"
panics=$(grep -c 'panicked' "$out/server.log" || true)
errors=$(grep -c '"level":"ERROR"' "$out/server.log" || true)
echo "server log: $errors ERROR lines, $panics panics ($out/server.log)"
exit "$status"
