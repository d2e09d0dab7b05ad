#!/usr/bin/env bash
# Proves the Slurm workflow on a real one-node Slurm cluster on localhost (Debian's slurm-wlm
# and munge, daemons started by hand; recipe in the README): submits the script that
# `cogov slurm` prints for smoke.toml, waits, and checks the merged result equals a local sweep;
# then runs the synthetic calibration through the driver job `cogov slurm CAL.toml` prints,
# cancels the driver mid-way, submits again, and checks the results equal a local calibration.
# Stops only the daemons it started.
set -euo pipefail
cd "$(dirname "$0")/.."
COGOV="${CARGO_TARGET_DIR:-$PWD/target}/release/cogov"
D="$(mktemp -d /tmp/cogov-slurm.XXXXXX)"
export SLURM_CONF="$D/slurm.conf"

if [ ! -x /usr/sbin/slurmctld ] || [ ! -x /usr/sbin/munged ]; then
    echo "slurm-check: installing slurm-wlm and munge"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge > "$D/apt.log" 2>&1 \
        || { tail -20 "$D/apt.log"; exit 1; }
fi
[ -f /etc/munge/munge.key ] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; chown munge:munge /etc/munge/munge.key 2>/dev/null || true; chmod 400 /etc/munge/munge.key; }

# Twice the cores: the calibration's driver job holds a CPU while it waits, and the tiny jobs
# here are mostly waiting for the scheduler (config_overrides lets slurmd take the figure).
cpus=$(( $(nproc) * 2 ))
cat > "$SLURM_CONF" <<CONF
ClusterName=local
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
SlurmdParameters=config_overrides
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$D/state" "$D/spool" "$D/log" /run/munge
chown munge:munge /run/munge 2>/dev/null || true

started_munge=""
if ! pgrep -x munged >/dev/null; then
    runuser -u munge -- /usr/sbin/munged
    started_munge=1
fi
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF" -N localhost
cleanup() {
    if [ -f "$D/slurmd.pid" ]; then kill "$(cat "$D/slurmd.pid")" 2>/dev/null || true; fi
    if [ -f "$D/slurmctld.pid" ]; then kill "$(cat "$D/slurmctld.pid")" 2>/dev/null || true; fi
    if [ -n "$started_munge" ] && [ -f /run/munge/munged.pid ]; then kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true; fi
}
trap cleanup EXIT

# Wait for the node to come up.
for _ in $(seq 1 100); do
    if sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix|alloc"; then break; fi
    sleep 0.2
done

"$COGOV" slurm scenarios/experiments/smoke.toml --shards 3 --cpus 1 --time 00:10:00 --out "$D/out" > "$D/submit.sh"
bash "$D/submit.sh" | tee "$D/submitted.txt"
for _ in $(seq 1 600); do
    if [ -z "$(squeue -h 2>/dev/null)" ]; then break; fi
    sleep 0.5
done
if [ ! -f "$D/out/merged/manifest.json" ]; then
    echo "slurm-check: no merged result; logs:"
    tail -n 30 "$D"/out/logs/* "$D"/log/* 2>/dev/null || true
    echo "0 passed, 1 failed"
    exit 1
fi
"$COGOV" sweep scenarios/experiments/smoke.toml --out "$D/local" --quiet
for f in runs.csv points.csv; do
    cmp "$D/out/merged/$f" "$D/local/$f"
done
echo "slurm-check: the merged result of the Slurm job array equals a local sweep (runs.csv, points.csv)"

# A calibration: the driver job runs every batch as a job array. It is cancelled once a batch
# is placed (its job array of the batch in flight left running), submitted again, and must end
# with the bytes of a local `cogov calibrate`.
CAL=scenarios/experiments/calibration_synthetic.toml
started=$SECONDS
calibration_failed() {
    echo "slurm-check: $1; logs:"
    tail -n 30 "$D"/cal/slurm/logs/* "$D"/log/* 2>/dev/null || true
    echo "slurm: 1 passed, 1 failed"
    exit 1
}
wait_driver() {
    for _ in $(seq 1 600); do
        if [ -z "$(squeue -h -j "$(cat "$D/cal/slurm/driver.id")" 2>/dev/null)" ]; then return 0; fi
        sleep 0.5
    done
    calibration_failed "the driver did not finish in 300 s"
}
"$COGOV" slurm "$CAL" --shards 2 --cpus 1 --time 00:10:00 --driver-time 00:20:00 --poll 1 --out "$D/cal" > "$D/cal-submit.sh"
bash "$D/cal-submit.sh"
for _ in $(seq 1 600); do
    if [ -d "$D/cal/batches/wave-01" ] && [ -n "$(ls "$D/cal/slurm/scratch" 2>/dev/null)" ]; then break; fi
    sleep 0.2
done
scancel "$(cat "$D/cal/slurm/driver.id")"
while [ -n "$(squeue -h -j "$(cat "$D/cal/slurm/driver.id")" 2>/dev/null)" ]; do sleep 0.2; done
[ ! -f "$D/cal/posterior.csv" ] || calibration_failed "the driver was cancelled too late to test a resubmission"
bash "$D/cal-submit.sh"
wait_driver
grep -q "the calibration is complete" "$D"/cal/slurm/logs/driver-*.out || calibration_failed "the driver did not report completion"
"$COGOV" calibrate "$CAL" --out "$D/cal-local" --quiet --no-charts
for f in posterior.csv estimates.csv; do
    cmp "$D/cal/$f" "$D/cal-local/$f" || calibration_failed "$f differs from a local calibration"
done
echo "slurm-check: a calibration driven on Slurm (cancelled and submitted again) equals a local calibration (posterior.csv, estimates.csv) in $((SECONDS - started)) s"
echo "slurm: 2 passed, 0 failed"
