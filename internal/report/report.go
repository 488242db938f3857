// Package report merges the JSON outputs of the shards of one sharded sync into one summary: the
// totals, each shard's outcome, the worst status, and the shards nobody heard from.
package report

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/azsync/azsync/internal/output"
)

// Input is one output file and what it says.
type Input struct {
	Name string
	Run  output.Run
	Err  error // the file could not be read or holds no azsync JSON
}

// Read reads every named file; a folder stands for every file directly in it (not hidden ones),
// in name order.
func Read(args []string) ([]Input, error) {
	var names []string
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("reading shard outputs: %w", err)
		}
		if !fi.IsDir() {
			names = append(names, arg)
			continue
		}
		entries, err := os.ReadDir(arg)
		if err != nil {
			return nil, fmt.Errorf("reading shard outputs: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				names = append(names, filepath.Join(arg, e.Name()))
			}
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no shard outputs to read in %s", strings.Join(args, ", "))
	}
	inputs := make([]Input, len(names))
	for i, name := range names {
		inputs[i] = Input{Name: name}
		f, err := os.Open(name)
		if err != nil {
			inputs[i].Err = err
			continue
		}
		inputs[i].Run, inputs[i].Err = output.ParseRun(f)
		f.Close()
	}
	return inputs, nil
}

// Merge adds the shards up. The merged status is the worst of the shards', and Failed when a shard
// is missing, did not finish, or an output cannot be read; ok says every shard completed.
func Merge(inputs []Input) (s output.Stats, ok bool, err error) {
	count, err := shardCount(inputs)
	if err != nil {
		return s, false, err
	}
	byIndex := map[int]Input{}
	s = output.Stats{JobID: fmt.Sprintf("(%d shards)", count), Status: output.Completed, ScanComplete: true}
	for _, in := range inputs {
		if in.Err != nil || in.Run.Shard == nil {
			s.Shards = append(s.Shards, unidentified(in))
			s.Status, s.ScanComplete = output.Failed, false
			continue
		}
		if prev, dup := byIndex[in.Run.Shard.Index]; !dup || later(in.Run, prev.Run) {
			byIndex[in.Run.Shard.Index] = in // a retried shard's last attempt is the one that counts
		}
	}
	var first, last time.Time
	for k := range count {
		in, found := byIndex[k]
		o := outcome(k, count, in, found)
		s.Shards = append(s.Shards, o)
		if o.JobStatus != output.Completed.String() {
			s.Status = worse(s.Status, output.ParseJobStatus(o.JobStatus))
		}
		if !found || !in.Run.Finished {
			s.ScanComplete = false
			continue
		}
		add(&s, in.Run.Stats)
		first, last = earliest(first, in.Run.Started), latest(last, in.Run.Ended)
	}
	if !first.IsZero() && last.After(first) {
		s.Elapsed = max(s.Elapsed, last.Sub(first))
	}
	// Unidentified outputs first would hide the shard lines' order: put them last.
	slices.SortStableFunc(s.Shards, func(a, b output.ShardOutcome) int {
		return boolInt(a.Shard == "?") - boolInt(b.Shard == "?")
	})
	return s, s.Status == output.Completed, nil
}

// shardCount is N as the outputs say it; they must agree.
func shardCount(inputs []Input) (int, error) {
	count, from := 0, ""
	for _, in := range inputs {
		if in.Err != nil || in.Run.Shard == nil {
			continue
		}
		switch n := in.Run.Shard.Count; {
		case count == 0:
			count, from = n, in.Name
		case n != count:
			return 0, fmt.Errorf("the outputs are of different sharded runs: %s says %d shards, %s says %d", from, count, in.Name, n)
		}
	}
	if count == 0 {
		return 0, fmt.Errorf("none of the outputs says which shard it is: run each shard with --shard and --output-type=json")
	}
	return count, nil
}

func unidentified(in Input) output.ShardOutcome {
	o := output.ShardOutcome{Shard: "?", JobStatus: output.Failed.String(), Output: in.Name, ErrorMsg: in.Run.Error}
	if in.Err != nil {
		o.ErrorMsg = in.Err.Error()
	} else if o.ErrorMsg == "" {
		o.ErrorMsg = "the output does not say which shard it is"
	}
	return o
}

const missing, unfinished = "Missing", "Unfinished"

func outcome(k, count int, in Input, found bool) output.ShardOutcome {
	o := output.ShardOutcome{Shard: fmt.Sprintf("%d/%d", k, count)}
	switch {
	case !found:
		o.JobStatus = missing
		return o
	case in.Run.Finished:
		o.JobStatus = in.Run.Stats.Status.String()
	case in.Run.Error != "":
		o.JobStatus = output.Failed.String()
	default:
		o.JobStatus = unfinished // stopped before its summary: killed, or out of time
	}
	o.JobID, o.Output, o.ErrorMsg = in.Run.JobID, in.Name, in.Run.Error
	o.TransfersFailed, o.DeletionsFailed = in.Run.Stats.TransfersFailed, in.Run.Stats.DeletionsFailed
	return o
}

// worse orders the outcomes Completed < CompletedWithErrors < Cancelled < Failed.
func worse(a, b output.JobStatus) output.JobStatus {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func rank(s output.JobStatus) int {
	switch s {
	case output.Completed:
		return 0
	case output.CompletedWithErrors:
		return 1
	case output.Cancelled:
		return 2
	}
	return 3
}

func add(s *output.Stats, r output.Stats) {
	s.SourceFilesScanned += r.SourceFilesScanned
	s.DestinationFilesScanned += r.DestinationFilesScanned
	s.FileTransfers += r.FileTransfers
	s.FolderPropertyTransfers += r.FolderPropertyTransfers
	s.TransfersCompleted += r.TransfersCompleted
	s.TransfersFailed += r.TransfersFailed
	s.TransfersSkipped += r.TransfersSkipped
	s.Deletions += r.Deletions
	s.DeletionsFailed += r.DeletionsFailed
	s.DeletionsHeldBack += r.DeletionsHeldBack
	s.BytesTransferred += r.BytesTransferred
	s.BytesEnumerated += r.BytesEnumerated
	s.BytesExpected += r.BytesExpected
	s.SymlinksSkipped += r.SymlinksSkipped
	s.SpecialFilesSkipped += r.SpecialFilesSkipped
	s.Elapsed = max(s.Elapsed, r.Elapsed)
	s.ScanComplete = s.ScanComplete && r.ScanComplete
	s.FailedTransfers = append(s.FailedTransfers, r.FailedTransfers...)
}

// later says a is a later attempt at the same shard than b (an engine retried it): the one that
// spoke last counts.
func later(a, b output.Run) bool { return a.Last.After(b.Last) }

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
