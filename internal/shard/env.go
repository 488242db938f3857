package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// An engine is a batch system whose array tasks say their index (and usually the count) in their
// environment. Only variables the engines document are read:
//   - Slurm job arrays (sbatch --array): SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT,
//     SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_STEP (an array such as --array=1-7:2 is shards 0-3);
//   - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX; the count is the Job's completions, which
//     the pod does not see, so it is given with --shard-count;
//   - AWS Batch array jobs: AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE;
//   - Google Cloud Batch: BATCH_TASK_INDEX and BATCH_TASK_COUNT.
//
// Azure Batch has no array jobs (its tasks have free-form IDs, not indices): give each task its
// own --shard=K/N on its command line.
type engine struct {
	name         string
	index, count string // variable names; count "" when the engine does not tell
	min, step    string // Slurm only
	countHint    string
}

var engines = []engine{
	{name: "Slurm", index: "SLURM_ARRAY_TASK_ID", count: "SLURM_ARRAY_TASK_COUNT", min: "SLURM_ARRAY_TASK_MIN", step: "SLURM_ARRAY_TASK_STEP"},
	{name: "Kubernetes", index: "JOB_COMPLETION_INDEX", countHint: "give the Job's completions as --shard-count"},
	{name: "AWS Batch", index: "AWS_BATCH_JOB_ARRAY_INDEX", count: "AWS_BATCH_JOB_ARRAY_SIZE"},
	{name: "Google Cloud Batch", index: "BATCH_TASK_INDEX", count: "BATCH_TASK_COUNT"},
}

// FromEnv reads --shard=auto's index and count from the environment of the batch engine that
// started this process. count is --shard-count (0 when not given): it is required where the engine
// does not tell, and must agree with the engine where it does.
func FromEnv(getenv func(string) string, count int) (Spec, error) {
	var found []engine
	for _, e := range engines {
		if getenv(e.index) != "" {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return Spec{}, fmt.Errorf("--shard=auto found no batch engine's task index in the environment (%s); run it as an array task or give --shard=K/N", indexVars())
	case 1:
	default:
		return Spec{}, fmt.Errorf("--shard=auto found the task indices of both %s and %s in the environment; give --shard=K/N", found[0].name, found[1].name)
	}
	return found[0].spec(getenv, count)
}

func (e engine) spec(getenv func(string) string, flagCount int) (Spec, error) {
	index, err := number(getenv, e.index, 0)
	if err != nil {
		return Spec{}, err
	}
	count := flagCount
	if e.count != "" {
		if count, err = number(getenv, e.count, -1); err != nil {
			return Spec{}, err
		}
		if flagCount != 0 && flagCount != count {
			return Spec{}, fmt.Errorf("--shard-count=%d disagrees with %s=%d", flagCount, e.count, count)
		}
	}
	if count == 0 {
		return Spec{}, fmt.Errorf("--shard=auto under %s: the environment gives the index (%s) but not the count; %s", e.name, e.index, e.countHint)
	}
	if e.min != "" {
		if index, err = e.slurmIndex(getenv, index, count); err != nil {
			return Spec{}, err
		}
	}
	return checked(index, count, fmt.Sprintf("shard %d of %d from %s's environment", index, count, e.name))
}

// slurmIndex turns a Slurm array task ID into 0…count-1: arrays may start anywhere and step.
func (e engine) slurmIndex(getenv func(string) string, id, count int) (int, error) {
	lowest, err := number(getenv, e.min, 0)
	if err != nil {
		return 0, err
	}
	step, err := number(getenv, e.step, 1)
	if err != nil {
		return 0, err
	}
	k := (id - lowest) / max(step, 1)
	if id < lowest || (id-lowest)%max(step, 1) != 0 || k >= count {
		return 0, fmt.Errorf("--shard=auto needs a Slurm array of consecutive indices such as --array=0-%d (task %d of an array of %d from %d, step %d)", count-1, id, count, lowest, step)
	}
	return k, nil
}

// number reads a whole number from the environment; unset is def, or an error when def < 0.
func number(getenv func(string) string, name string, def int) (int, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		if def < 0 {
			return 0, fmt.Errorf("--shard=auto: %s is not set", name)
		}
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--shard=auto: %s=%q is not a whole number", name, v)
	}
	return n, nil
}

func indexVars() string {
	var names []string
	for _, e := range engines {
		names = append(names, e.index)
	}
	return strings.Join(names, ", ")
}

// Resolve turns --shard, --shard-count and --shard-depth into this run's Spec. count is 0 when
// --shard-count was not given; it only goes with --shard=auto.
func Resolve(value string, count, depth int, getenv func(string) string) (Spec, error) {
	s, auto, err := Parse(value)
	if err != nil {
		return Spec{}, err
	}
	switch {
	case count != 0 && !auto:
		return Spec{}, fmt.Errorf("--shard-count goes with --shard=auto (with --shard=K/N the count is N)")
	case depth < 1:
		return Spec{}, fmt.Errorf("invalid --shard-depth %d: must be 1 or more", depth)
	case count < 0 || count > MaxCount:
		return Spec{}, fmt.Errorf("invalid --shard-count %d: must be from 1 to %d", count, MaxCount)
	}
	if auto {
		if s, err = FromEnv(getenv, count); err != nil {
			return Spec{}, err
		}
	}
	s.Depth = depth
	return s, nil
}
