#!/bin/sh
# One azsync sync split across a Slurm job array: each array task does its shard, told its index
# by Slurm (--shard=auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT).
#
#   sbatch --array=0-15 deploy/slurm-sync.sh SRC DST [more azsync sync flags]
#   azsync report azsync-<job id>_*.json      # one summary; exit 1 if any shard failed or is missing
#
# Every task must run the same command line (same SRC, DST, filters and --shard-depth), or the
# shards would not agree on who owns what. Give each task the credentials for both ends (a SAS in
# the URLs, or AZCOPY_AUTO_LOGIN_TYPE and its variables, exported to the job). A task that fails
# can be run again on its own (sbatch --array=K …): it redoes only its part.
#SBATCH --job-name=azsync
#SBATCH --array=0-3
#SBATCH --output=azsync-%A_%a.json
#SBATCH --cpus-per-task=2
set -eu
[ $# -ge 2 ] || { echo "usage: sbatch --array=0-N-1 slurm-sync.sh SRC DST [azsync sync flags]" >&2; exit 2; }
src=$1 dst=$2
shift 2
exec azsync sync "$src" "$dst" --shard=auto --output-type=json "$@"
