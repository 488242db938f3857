package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/output"
)

// shardOutput is what `azsync sync --shard=K/N --output-type=json` writes for a run with stats s
// (nil: the run failed before starting, with fatal).
func shardOutput(t *testing.T, k, n int, s *output.Stats, fatal string, at time.Time) string {
	t.Helper()
	var buf bytes.Buffer
	r := output.New(output.Options{Format: output.JSON, Stdout: &buf, Stderr: &buf,
		Shard: &output.ShardID{Index: k, Count: n}, Now: func() time.Time { return at }})
	if s == nil {
		r.Error(output.SyncFailedPrefix + fatal)
		return buf.String()
	}
	r.Init(s.JobID, "")
	r.Summary(*s)
	return buf.String()
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func done(id string, src, copied, deleted int64) *output.Stats {
	return &output.Stats{JobID: id, SourceFilesScanned: src, DestinationFilesScanned: src, FileTransfers: copied,
		TransfersCompleted: copied, TransfersSkipped: src - copied, Deletions: deleted, BytesTransferred: 10 * copied,
		BytesEnumerated: 10 * src, ScanComplete: true, Status: output.Completed, Elapsed: time.Second}
}

func TestMergeAllCompleted(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for k, s := range []*output.Stats{done("a", 10, 4, 1), done("b", 20, 5, 0), done("c", 30, 6, 2)} {
		write(t, dir, "shard-"+string(rune('0'+k))+".json", "srun: a line from the engine\n"+shardOutput(t, k, 3, s, "", t0.Add(time.Duration(k)*time.Second)))
	}
	inputs, err := Read([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	s, ok, err := Merge(inputs)
	if err != nil || !ok {
		t.Fatalf("Merge: ok %v, %v; %+v", ok, err, s.Shards)
	}
	if s.SourceFilesScanned != 60 || s.TransfersCompleted != 15 || s.TransfersSkipped != 45 || s.Deletions != 3 ||
		s.BytesTransferred != 150 || s.Status != output.Completed || !s.ScanComplete || len(s.Shards) != 3 {
		t.Errorf("merged %+v", s)
	}
	if s.Shards[1].Shard != "1/3" || s.Shards[1].JobID != "b" || s.Shards[1].JobStatus != "Completed" {
		t.Errorf("shard line %+v", s.Shards[1])
	}
}

func TestMergeNamesFailedAndMissingShards(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	failed := done("b", 20, 5, 0)
	failed.TransfersFailed, failed.Status, failed.DeletionsHeldBack = 2, output.CompletedWithErrors, 7
	files := []string{
		write(t, dir, "0", shardOutput(t, 0, 4, done("a", 10, 4, 1), "", t0)),
		write(t, dir, "1", shardOutput(t, 1, 4, failed, "", t0)),
		write(t, dir, "3", shardOutput(t, 3, 4, nil, "the source does not exist", t0)),
		write(t, dir, "junk", "Segmentation fault\n"),
	}
	inputs, err := Read(files)
	if err != nil {
		t.Fatal(err)
	}
	s, ok, err := Merge(inputs)
	if err != nil || ok {
		t.Fatalf("Merge: ok %v, %v", ok, err)
	}
	if s.Status != output.Failed || s.DeletionsHeldBack != 7 || s.TransfersFailed != 2 || s.ScanComplete {
		t.Errorf("merged %+v", s)
	}
	var lines []string
	for _, o := range s.Shards {
		lines = append(lines, o.Shard+" "+o.JobStatus+" "+o.ErrorMsg)
	}
	want := []string{
		"0/4 Completed ",
		"1/4 CompletedWithErrors ",
		"2/4 Missing ",
		"3/4 Failed Cannot perform sync due to error: the source does not exist",
		"? Failed no azsync JSON output in it (was the run given --output-type=json?)",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("shard lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// A shard retried by its engine counts once, by its last attempt.
func TestMergeRetriedShard(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	first := done("try1", 10, 4, 0)
	first.Status, first.TransfersFailed = output.CompletedWithErrors, 4
	write(t, dir, "a", shardOutput(t, 0, 1, first, "", t0))
	write(t, dir, "b", shardOutput(t, 0, 1, done("try2", 10, 4, 0), "", t0.Add(time.Minute)))
	inputs, _ := Read([]string{dir})
	s, ok, err := Merge(inputs)
	if err != nil || !ok || s.TransfersCompleted != 4 || s.Shards[0].JobID != "try2" {
		t.Errorf("ok %v, %v, %+v", ok, err, s)
	}
}

func TestMergeRefusesMixedRuns(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write(t, dir, "a", shardOutput(t, 0, 2, done("a", 1, 1, 0), "", now))
	write(t, dir, "b", shardOutput(t, 0, 3, done("b", 1, 1, 0), "", now))
	inputs, _ := Read([]string{dir})
	if _, _, err := Merge(inputs); err == nil || !strings.Contains(err.Error(), "different sharded runs") {
		t.Errorf("Merge of 2- and 3-shard outputs: %v", err)
	}
	unsharded := []Input{{Name: "x", Run: output.Run{Finished: true}}}
	if _, _, err := Merge(unsharded); err == nil || !strings.Contains(err.Error(), "--shard") {
		t.Errorf("Merge of unsharded output: %v", err)
	}
}
