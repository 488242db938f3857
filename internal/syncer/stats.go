package syncer

import (
	"sync"
	"sync/atomic"
)

// Stats are the run's counters, updated by the walk and the executor as they go.
type Stats struct {
	SourceFiles, DestinationFiles atomic.Int64
	BytesEnumerated               atomic.Int64
	CopiesPlanned, BytesPlanned   atomic.Int64
	FoldersPlanned                atomic.Int64 // of CopiesPlanned, directory markers
	CopiesDone, CopiesFailed      atomic.Int64
	Skipped                       atomic.Int64 // present on both sides and up to date
	BytesTransferred              atomic.Int64
	DeletesPlanned                atomic.Int64
	Deleted, DeletesFailed        atomic.Int64
	DeletesHeldBack               atomic.Int64
	ScanDone                      atomic.Bool

	mu       sync.Mutex
	failures []Failure
}

// Failure is one entry that could not be copied or deleted.
type Failure struct {
	Src, Dst string
	Err      error
}

// maxFailures bounds what is kept for the report; the log has every failure.
const maxFailures = 100

func (s *Stats) addFailure(f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.failures) < maxFailures {
		s.failures = append(s.failures, f)
	}
}

// Failures returns the first failures of the run.
func (s *Stats) Failures() []Failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Failure(nil), s.failures...)
}
