#!/usr/bin/env bash
# A single-node Slurm cluster on loopback for the sharded-sync test (Debian's slurm-wlm and munge).
#
#   .ci/slurm.sh up DIR     start munged, slurmctld and slurmd with everything (key, socket, state,
#                           logs, pid files) under DIR; prints the slurm.conf path on success
#   .ci/slurm.sh down DIR   stop them, by the PIDs in their pid files
#
# Needs root (slurmd runs the jobs as their submitter, root here) and the packages installed.
set -euo pipefail

cmd=${1:?usage: slurm.sh up|down DIR}
dir=${2:?usage: slurm.sh up|down DIR}

stop_pid_file() {
  local f=$1 pid
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case $cmd in
down)
  stop_pid_file "$dir/slurmd.pid"
  stop_pid_file "$dir/slurmctld.pid"
  stop_pid_file "$dir/munged.pid"
  exit 0
  ;;
up) ;;
*) echo "usage: slurm.sh up|down DIR" >&2; exit 2 ;;
esac

for bin in munged slurmctld slurmd sbatch sinfo; do
  command -v "$bin" >/dev/null || { echo "slurm.sh: $bin is not installed" >&2; exit 1; }
done
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
dd if=/dev/urandom bs=1 count=1024 of="$dir/munge/munge.key" status=none
chmod 400 "$dir/munge/munge.key"
socket=$dir/munge/munge.socket
munged --force --key-file="$dir/munge/munge.key" --socket="$socket" --pid-file="$dir/munged.pid" \
  --log-file="$dir/munged.log" --seed-file="$dir/munge/seed"

host=$(hostname -s)
cat >"$dir/slurm.conf" <<EOF
ClusterName=local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/ctld.log
SlurmdLogFile=$dir/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 RealMemory=20000 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
EOF
export SLURM_CONF=$dir/slurm.conf
slurmctld
slurmd
# The node registers within a few seconds; jobs can be submitted once it is idle.
for _ in $(seq 60); do
  if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
    echo "$dir/slurm.conf"
    exit 0
  fi
  sleep 0.5
done
echo "slurm.sh: the node did not become idle; see $dir/ctld.log and $dir/d.log" >&2
exit 1
