#!/usr/bin/env bash
# A throw-away one-node Slurm cluster for trying deploy/slurm/convert-array.sbatch (and for its test), as root:
#   deploy/slurm/single-node.sh start STATE    # writes STATE/slurm.conf, starts munged, slurmctld and slurmd
#   SLURM_CONF=STATE/slurm.conf sbatch ...
#   deploy/slurm/single-node.sh stop STATE     # stops the three daemons it started (by their pid files)
# Everything lives in STATE: its own munge key and socket, spool, logs, and ports picked from the free ones, so it
# stays clear of a Slurm or munge the machine already runs. Needs Debian's slurm-wlm and munge.
set -euo pipefail
action=${1:?usage: single-node.sh start|stop STATE}
state=$(realpath -m "${2:?usage: single-node.sh start|stop STATE}")

stop() {
  for daemon in slurmd slurmctld munged; do
    local pidfile="$state/$daemon.pid"
    [ -f "$pidfile" ] || continue
    local pid; pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  done
}

# Two distinct free ports (both held open while asked for, so the kernel cannot hand out the same one twice).
free_ports() {
  python3 -c 'import socket; s = [socket.socket() for _ in range(2)]; [x.bind(("127.0.0.1", 0)) for x in s]; print(*[x.getsockname()[1] for x in s])'
}

start() {
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || { echo "single-node.sh: $tool not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
  done
  [ "$(id -u)" -eq 0 ] || { echo "single-node.sh: must run as root (the daemons switch users and own the spool)" >&2; exit 1; }
  mkdir -p "$state/spool" "$state/ctld" "$state/munge"
  chmod 700 "$state/munge"
  dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$state/munge/munge.key"
  munged --force --socket="$state/munge/munge.sock" --key-file="$state/munge/munge.key" --pid-file="$state/munged.pid" \
    --log-file="$state/munged.log" --seed-file="$state/munge/seed"
  local host; host=$(hostname -s)
  local node; node=$(slurmd -C | head -n 1 | sed 's/ *$//')
  local ctld_port slurmd_port; read -r ctld_port slurmd_port < <(free_ports)
  cat >"$state/slurm.conf" <<CONF
ClusterName=rawengine
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$state/munge/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=batch Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$state/slurm.conf"
  slurmctld -c -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  # Ready when the node takes jobs.
  for _ in $(seq 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qx 'idle'; then return 0; fi
    sleep 0.5
  done
  echo "single-node.sh: the node did not become idle in 30 s; see $state/slurmctld.log and $state/slurmd.log" >&2
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: single-node.sh start|stop STATE" >&2; exit 2 ;;
esac
