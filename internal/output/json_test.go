package output

import (
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// A simulated run in JSON: Info* Init Progress+ EndOfJob, every line an envelope.
func TestJSONRun(t *testing.T) {
	h := newHarness(Options{Format: JSON, ProgressInterval: time.Millisecond}, nil)
	h.r.Info("Scanning...")
	h.r.Init("job-1", "/home/u/.azsync/logs/job-1.log")
	ticks := make(chan struct{}, 1)
	s := Stats{JobID: "job-1", SourceFilesScanned: 4}
	stop := h.r.StartProgress(context.Background(), func() Stats {
		select {
		case ticks <- struct{}{}:
		default:
		}
		return s
	})
	<-ticks
	<-ticks // at least one tick after the first
	stop()
	s.ScanComplete, s.Status, s.FileTransfers, s.TransfersCompleted = true, Completed, 4, 4
	h.r.Summary(s)

	msgs := messages(t, h.stdout.String())
	if !regexp.MustCompile(`^(Info )*Init (Progress )+EndOfJob$`).MatchString(types(msgs)) {
		t.Fatalf("message types %q", types(msgs))
	}
	for _, m := range msgs {
		if !m.TimeStamp.Equal(testTime) || m.PromptDetails.PromptType != "" || m.PromptDetails.ResponseOptions != nil {
			t.Errorf("message %+v", m)
		}
	}
	if msgs[0].MessageContent != "INFO: Scanning..." {
		t.Errorf("Info content %q", msgs[0].MessageContent)
	}
	if got, want := msgs[1].MessageContent, `{"LogFileLocation":"/home/u/.azsync/logs/job-1.log","JobID":"job-1","IsCleanupJob":false}`; got != want {
		t.Errorf("Init content %s; want %s", got, want)
	}
	if got, want := msgs[2].MessageContent, `{"FilesScannedAtSource":4,"FilesScannedAtDestination":0}`; got != want {
		t.Errorf("scanning Progress content %s; want %s", got, want)
	}
	if !strings.HasPrefix(h.stdout.String(), `{"TimeStamp":"2026-11-25T20:00:00.1234567Z","MessageType":"Info","MessageContent":"INFO: Scanning...","PromptDetails":{"PromptType":"","ResponseOptions":null,"PromptTarget":""}}`+"\n") {
		t.Errorf("first line %q", strings.SplitN(h.stdout.String(), "\n", 2)[0])
	}
}

// The reference's ListSyncJobSummaryResponse fields, in its order.
var summaryKeys = []string{
	"ErrorMsg", "JobID", "ActiveConnections", "CompleteJobOrdered", "JobStatus",
	"TotalTransfers", "FileTransfers", "FolderPropertyTransfers", "SymlinkTransfers",
	"TransfersCompleted", "TransfersFailed", "TransfersSkipped", "BytesOverWire",
	"TotalBytesTransferred", "TotalBytesEnumerated", "TotalBytesExpected", "PercentComplete",
	"AverageIOPS", "AverageE2EMilliseconds", "ServerBusyPercentage", "NetworkErrorPercentage",
	"FailedTransfers", "SkippedTransfers", "PerfConstraint", "PerformanceAdvice", "IsCleanupJob",
	"SkippedSymlinkCount", "HardlinksConvertedCount", "SkippedHardlinkCount", "SkippedSpecialFileCount",
	"DeleteTotalTransfers", "DeleteTransfersCompleted",
}

func TestJSONEndOfJob(t *testing.T) {
	h := newHarness(Options{Format: JSON}, nil)
	s := finished
	s.DeletionsFailed, s.DeletionsHeldBack = 1, 2
	s.FailedTransfers = []Failure{{Src: "/d/a.txt", Dst: "https://h/c/a.txt", Err: "403 AuthorizationFailure", Code: 403}}
	h.r.Summary(s)

	msgs := messages(t, h.stdout.String())
	if types(msgs) != "Progress EndOfJob" {
		t.Fatalf("types %q; want a Progress before EndOfJob", types(msgs))
	}
	content := msgs[1].MessageContent
	if got := keys(t, content); !slices.Equal(got, summaryKeys) {
		t.Errorf("EndOfJob keys\n got %v\nwant %v", got, summaryKeys)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(content), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"ErrorMsg": "", "JobID": finished.JobID, "ActiveConnections": "0", "CompleteJobOrdered": true,
		"JobStatus": "CompletedWithErrors", "TotalTransfers": "22", "FileTransfers": "20",
		"FolderPropertyTransfers": "2", "SymlinkTransfers": "0", "TransfersCompleted": "21",
		"TransfersFailed": "1", "TransfersSkipped": "98", "BytesOverWire": "5000000",
		"TotalBytesTransferred": "5000000", "TotalBytesEnumerated": "5100000", "TotalBytesExpected": "0",
		"PercentComplete": "100", "AverageIOPS": "0", "AverageE2EMilliseconds": "0",
		"ServerBusyPercentage": "0", "NetworkErrorPercentage": "0",
		"FailedTransfers": []any{map[string]any{
			"Src": "/d/a.txt", "Dst": "https://h/c/a.txt", "IsFolderProperties": false,
			"TransferStatus": "Failed", "TransferSize": float64(0), "ErrorCode": "403",
			"ErrorMessage": `"403 AuthorizationFailure"`,
		}},
		"SkippedTransfers": nil, "PerfConstraint": float64(0), "PerformanceAdvice": nil, "IsCleanupJob": false,
		"SkippedSymlinkCount": "4", "HardlinksConvertedCount": "0", "SkippedHardlinkCount": "0", "SkippedSpecialFileCount": "1",
		"DeleteTotalTransfers": "6", "DeleteTransfersCompleted": "3",
	}
	for k, v := range want {
		if got, _ := json.Marshal(m[k]); string(got) != mustJSON(v) {
			t.Errorf("%s = %s; want %s", k, got, mustJSON(v))
		}
	}
	// The final Progress is the same summary once scanning is complete.
	if msgs[0].MessageContent != content {
		t.Errorf("final Progress %s differs from EndOfJob %s", msgs[0].MessageContent, content)
	}
}

func TestJSONFailedTransfersCapped(t *testing.T) {
	s := finished
	s.FailedTransfers = make([]Failure, 150)
	if got := len(summaryJSON(s, nil).FailedTransfers); got != maxFailedTransfers {
		t.Errorf("%d failures listed; want %d", got, maxFailedTransfers)
	}
}

func TestJSONSummaryAfterProgressAddsNone(t *testing.T) {
	h := newHarness(Options{Format: JSON}, nil)
	h.r.Progress(Stats{ScanComplete: true})
	h.r.Summary(Stats{ScanComplete: true, Status: Completed})
	if got := types(messages(t, h.stdout.String())); got != "Progress EndOfJob" {
		t.Errorf("types %q", got)
	}
}

func TestJSONWarnAndError(t *testing.T) {
	h := newHarness(Options{Format: JSON}, nil)
	h.r.Warn("disk nearly full")
	h.r.Error(SyncFailedPrefix + "source does not exist")
	got := messages(t, h.stdout.String())
	if types(got) != "Info Error" ||
		got[0].MessageContent != "WARN: disk nearly full" ||
		got[1].MessageContent != "Cannot perform sync due to error: source does not exist" {
		t.Errorf("messages %+v", got)
	}
	if h.stderr.String() != "" {
		t.Errorf("stderr used in JSON mode")
	}
}

// Below the default level JSON drops what the reference's essential level drops: Progress and
// Info (warnings included).
func TestJSONEssentialAndQuietDropProgressAndInfo(t *testing.T) {
	for _, v := range []Verbosity{Essential, Quiet} {
		h := newHarness(Options{Format: JSON, Verbosity: v}, nil)
		h.r.Info("hidden")
		h.r.Warn("hidden too")
		h.r.Init("j", "")
		h.r.Progress(Stats{ScanComplete: true})
		h.r.Summary(Stats{ScanComplete: true, Status: Completed})
		h.r.Error(SyncFailedPrefix + "x")
		if got := types(messages(t, h.stdout.String())); got != "Init EndOfJob Error" {
			t.Errorf("level %v: types %q", v, got)
		}
	}
}

func TestJSONKeepsProtocolMessagesWhenQuiet(t *testing.T) {
	h := newHarness(Options{Format: JSON, Verbosity: Quiet, FromTo: parseFromTo(t, "LocalBlob")}, nil)
	h.r.Init("j", "")
	h.r.DryRunCopy("/a", "https://h/c/a", false)
	h.r.Summary(Stats{ScanComplete: true, Status: Completed})
	if got := types(messages(t, h.stdout.String())); got != "Init Dryrun EndOfJob" {
		t.Errorf("types %q", got)
	}
}

// A directory in a dry run's plan is a "Folder", as the reference names it.
func TestJSONDryRunNamesFolders(t *testing.T) {
	h := newHarness(Options{Format: JSON, FromTo: parseFromTo(t, "LocalFile")}, nil)
	h.r.DryRunCopy("/d/sub", "https://h/s/sub", true)
	h.r.DryRunRemove("https://h/s/old.txt", false)
	var got []string
	for _, m := range messages(t, h.stdout.String()) {
		var tx dryrunTransfer
		if err := json.Unmarshal([]byte(m.MessageContent), &tx); err != nil {
			t.Fatal(err)
		}
		got = append(got, tx.EntityType+" "+tx.Source)
	}
	if want := []string{"Folder /d/sub", "File https://h/s/old.txt"}; !slices.Equal(got, want) {
		t.Errorf("entities %q, want %q", got, want)
	}
}
