package output

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestProgressText(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Stats
		mbps float64
		want string
	}{
		{"scanning", Stats{
			SourceFilesScanned: 90, DestinationFilesScanned: 40,
			FileTransfers: 80, TransfersCompleted: 10, TransfersSkipped: 3,
		}, 120.4, "15.7 %, 10 Done, 0 Failed, 70 Pending, 3 Skipped, 83 Total (scanning...), " +
			"Files Scanned at Source: 90, Destination: 40, 2-sec Throughput (Mb/s): 120.4"},
		{"listed", Stats{
			FileTransfers: 6, FolderPropertyTransfers: 2, TransfersCompleted: 5, TransfersFailed: 1, ScanComplete: true,
		}, 0.123456, "75.0 %, 5 Done, 1 Failed, 2 Pending, 0 Skipped, 8 Total, 2-sec Throughput (Mb/s): 0.1235"},
		{"nothing yet", Stats{}, 0, "0.0 %, 0 Done, 0 Failed, 0 Pending, 0 Skipped, 0 Total (scanning...), " +
			"Files Scanned at Source: 0, Destination: 0, 2-sec Throughput (Mb/s): 0"},
		{"one large file half way", Stats{
			FileTransfers: 1, BytesExpected: 100 << 20, BytesTransferred: 50 << 20, ScanComplete: true,
		}, 0, "50.0 %, 0 Done, 0 Failed, 1 Pending, 0 Skipped, 1 Total, 2-sec Throughput (Mb/s): 0"},
		{"all bytes sent, not committed", Stats{
			FileTransfers: 1, BytesExpected: 10, BytesTransferred: 10, ScanComplete: true,
		}, 0, "99.9 %, 0 Done, 0 Failed, 1 Pending, 0 Skipped, 1 Total, 2-sec Throughput (Mb/s): 0"},
		{"nothing to do", Stats{ScanComplete: true}, 0, "100.0 %, 0 Done, 0 Failed, 0 Pending, 0 Skipped, 0 Total, 2-sec Throughput (Mb/s): 0"},
	} {
		if got := progressText(tc.s, tc.mbps); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

func TestNoAllZeroProgressLine(t *testing.T) {
	h := newHarness(Options{}, nil)
	h.r.Progress(Stats{})
	if got := h.stdout.String(); got != "" {
		t.Errorf("an all-zero snapshot printed %q", got)
	}
	h.r.Progress(Stats{SourceFilesScanned: 1})
	if h.stdout.String() == "" {
		t.Error("a snapshot with something scanned printed nothing")
	}
}

func TestProgressThroughputIsPerInterval(t *testing.T) {
	h := newHarness(Options{}, nil)
	h.r.Progress(Stats{Elapsed: 2 * time.Second, BytesTransferred: 1_000_000, ScanComplete: true})
	h.r.Progress(Stats{Elapsed: 4 * time.Second, BytesTransferred: 6_000_000, ScanComplete: true})
	h.r.Progress(Stats{Elapsed: 4 * time.Second, BytesTransferred: 6_000_000, ScanComplete: true})
	lines := strings.Split(strings.TrimSuffix(h.stdout.String(), "\n"), "\n")
	for i, want := range []string{"Throughput (Mb/s): 4\n", "Throughput (Mb/s): 20\n", "Throughput (Mb/s): 0\n"} {
		if !strings.HasSuffix(lines[i]+"\n", want) {
			t.Errorf("line %d = %q; want it to end %q", i, lines[i], want)
		}
	}
}

func TestTerminalProgressStaysAtTheBottom(t *testing.T) {
	h := newHarness(Options{Terminal: true}, nil)
	s := Stats{FileTransfers: 1, ScanComplete: true}
	line := progressText(s, 0)
	stop := h.r.StartProgress(context.Background(), func() Stats { return s })
	h.r.Info("hello")
	h.r.Warn("careful")
	stop()
	stop() // a second call does nothing
	// The first tick at once; the info above the line, which is redrawn;
	// the warning went to stderr; stop draws the last line and ends it.
	want := "\r" + line + clearToEOL +
		"\r" + clearToEOL + "INFO: hello\n" + line +
		"\r" + clearToEOL + line +
		"\r" + line + clearToEOL +
		"\n"
	if got := h.stdout.String(); got != want {
		t.Errorf("stdout\n got %q\nwant %q", got, want)
	}
	if got := h.stderr.String(); got != "WARN: careful\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestStartProgressTicks(t *testing.T) {
	for _, format := range []Format{Text, JSON} {
		h := newHarness(Options{Format: format, ProgressInterval: time.Millisecond}, nil)
		var mu sync.Mutex
		calls := 0
		enough := make(chan struct{})
		stop := h.r.StartProgress(context.Background(), func() Stats {
			mu.Lock()
			defer mu.Unlock()
			if calls++; calls == 3 {
				close(enough)
			}
			return Stats{ScanComplete: true}
		})
		<-enough
		stop()
		mu.Lock()
		n := calls
		mu.Unlock()
		if got := strings.Count(h.stdout.String(), "\n"); got != n {
			t.Errorf("%v: %d lines for %d snapshots", format, got, n)
		}
	}
}

func TestStartProgressEndsWithContext(t *testing.T) {
	h := newHarness(Options{Format: JSON, ProgressInterval: time.Hour}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	stop := h.r.StartProgress(ctx, func() Stats { return Stats{} })
	cancel()
	stop() // returns only once the goroutine has ended
	if got := len(messages(t, h.stdout.String())); got != 1 {
		t.Errorf("%d messages; want the immediate one", got)
	}
}

func TestNoTextProgressBelowDefault(t *testing.T) {
	for _, v := range []Verbosity{Essential, Quiet} {
		h := newHarness(Options{Verbosity: v, Terminal: true}, nil)
		stop := h.r.StartProgress(context.Background(), func() Stats {
			t.Error("snapshot taken although nothing is shown")
			return Stats{}
		})
		h.r.Progress(Stats{})
		stop()
		if got := h.stdout.String(); got != "" {
			t.Errorf("verbosity %v: %q", v, got)
		}
	}
}
