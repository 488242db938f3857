package output

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
)

// Progress reports the run's progress once: a JSON Progress message, or in
// text at the default output level a line such as
//
//	12.5 %, 10 Done, 0 Failed, 70 Pending, 3 Skipped, 83 Total (scanning...), Files Scanned at Source: 90, Destination: 40, 2-sec Throughput (Mb/s): 120.4
//
// (the reference's copy progress line, with the scan counters while listing;
// Skipped and Total count up-to-date files too); not in a dry run, whose
// DRYRUN lines and summary say what it found. On a terminal the line is
// rewritten in place.
func (r *Reporter) Progress(s Stats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.Format == JSON {
		r.json(msgProgress, progressJSON(s, r.o.Shard), promptDetails{})
		r.progressSent = true
		return
	}
	if r.o.Verbosity != Default || r.o.DryRun || nothingYet(s) {
		return
	}
	line := progressText(s, r.throughput(s))
	if r.o.Terminal {
		r.live = line
		r.put(r.o.Stdout, "\r"+line+clearToEOL)
		return
	}
	r.put(r.o.Stdout, line+"\n")
}

// StartProgress reports progress at once and then every ProgressInterval
// until stop is called or ctx is done. stop waits for the reporting to end,
// reports once more in text and, on a terminal, moves past the progress
// line; it may be called more than once.
func (r *Reporter) StartProgress(ctx context.Context, snapshot func() Stats) (stop func()) {
	if r.o.Format == Text && (r.o.Verbosity != Default || r.o.DryRun) {
		// Nothing would be shown: a dry run moves nothing, so its line would only ever say
		// "0 Done, N Pending" of copies that will not happen.
		return func() {}
	}
	r.Progress(snapshot())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The first tick comes within a second (the one at once is skipped while nothing is
		// known yet), then every interval.
		t := time.NewTimer(min(r.o.ProgressInterval, time.Second))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.Progress(snapshot())
				t.Reset(r.o.ProgressInterval)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			// A last line with the final counts, so that even a run shorter than a tick shows one.
			if r.o.Format == Text {
				r.Progress(snapshot())
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			r.endLive()
		})
	}
}

// throughput returns megabits per second since the previous line, measured on
// the snapshots' own clock so that a slow tick does not distort it.
func (r *Reporter) throughput(s Stats) float64 {
	bytes, elapsed := s.BytesTransferred-r.lastBytes, s.Elapsed-r.lastElapsed
	r.lastBytes, r.lastElapsed = s.BytesTransferred, s.Elapsed
	if bytes <= 0 || elapsed <= 0 {
		return 0
	}
	return float64(bytes) * 8 / 1e6 / elapsed.Seconds()
}

// nothingYet is a snapshot with nothing to show: an all-zero line says nothing to a person.
func nothingYet(s Stats) bool {
	return !s.ScanComplete && s.SourceFilesScanned == 0 && s.DestinationFilesScanned == 0 &&
		s.FileTransfers+s.FolderPropertyTransfers+s.TransfersSkipped == 0
}

// progressPercent moves with the bytes as well as the files, so that one large file does not sit
// at 0 % until it is done; it says 100 % only once every transfer finished.
func progressPercent(s Stats, finished, total int64) float64 {
	p := percent(finished, total, s.ScanComplete)
	if s.BytesExpected > 0 && finished < total {
		p = max(p, min(float64(s.BytesTransferred)*100/float64(s.BytesExpected), 99.9))
	}
	return p
}

func progressText(s Stats, mbps float64) string {
	total := s.FileTransfers + s.FolderPropertyTransfers + s.TransfersSkipped
	finished := s.TransfersCompleted + s.TransfersFailed + s.TransfersSkipped
	var b strings.Builder
	fmt.Fprintf(&b, "%.1f %%, %d Done, %d Failed, %d Pending, %d Skipped, %d Total",
		progressPercent(s, finished, total), s.TransfersCompleted, s.TransfersFailed,
		total-finished, s.TransfersSkipped, total)
	if !s.ScanComplete {
		fmt.Fprintf(&b, " (scanning...), Files Scanned at Source: %d, Destination: %d",
			s.SourceFilesScanned, s.DestinationFilesScanned)
	}
	fmt.Fprintf(&b, ", 2-sec Throughput (Mb/s): %v", toFixed(mbps, 4))
	return b.String()
}

// toFixed rounds x to places decimals, as the reference does before printing
// numbers with %v (so 0.5 prints "0.5", not "0.5000").
func toFixed(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}
