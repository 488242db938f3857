package output

import (
	"strings"
	"testing"
	"time"
)

var finished = Stats{
	JobID:                   "4b1f2c3d-0000-4000-8000-000000000001",
	SourceFilesScanned:      120,
	DestinationFilesScanned: 100,
	Elapsed:                 2004 * time.Millisecond,
	FileTransfers:           20,
	FolderPropertyTransfers: 2,
	TransfersCompleted:      21,
	TransfersFailed:         1,
	TransfersSkipped:        98,
	Deletions:               3,
	BytesTransferred:        5_000_000,
	BytesEnumerated:         5_100_000,
	ScanComplete:            true,
	Status:                  CompletedWithErrors,
	SymlinksSkipped:         4,
	SpecialFilesSkipped:     1,
}

func TestSummaryText(t *testing.T) {
	h := newHarness(Options{}, nil)
	h.r.Summary(finished)
	want := `
Job 4b1f2c3d-0000-4000-8000-000000000001 Summary
Files Scanned at Source: 120
Files Scanned at Destination: 100
Elapsed Time (Minutes): 0.0334
Number of Copy Transfers for Files: 20
Number of Copy Transfers for Folder Properties: 2
Number of Symlink Transfers: 0
Total Number of Copy Transfers: 22
Number of Copy Transfers Completed: 21
Number of Copy Transfers Failed: 1
Number of Deletions at Destination: 3
Number of Symbolic Links Skipped: 4
Number of Special Files Skipped: 1
Number of Hardlinks Converted: 0
Number of Hardlinks Skipped: 0
Total Number of Bytes Transferred: 5000000
Total Number of Bytes Enumerated: 5100000
Final Job Status: CompletedWithErrors
Files Skipped (Up to Date): 98
Throughput (MB/s): 2.50
`
	if got := h.stdout.String(); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
}

func TestSummaryTextAdditions(t *testing.T) {
	heldBack := finished
	heldBack.Deletions, heldBack.DeletionsHeldBack, heldBack.Status = 0, 7, Failed
	one := heldBack
	one.DeletionsHeldBack = 1
	upToDate := Stats{JobID: "j", TransfersSkipped: 5, ScanComplete: true, Status: Completed}
	deleteFailed := finished
	deleteFailed.DeletionsFailed = 2

	for _, tc := range []struct {
		name   string
		s      Stats
		dryRun bool
		want   []string // consecutive lines expected
		absent string
	}{
		{"held back", heldBack, false, []string{
			"Final Job Status: Failed",
			"Files Skipped (Up to Date): 98",
			"7 deletions were held back because the listing or a copy failed; nothing was deleted.",
			"Deletions Held Back: 7",
		}, "Nothing to do"},
		{"one held back", one, false, []string{
			"1 deletion was held back because the listing or a copy failed; nothing was deleted.",
			"Deletions Held Back: 1",
		}, ""},
		{"up to date", upToDate, false, []string{
			"Final Job Status: Completed",
			"Files Skipped (Up to Date): 5",
			"Throughput (MB/s): 0.00",
			"Nothing to do: destination is up to date.",
		}, "Held Back"},
		{"dry run", upToDate, true, []string{"", "(dry run: nothing was changed)", "Job j Summary"}, ""},
		{"deletions failed", deleteFailed, false, []string{
			"Files Skipped (Up to Date): 98", "Number of Deletions Failed: 2",
		}, "Nothing to do"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := summaryText(tc.s, tc.dryRun)
			if !strings.Contains(got, strings.Join(tc.want, "\n")+"\n") {
				t.Errorf("summary:\n%s\nlacks the lines:\n%s", got, strings.Join(tc.want, "\n"))
			}
			if tc.absent != "" && strings.Contains(got, tc.absent) {
				t.Errorf("summary:\n%s\nholds %q", got, tc.absent)
			}
		})
	}
}

func TestSummaryElapsedFormatting(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0"}, {6 * time.Second, "0.1"}, {90 * time.Second, "1.5"}, {time.Hour + 20*time.Millisecond, "60.0003"},
	} {
		got := summaryText(Stats{Elapsed: tc.d}, false)
		if want := "Elapsed Time (Minutes): " + tc.want + "\n"; !strings.Contains(got, want) {
			t.Errorf("%v: summary lacks %q", tc.d, want)
		}
	}
}
