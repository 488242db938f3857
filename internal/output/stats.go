package output

import (
	"fmt"
	"time"
)

// JobStatus is a run's state, named as the reference names it.
type JobStatus int

// The job states; String gives these exact names.
const (
	InProgress JobStatus = iota
	Completed
	CompletedWithErrors
	Failed
	Cancelled
)

var jobStatusNames = [...]string{
	InProgress:          "InProgress",
	Completed:           "Completed",
	CompletedWithErrors: "CompletedWithErrors",
	Failed:              "Failed",
	Cancelled:           "Cancelled",
}

// String returns the status's name, e.g. "CompletedWithErrors".
func (s JobStatus) String() string {
	if s < InProgress || s > Cancelled {
		return fmt.Sprintf("JobStatus(%d)", int(s))
	}
	return jobStatusNames[s]
}

// Stats is a snapshot of a run's counters; the engine owns the live counters.
type Stats struct {
	JobID                                       string
	SourceFilesScanned, DestinationFilesScanned int64
	Elapsed                                     time.Duration
	FileTransfers, FolderPropertyTransfers      int64 // copies planned so far
	TransfersCompleted, TransfersFailed         int64
	TransfersSkipped                            int64 // entries left alone because the destination is up to date
	Deletions, DeletionsFailed                  int64
	DeletionsHeldBack                           int64 // planned, not run, because the listing or a copy failed
	BytesTransferred, BytesEnumerated           int64
	BytesExpected                               int64
	SymlinksSkipped, SpecialFilesSkipped        int64 // by the source's listing
	ScanComplete                                bool  // both listings finished
	Status                                      JobStatus
	FailedTransfers                             []Failure      // the first ones (JSON shows at most 100)
	Shards                                      []ShardOutcome // a merged report's shards, in order
}

// Failure is one failed copy.
type Failure struct {
	Src, Dst string
	Err      string
	Code     int // the service's HTTP status, 0 when the failure was local
}

// percent is done out of total in percent. With nothing to do, the job is
// done once no more work can turn up.
func percent(done, total int64, final bool) float64 {
	switch {
	case total > 0:
		return float64(done) * 100 / float64(total)
	case final:
		return 100
	default:
		return 0
	}
}
