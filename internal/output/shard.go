package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ShardID says which shard of a sharded run this is: Index out of Count.
type ShardID struct {
	Index, Count int
}

func (s ShardID) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// shardSummary is the EndOfJob's "Shard" object in a sharded run: the shard, and the counters the
// reference's summary does not carry, so that `azsync report` can add the shards up exactly.
type shardSummary struct {
	Index, Count              int
	FilesScannedAtSource      int64
	FilesScannedAtDestination int64
	TransfersSkipped          int64
	DeletionsFailed           int64
	DeletionsHeldBack         int64
	ElapsedSeconds            float64
}

func newShardSummary(s Stats, id *ShardID) *shardSummary {
	if id == nil {
		return nil
	}
	return &shardSummary{
		Index: id.Index, Count: id.Count,
		FilesScannedAtSource: s.SourceFilesScanned, FilesScannedAtDestination: s.DestinationFilesScanned,
		TransfersSkipped: s.TransfersSkipped, DeletionsFailed: s.DeletionsFailed,
		DeletionsHeldBack: s.DeletionsHeldBack, ElapsedSeconds: s.Elapsed.Seconds(),
	}
}

// errorSuffix ends a sharded run's JSON Error message, the only message it may write: the
// envelope has no room for more, and report must still name the shard that failed.
func (s *ShardID) errorSuffix() string {
	if s == nil {
		return ""
	}
	return " (shard " + s.String() + ")"
}

var errorShard = regexp.MustCompile(` \(shard (\d+)/(\d+)\)$`)

// ShardOutcome is one shard's line in a merged report.
type ShardOutcome struct {
	Shard     string // "K/N"
	JobStatus string // the shard's final status; "Missing" when no output names it
	JobID     string `json:",omitempty"`
	Output    string `json:",omitempty"` // the file it was read from
	ErrorMsg  string `json:",omitempty"`
	// TransfersFailed and DeletionsFailed are this shard's failures.
	TransfersFailed int64 `json:",string"`
	DeletionsFailed int64 `json:",string"`
}

func shardLines(b *strings.Builder, shards []ShardOutcome) {
	for _, o := range shards {
		fmt.Fprintf(b, "Shard %s: %s", o.Shard, o.JobStatus)
		if o.TransfersFailed+o.DeletionsFailed > 0 {
			fmt.Fprintf(b, " (%d copies and %d deletions failed)", o.TransfersFailed, o.DeletionsFailed)
		}
		if o.ErrorMsg != "" {
			b.WriteString(": " + o.ErrorMsg)
		}
		if o.Output != "" {
			b.WriteString(" [" + o.Output + "]")
		}
		b.WriteString("\n")
	}
}

// Run is what one run's --output-type=json output says, as `azsync report` reads it back.
type Run struct {
	Shard          *ShardID // nil when the output does not say
	JobID          string
	Started, Ended time.Time // of the Init and the EndOfJob
	Last           time.Time // of the last message
	Finished       bool      // an EndOfJob was read: Stats holds the summary
	Error          string    // the run's fatal error, without the shard suffix
	Stats          Stats
}

// ParseRun reads one run's JSON output. Lines that are not envelopes (a batch engine's own notes in
// the same file) are skipped; an output with no envelope at all is an error.
func ParseRun(r io.Reader) (Run, error) {
	var run Run
	envelopes := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		var e envelope
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.MessageType == "" {
			continue
		}
		envelopes++
		if err := run.add(e); err != nil {
			return run, err
		}
	}
	if err := sc.Err(); err != nil {
		return run, err
	}
	if envelopes == 0 {
		return run, fmt.Errorf("no azsync JSON output in it (was the run given --output-type=json?)")
	}
	return run, nil
}

func (run *Run) add(e envelope) error {
	run.Last = e.TimeStamp
	switch e.MessageType {
	case msgInit:
		var c initContent
		if err := json.Unmarshal([]byte(e.MessageContent), &c); err != nil {
			return fmt.Errorf("unreadable Init message: %w", err)
		}
		run.JobID, run.Started = c.JobID, e.TimeStamp
		run.Shard = firstShard(run.Shard, c.Shard)
	case msgError:
		run.Error = e.MessageContent
		if m := errorShard.FindStringSubmatch(e.MessageContent); m != nil {
			k, err1 := strconv.Atoi(m[1])
			n, err2 := strconv.Atoi(m[2])
			if err1 == nil && err2 == nil {
				run.Shard = firstShard(run.Shard, &ShardID{k, n})
				run.Error = strings.TrimSuffix(e.MessageContent, m[0])
			}
		}
	case msgEndOfJob:
		var js jobSummary
		if err := json.Unmarshal([]byte(e.MessageContent), &js); err != nil {
			return fmt.Errorf("unreadable EndOfJob message: %w", err)
		}
		run.Finished, run.Ended, run.Stats = true, e.TimeStamp, js.stats()
		if js.Shard != nil {
			run.Shard = firstShard(run.Shard, &ShardID{js.Shard.Index, js.Shard.Count})
		}
	}
	return nil
}

func firstShard(have, got *ShardID) *ShardID {
	if have != nil {
		return have
	}
	return got
}

// stats turns a job summary back into the counters it was made from.
func (js jobSummary) stats() Stats {
	s := Stats{
		JobID: js.JobID, ScanComplete: js.CompleteJobOrdered, Status: ParseJobStatus(js.JobStatus),
		FileTransfers: js.FileTransfers, FolderPropertyTransfers: js.FolderPropertyTransfers,
		TransfersCompleted: js.TransfersCompleted, TransfersFailed: js.TransfersFailed,
		BytesTransferred: js.TotalBytesTransferred, BytesEnumerated: js.TotalBytesEnumerated,
		BytesExpected: js.TotalBytesExpected, Deletions: js.DeleteTransfersCompleted,
		SymlinksSkipped: js.SkippedSymlinkCount, SpecialFilesSkipped: js.SkippedSpecialFileCount,
	}
	for _, f := range js.FailedTransfers {
		s.FailedTransfers = append(s.FailedTransfers, Failure{Src: f.Src, Dst: f.Dst, Err: f.ErrorMessage, Code: int(f.ErrorCode)})
	}
	if sh := js.Shard; sh != nil {
		s.SourceFilesScanned, s.DestinationFilesScanned = sh.FilesScannedAtSource, sh.FilesScannedAtDestination
		s.TransfersSkipped, s.DeletionsFailed, s.DeletionsHeldBack = sh.TransfersSkipped, sh.DeletionsFailed, sh.DeletionsHeldBack
		s.Elapsed = time.Duration(math.Round(sh.ElapsedSeconds*1e6)) * time.Microsecond
	}
	return s
}

// ParseJobStatus reads a final JobStatus name; any other (InProgress, unknown) is Failed, the safe
// reading.
func ParseJobStatus(name string) JobStatus {
	for st := Completed; st <= Cancelled; st++ {
		if st.String() == name {
			return st
		}
	}
	return Failed
}
