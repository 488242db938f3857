package output

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A sharded run adds one "Shard" key after the reference's, in Init and EndOfJob; its Error
// names the shard at the end. ParseRun reads back what the summary was made from.
func TestShardedJSONRoundTrip(t *testing.T) {
	id := &ShardID{Index: 2, Count: 4}
	h := newHarness(Options{Format: JSON, Shard: id}, nil)
	h.r.Init("job-2", "")
	s := finished
	s.DeletionsFailed, s.DeletionsHeldBack = 1, 2
	s.FailedTransfers = []Failure{{Src: "/d/a", Dst: "https://h/c/a", Err: "boom", Code: 500}}
	h.r.Summary(s)

	msgs := messages(t, h.stdout.String())
	if got := keys(t, msgs[0].MessageContent); !slices.Equal(got, []string{"LogFileLocation", "JobID", "IsCleanupJob", "Shard"}) {
		t.Errorf("Init keys %v", got)
	}
	if got := keys(t, msgs[len(msgs)-1].MessageContent); !slices.Equal(got, append(slices.Clone(summaryKeys), "Shard")) {
		t.Errorf("EndOfJob keys %v", got)
	}
	run, err := ParseRun(strings.NewReader(h.stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !run.Finished || *run.Shard != *id || run.JobID != "job-2" || !reflect.DeepEqual(run.Stats, s) {
		t.Errorf("read back %+v\nwant %+v", run.Stats, s)
	}

	h = newHarness(Options{Format: JSON, Shard: id}, nil)
	h.r.Error(SyncFailedPrefix + "no such container")
	run, err = ParseRun(strings.NewReader(h.stdout.String()))
	if err != nil || *run.Shard != *id || run.Error != SyncFailedPrefix+"no such container" || run.Finished {
		t.Errorf("error run %+v, %v", run, err)
	}
}

func TestShardLinesInText(t *testing.T) {
	s := finished
	s.Shards = []ShardOutcome{
		{Shard: "0/2", JobStatus: "Completed", JobID: "a", Output: "out/0.json"},
		{Shard: "1/2", JobStatus: "Missing"},
	}
	got := summaryText(s, false)
	if !strings.HasSuffix(got, "Shard 0/2: Completed [out/0.json]\nShard 1/2: Missing\n") {
		t.Errorf("summary ends\n%s", got)
	}
}

// FuzzParseRun: any file, however broken, reads without panicking, and a shard it names is one a
// run could be.
func FuzzParseRun(f *testing.F) {
	h := newHarness(Options{Format: JSON, Shard: &ShardID{1, 3}}, nil)
	h.r.Init("j", "")
	h.r.Summary(finished)
	h.r.Error("x")
	f.Add(h.stdout.String())
	f.Add(`{"MessageType":"Error","MessageContent":"boom (shard 99999999999999999999/1)"}`)
	f.Add(`{"MessageType":"EndOfJob","MessageContent":"{\"JobStatus\":\"Nope\",\"Shard\":{}}"}`)
	f.Fuzz(func(t *testing.T, in string) {
		run, err := ParseRun(strings.NewReader(in))
		if err == nil && run.Finished && run.Stats.Status == InProgress {
			t.Errorf("a finished run read as in progress")
		}
	})
}
