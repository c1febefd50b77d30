#!/usr/bin/env bash
# The README's multi-host recipe, run for real on one machine: a throwaway sshd listens on
# two loopback addresses (127.0.0.2 and 127.0.0.3), each login landing in its own working
# directory, so GNU parallel sees two hosts. The input is split, the shards are sent to the
# two "hosts" with --transferfile, run there, their outputs and reports brought back with
# --return, the remote files removed with --cleanup; then merged, and checked byte for byte
# against one run over the whole input. Everything it starts it stops; its files are removed.
#
#   scripts/scale-out-demo.sh                 # the join workload at 200K facts, 4 shards
#   WORKLOAD=aggregate SIZE=100k SHARDS=2 scripts/scale-out-demo.sh
#
# Needs Debian's openssh-server, parallel and rsync (installed with apt-get when missing),
# node, and a built checkout (npm run build).
set -euo pipefail

WORKLOAD=${WORKLOAD:-join}
SIZE=${SIZE:-200k}
SHARDS=${SHARDS:-4}
REPO=$(cd "$(dirname "$0")/.." && pwd)
REPO_BIN="$REPO/bin/rete-eval.js"
NODE=$(command -v node)

[ -f "$REPO/dist/cli.js" ] || { echo "scale-out-demo: build first: npm run build" >&2; exit 1; }

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v parallel >/dev/null 2>&1 || missing+=(parallel)
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "# installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/scale-out-demo.XXXXXX")
SSHD_PID=""
cleanup() {
  # The shared connections first (their ssh processes are ours), then sshd, by its pid.
  for h in hostA hostB; do [ -S "$WORK/ssh/cm-$h" ] && ssh -F "$WORK/ssh/ssh_config" -O exit "$h" 2>/dev/null; done
  if [ -n "$SSHD_PID" ] && kill -0 "$SSHD_PID" 2>/dev/null; then kill "$SSHD_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- a throwaway sshd: its own host key, one client key, two loopback "hosts" -------------
mkdir -p "$WORK/ssh" "$WORK/hostA" "$WORK/hostB" "$WORK/local"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/ssh/client_key"
cp "$WORK/ssh/client_key.pub" "$WORK/ssh/authorized_keys"
chmod 600 "$WORK/ssh/authorized_keys"
PORT=$("$NODE" -e "const s=require('net').createServer().listen(0,'127.0.0.2',()=>{console.log(s.address().port);s.close()})")
# Each address's logins run in that host's directory, which is also their HOME (so the
# shell reads that "host's" startup files, none, not the user's own).
cat > "$WORK/ssh/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.2
ListenAddress 127.0.0.3
HostKey $WORK/ssh/host_key
PidFile $WORK/ssh/sshd.pid
AuthorizedKeysFile $WORK/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
Match LocalAddress 127.0.0.2
  SetEnv HOME=$WORK/hostA
  ForceCommand cd $WORK/hostA && exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"
Match LocalAddress 127.0.0.3
  SetEnv HOME=$WORK/hostB
  ForceCommand cd $WORK/hostB && exec "\$SHELL" -c "\$SSH_ORIGINAL_COMMAND"
EOF
cat > "$WORK/ssh/ssh_config" <<EOF
Host hostA
  HostName 127.0.0.2
Host hostB
  HostName 127.0.0.3
Host hostA hostB
  Port $PORT
  IdentityFile $WORK/ssh/client_key
  IdentitiesOnly yes
  BatchMode yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  # One connection per host, reused by every job's ssh and rsync (each new one costs a key exchange).
  ControlMaster auto
  ControlPath $WORK/ssh/cm-%h
  ControlPersist 120
EOF
# Privilege separation needs this directory when sshd starts as root.
if [ "$(id -u)" -eq 0 ]; then mkdir -p /run/sshd; fi
/usr/sbin/sshd -f "$WORK/ssh/sshd_config" -E "$WORK/ssh/sshd.log"
for _ in $(seq 50); do [ -s "$WORK/ssh/sshd.pid" ] && break; sleep 0.1; done
SSHD_PID=$(cat "$WORK/ssh/sshd.pid")
SSH="ssh -F $WORK/ssh/ssh_config"
echo "# sshd (pid $SSHD_PID) on 127.0.0.2:$PORT (hostA → $WORK/hostA) and 127.0.0.3:$PORT (hostB → $WORK/hostB)"
for h in hostA hostB; do echo "# $h: $($SSH "$h" pwd)"; done

# --- the recipe ------------------------------------------------------------------------
# On real hosts `rete-eval` is on each host's PATH (npm install -g, or a checkout); here
# both "hosts" are this machine, so they run this checkout's bin.
rete_eval="$NODE $REPO_BIN"
cd "$WORK/local"
$rete_eval generate -w "$WORKLOAD" -n "$SIZE" -o facts.ndjson --rules-out rules.json
t0=$(date +%s.%N)
echo "\$ rete-eval split -r rules.json -n $SHARDS facts.ndjson --out-dir shards"
$rete_eval split -r rules.json -n "$SHARDS" facts.ndjson --out-dir shards
t1=$(date +%s.%N)
echo "\$ ls shards/*.ndjson.gz | parallel --ssh '$SSH' --sshlogin 1/hostA,1/hostB --basefile rules.json --transferfile {} --return {/..}.out.gz --return {/..}.report.json --cleanup rete-eval run -q -r rules.json {} -o {/..}.out.gz --report {/..}.report.json"
ls shards/*.ndjson.gz | parallel --will-cite --plus --halt now,fail=1 --ssh "$SSH" --sshlogin 1/hostA,1/hostB --tag \
  --basefile rules.json --transferfile {} --return {/..}.out.gz --return {/..}.report.json --cleanup \
  "$rete_eval run -q -r rules.json {} -o {/..}.out.gz --report {/..}.report.json && echo ran {/..} on \$(basename \$PWD)"
t2=$(date +%s.%N)
echo "\$ rete-eval merge -o merged.ndjson shard-*.out.gz --reports shard-*.report.json --report merged.report.json"
$rete_eval merge -o merged.ndjson shard-*.out.gz --reports shard-*.report.json --report merged.report.json
t3=$(date +%s.%N)
echo "\$ rete-eval run -q -r rules.json facts.ndjson -o single.ndjson"
$rete_eval run -q -r rules.json facts.ndjson -o single.ndjson
t4=$(date +%s.%N)

left=$(find "$WORK/hostA" "$WORK/hostB" -type f | wc -l)
echo "# files left on the hosts after --cleanup: $left"
printf '# times: split %.2f s · parallel on 2 hosts %.2f s · merge %.2f s · one run %.2f s\n' \
  "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$(echo "$t3 - $t2" | bc)" "$(echo "$t4 - $t3" | bc)"
if cmp -s merged.ndjson single.ndjson; then
  echo "# OK: merged output is byte-identical to one run ($(wc -l < single.ndjson) firing lines, $(sha256sum < single.ndjson | cut -c1-16))"
else
  echo "# FAILED: merged output differs from one run" >&2
  exit 1
fi
[ "$left" -eq 0 ] || { echo "# FAILED: --cleanup left files on the hosts" >&2; exit 1; }
