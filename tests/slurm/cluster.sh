#!/usr/bin/env bash
# A real one-node Slurm cluster on this machine, a 3-shard `cohesion slurm` job array with its
# merge job, and a byte comparison of the merged result with a single-process run.
#
# usage: tests/slurm/cluster.sh COHESION_BINARY
#
# Needs root and Debian's slurm-wlm and munge packages (.ci/run installs them). The daemons
# are started by hand, without systemd: munged as the munge user with its own key and socket,
# slurmctld and slurmd as root with a private configuration (ports, state and spool in a
# temporary folder), ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no cgroups, no
# accounting. Everything is stopped and removed on exit.
#
# Exit codes: 0 the merged bytes equal the single run; 77 Slurm or munge cannot be used here
# (not root, not installed, daemons do not start); anything else a failure.
set -uo pipefail

BIN=${1:?usage: cluster.sh COHESION_BINARY}
BIN=$(readlink -f "$BIN")
T0=$(date +%s)
say() { echo "[slurm-test $(($(date +%s) - T0))s] $*"; }
skip() { say "SKIP: $*"; exit 77; }
fail() { say "FAIL: $*"; for f in "$D"/*.log "$D"/jobs/logs/*; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done; exit 1; }

[ "$(id -u)" = 0 ] || skip "not root (the daemons must run as root and munge)"
for c in slurmctld slurmd sbatch squeue sinfo scancel munged; do
    command -v "$c" >/dev/null || skip "$c is not installed (apt-get install slurm-wlm munge)"
done
id munge >/dev/null 2>&1 || skip "no munge user"

D=$(mktemp -d /tmp/cohesion-slurm.XXXXXX)
chmod 755 "$D"
cleanup() {
    if [ -n "${SLURM_CONF:-}" ]; then scancel --quiet -u root >/dev/null 2>&1 || true; fi
    for p in slurmd slurmctld munged; do
        [ -f "$D/$p.pid" ] && kill "$(cat "$D/$p.pid")" 2>/dev/null
    done
    sleep 1
    for p in slurmd slurmctld munged; do
        [ -f "$D/$p.pid" ] && kill -9 "$(cat "$D/$p.pid")" 2>/dev/null
    done
    rm -rf "$D"
}
trap cleanup EXIT

# munge: a fresh key and socket of our own, the daemon as the munge user.
M=$D/munge
mkdir -p "$M"
dd if=/dev/urandom of="$M/munge.key" bs=1024 count=1 status=none
chown -R munge:munge "$M"
chmod 700 "$M"
chmod 400 "$M/munge.key"
runuser -u munge -- munged --force --socket="$M/munge.socket" --key-file="$M/munge.key" \
    --pid-file="$M/munged.pid" --log-file="$M/munged.log" --seed-file="$M/munged.seed" \
    || skip "munged does not start"
for _ in $(seq 50); do [ -S "$M/munge.socket" ] && break; sleep 0.1; done
[ -S "$M/munge.socket" ] || skip "munged made no socket"
cp "$M/munged.pid" "$D/munged.pid"

# Slurm: one node, this machine, ports of our own.
HOST=$(hostname -s)
CPUS=$(nproc)
PORT=$((20000 + RANDOM % 20000))
mkdir -p "$D/state" "$D/spool"
export SLURM_CONF=$D/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=cohesiontest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$M/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
slurmctld -f "$SLURM_CONF" || skip "slurmctld does not start"
slurmd -f "$SLURM_CONF" || skip "slurmd does not start"
for _ in $(seq 100); do
    state=$(sinfo -h -o %T 2>/dev/null | head -n1)
    [ "$state" = idle ] && break
    sleep 0.3
done
[ "$state" = idle ] || { say "node state: '$state'"; tail -n 20 "$D/slurmctld.log" "$D/slurmd.log"; skip "the Slurm node did not come up"; }
say "cluster up: node $HOST, $CPUS CPUs, port $PORT"

# The job array and its merge, as a user would submit them.
ARGS=(nato-2021 --trials 300 --seed 17 --block-size 40)
"$BIN" slurm "${ARGS[@]}" --shards 3 --time 00:10:00 --out "$D/merged" --jobs "$D/jobs" --submit \
    > "$D/submit.txt" || fail "cohesion slurm --submit failed"
cat "$D/submit.txt"
read -r ARRAY MERGE < <(grep -o 'job array [0-9]*\|merge as job [0-9]*' "$D/submit.txt" | grep -o '[0-9]*' | tr '\n' ' ')
[ -n "${ARRAY:-}" ] && [ -n "${MERGE:-}" ] || fail "no job ids printed"
grep -q "afterok:\"\$array\"" "$D/jobs/submit.sh" || fail "the merge does not depend on the array"
# Wait for both jobs to leave the queue (sbatch --wait can report success for a cancelled
# job, so the outputs are checked, not exit codes).
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] && break
    sleep 0.3
done
[ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] || fail "jobs still queued after 180 s"
say "jobs $ARRAY (array) and $MERGE (merge) finished"
for i in 1 2 3; do
    [ -f "$D/jobs/parts/part-$i/part.json" ] || fail "shard $i wrote no part"
done
[ -f "$D/merged/manifest.json" ] || fail "the merge job wrote no result"

# The same run in one process, then every file compared.
"$BIN" run "${ARGS[@]}" --out "$D/single" -q || fail "the single run failed"
norm() {
    case "$1" in
    *manifest.json) python3 - "$1" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for k in ["started", "finished", "wall_seconds", "trials_per_second", "command_line", "threads", "execution", "scenario_path"]:
    m.pop(k, None)
print(json.dumps(m, indent=1, sort_keys=True))
PY
    ;;
    *.html) sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/<time>/g' "$1" ;;
    *) cat "$1" ;;
    esac
}
n=0
while IFS= read -r f; do
    [ -f "$D/merged/$f" ] || fail "$f is missing from the merged result"
    cmp -s <(norm "$D/single/$f") <(norm "$D/merged/$f") || fail "$f differs between the merged and the single run"
    n=$((n + 1))
done < <(cd "$D/single" && find . -type f | sed 's|^\./||' | sort)
[ "$(cd "$D/merged" && find . -type f | wc -l)" = "$n" ] || fail "the merged result has other files"
for f in trials.csv summary.csv timeseries.csv comparison.csv report.html; do
    [ -s "$D/merged/$f" ] || fail "$f is empty"
done
say "OK: $n files of the merged result equal the single-process run"

# A shard that fails: the merge must not run (afterok), and is cancelled, not left pending
# (kill_invalid_depend); no result appears.
"$BIN" slurm "${ARGS[@]}" --shards 3 --out "$D/bad" --jobs "$D/badjobs" > /dev/null || fail "cohesion slurm failed"
sed -i 's/^exec /[ "$SLURM_ARRAY_TASK_ID" = 2 ] \&\& exit 3\nexec /' "$D/badjobs/shards.sbatch"
read -r ARRAY MERGE < <(bash "$D/badjobs/submit.sh") || fail "submit.sh failed"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] && break
    sleep 0.3
done
[ -z "$(squeue -h -j "$ARRAY,$MERGE" 2>/dev/null)" ] || fail "the merge after a failed shard is still queued"
[ -e "$D/bad" ] && fail "a merge ran although a shard failed"
state=$(scontrol show job "$MERGE" 2>/dev/null | grep -o 'JobState=[A-Z_]*')
[ "$state" = JobState=CANCELLED ] || fail "the merge after a failed shard ended as '$state', not cancelled"
say "OK: a failed shard cancels the merge ($state)"
