#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for `leukemia study --executor slurm` and its tests:
# munged, slurmctld and slurmd on localhost (Debian's munge and slurm-wlm, installed by setup.sh).
#
#   scripts/slurm-cluster.sh start    # idempotent: starts what is not running
#   scripts/slurm-cluster.sh stop     # idempotent: stops what runs, keeps the folder
#   scripts/slurm-cluster.sh status   # exit 0 when the node answers and is usable, 1 otherwise
#
# Everything lives in $LEUKEMIA_SLURM_DIR (default /tmp/leukemia-slurm): etc/slurm.conf and
# cgroup.conf, munge's key and socket, the controller's and node's state, pid files and logs.
# Client commands (sbatch, squeue, scontrol, scancel) find the configuration through
# /etc/slurm/slurm.conf, which start links to etc/slurm.conf; a foreign /etc/slurm/slurm.conf (a real
# cluster's) is never replaced: then export SLURM_CONF=$LEUKEMIA_SLURM_DIR/etc/slurm.conf instead.
# No accounting database (slurmdbd): sacct does not answer here; the toolkit reads job states with
# squeue and scontrol and from the run directories. Finished jobs stay visible for MinJobAge (1 h).
set -euo pipefail

root="${LEUKEMIA_SLURM_DIR:-/tmp/leukemia-slurm}"
etc="$root/etc" munge="$root/munge" state="$root/state" run="$root/run" logs="$root/log"
conf="$etc/slurm.conf"
system_conf=/etc/slurm/slurm.conf
node="$(hostname -s)"

die() { echo "slurm-cluster: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "run as root (the daemons run as root in this one-node cluster)"; }

# Whether the daemon of a pid file is alive (a daemon removes its file as it exits).
alive() { local pid; pid="$(cat "$1" 2>/dev/null)" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

write_configuration() {
    local cpus memory_kb memory_mb
    cpus="$(nproc)"
    memory_kb="$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
    # Slurm refuses a node that has less than it claims: leave 10 % to the system.
    memory_mb=$(( memory_kb / 1024 * 9 / 10 ))
    mkdir -p "$etc" "$munge" "$state/ctld" "$state/d" "$run" "$logs"
    cat > "$conf.new" <<EOF
# Written by scripts/slurm-cluster.sh: a one-node cluster on $node ($cpus CPUs, $memory_mb MB).
ClusterName=leukemia
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$munge/munge.socket.2
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
# No cgroup hierarchy of our own in a container: track processes through /proc, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# Cores and memory are the consumable resources, so that array tasks share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$(( memory_mb / cpus ))
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
# Finished jobs stay in squeue/scontrol an hour (no accounting database to ask later).
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$conf.new" "$conf"
    cat > "$etc/cgroup.conf" <<EOF
# Slurm 22.05 has no CgroupPlugin=disabled; nothing uses cgroups with the plugins above.
CgroupPlugin=autodetect
IgnoreSystemd=yes
EOF
    # Client commands read /etc/slurm/slurm.conf unless SLURM_CONF says otherwise.
    mkdir -p /etc/slurm
    if [ -L "$system_conf" ] || [ ! -e "$system_conf" ]; then
        ln -sfn "$conf" "$system_conf"
        ln -sfn "$etc/cgroup.conf" /etc/slurm/cgroup.conf
    elif [ "$(readlink -f "$system_conf")" != "$conf" ]; then
        echo "slurm-cluster: $system_conf belongs to another cluster; left alone — export SLURM_CONF=$conf" >&2
    fi
}

start_munge() {
    if alive "$munge/munged.pid"; then return; fi
    if [ ! -s "$munge/munge.key" ]; then
        mungekey --create --keyfile="$munge/munge.key" --force
    fi
    chmod 700 "$munge"; chmod 600 "$munge/munge.key"
    munged --force --socket="$munge/munge.socket.2" --key-file="$munge/munge.key" --pid-file="$munge/munged.pid" \
        --log-file="$logs/munged.log" --seed-file="$munge/munged.seed"
}

start_slurm() {
    export SLURM_CONF="$conf"
    if ! alive "$run/slurmctld.pid"; then slurmctld -f "$conf"; fi
    if ! alive "$run/slurmd.pid"; then slurmd -f "$conf"; fi
    # Ready when the node is idle (or busy with jobs) rather than down or unknown.
    local waited=0 node_state=""
    while [ $waited -lt 60 ]; do
        node_state="$(sinfo -h -N -n "$node" -o '%t' 2>/dev/null || true)"
        case "$node_state" in
            idle*|mix*|alloc*|comp*) echo "slurm-cluster: up ($node: $node_state; $conf)"; return ;;
            down*|drain*) scontrol update NodeName="$node" State=RESUME >/dev/null 2>&1 || true ;;
        esac
        sleep 1; waited=$((waited + 1))
    done
    die "the node did not come up (state '${node_state:-no answer}'); see $logs/slurmctld.log and $logs/slurmd.log"
}

stop_daemon() {
    local name="$1" file="$2" waited=0
    if alive "$file"; then
        kill "$(cat "$file" 2>/dev/null)" 2>/dev/null || true
        while alive "$file" && [ $waited -lt 20 ]; do sleep 0.5; waited=$((waited + 1)); done
        if alive "$file"; then kill -9 "$(cat "$file" 2>/dev/null)" 2>/dev/null || true; fi
        echo "slurm-cluster: stopped $name"
    fi
    rm -f "$file"
}

case "${1:-}" in
    start)
        need_root
        command -v slurmctld >/dev/null && command -v munged >/dev/null \
            || die "slurm-wlm and munge are not installed: run bash scripts/setup.sh"
        write_configuration
        start_munge
        start_slurm
        ;;
    stop)
        need_root
        stop_daemon slurmd "$run/slurmd.pid"
        stop_daemon slurmctld "$run/slurmctld.pid"
        stop_daemon munged "$munge/munged.pid"
        ;;
    status)
        for daemon in "munged:$munge/munged.pid" "slurmctld:$run/slurmctld.pid" "slurmd:$run/slurmd.pid"; do
            if alive "${daemon#*:}"; then echo "${daemon%%:*}: running (pid $(cat "${daemon#*:}"))"
            else echo "${daemon%%:*}: not running"; fi
        done
        [ -f "$conf" ] || { echo "no cluster configured in $root"; exit 1; }
        SLURM_CONF="$conf" sinfo -N -o '%N %t %c %m' 2>/dev/null || exit 1
        node_state="$(SLURM_CONF="$conf" sinfo -h -N -n "$node" -o '%t' 2>/dev/null || true)"
        case "$node_state" in idle*|mix*|alloc*|comp*) exit 0 ;; *) exit 1 ;; esac
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
