package output

import (
	"os"
	"strings"
	"sync"
	"testing"
)

func TestParseFormatAndVerbosity(t *testing.T) {
	for in, want := range map[string]Format{"text": Text, "JSON": JSON, "Json": JSON} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	for in, want := range map[string]Verbosity{"default": Default, "ESSENTIAL": Essential, "quiet": Quiet} {
		if got, err := ParseVerbosity(in); err != nil || got != want {
			t.Errorf("ParseVerbosity(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "text, json") {
		t.Errorf("ParseFormat(yaml) error = %v", err)
	}
	if _, err := ParseVerbosity("loud"); err == nil || !strings.Contains(err.Error(), "default, essential, quiet") {
		t.Errorf("ParseVerbosity(loud) error = %v", err)
	}
}

func TestJobStatusNames(t *testing.T) {
	want := []string{"InProgress", "Completed", "CompletedWithErrors", "Failed", "Cancelled"}
	for s := InProgress; s <= Cancelled; s++ {
		if s.String() != want[s] {
			t.Errorf("%d.String() = %q; want %q", s, s.String(), want[s])
		}
	}
}

func TestInitText(t *testing.T) {
	h := newHarness(Options{}, nil)
	h.r.Init("job-1", "/logs/job-1.log")
	h2 := newHarness(Options{}, nil)
	h2.r.Init("job-2", "")
	want := "\nJob job-1 has started\nLog file is located at: /logs/job-1.log\n\n" +
		"\nJob job-2 has started\n\n"
	if got := h.stdout.String() + h2.stdout.String(); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestErrorText(t *testing.T) {
	h := newHarness(Options{Verbosity: Quiet, Terminal: true}, nil)
	h.r.Error(BadInputPrefix + "unknown --from-to")
	if got := h.stderr.String(); got != "error parsing the input given by the user. Failed with error unknown --from-to\n" {
		t.Errorf("stderr = %q", got)
	}
}

func TestDryRunText(t *testing.T) {
	h := newHarness(Options{DryRun: true, FromTo: parseFromTo(t, "LocalBlob")}, nil)
	h.r.DryRunCopy("/data/a b.txt", "https://acct.blob.core.windows.net/c/a b.txt", false)
	h.r.DryRunRemove("https://acct.blob.core.windows.net/c/old.txt", false)
	want := "DRYRUN: copy /data/a b.txt to https://acct.blob.core.windows.net/c/a b.txt\n" +
		"DRYRUN: remove https://acct.blob.core.windows.net/c/old.txt\n"
	if got := h.stdout.String(); got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}

func TestDryRunJSON(t *testing.T) {
	for _, tc := range []struct {
		fromTo, copyWant, removeWant string
	}{
		{"LocalBlob",
			`{"EntityType":"File","BlobType":"Detect","FromTo":"LocalBlob","Source":"S","Destination":"D"}`,
			`{"EntityType":"File","BlobType":"BlockBlob","FromTo":"BlobTrash","Source":"D","Destination":""}`},
		{"BlobLocal",
			`{"EntityType":"File","BlobType":"BlockBlob","FromTo":"BlobLocal","Source":"S","Destination":"D"}`,
			`{"EntityType":"File","BlobType":"Detect","FromTo":"LocalTrash","Source":"D","Destination":""}`},
		{"FileFile",
			`{"EntityType":"File","BlobType":"Detect","FromTo":"FileFile","Source":"S","Destination":"D"}`,
			`{"EntityType":"File","BlobType":"Detect","FromTo":"FileTrash","Source":"D","Destination":""}`},
	} {
		h := newHarness(Options{Format: JSON, DryRun: true, FromTo: parseFromTo(t, tc.fromTo)}, nil)
		h.r.DryRunCopy("S", "D", false)
		h.r.DryRunRemove("D", false)
		msgs := messages(t, h.stdout.String())
		if types(msgs) != "Dryrun Dryrun" || msgs[0].MessageContent != tc.copyWant || msgs[1].MessageContent != tc.removeWant {
			t.Errorf("%s: %+v", tc.fromTo, msgs)
		}
	}
}

// Spellings azsync does not know ("BlobFS", "S3Blob") no longer reach output: FromTo is typed,
// and location.ParseFromTo refuses them.
func TestLocations(t *testing.T) {
	for in, want := range map[string][2]string{
		"LocalBlob": {"Local", "Blob"}, "BlobBlob": {"Blob", "Blob"}, "FileLocal": {"File", "Local"}, "": {},
	} {
		if from, to := locations(parseFromTo(t, in)); from != want[0] || to != want[1] {
			t.Errorf("locations(%q) = %q, %q", in, from, to)
		}
	}
}

// What each output level shows in text.
func TestTextVerbosity(t *testing.T) {
	type shown struct{ init, info, warn, progress, dryRun, summary, err bool }
	for v, want := range map[Verbosity]shown{
		Default:   {true, true, true, true, true, true, true},
		Essential: {true, false, true, false, true, true, true},
		Quiet:     {false, false, false, false, false, false, true},
	} {
		h := newHarness(Options{Verbosity: v}, nil)
		h.r.Init("job", "")
		h.r.Info("info")
		h.r.Warn("warn")
		h.r.Progress(Stats{ScanComplete: true})
		h.r.DryRunCopy("src", "dst", false)
		h.r.Summary(Stats{JobID: "job"})
		h.r.Error("fatal")
		out := h.stdout.String() + h.stderr.String()
		got := shown{
			strings.Contains(out, "has started"), strings.Contains(out, "INFO: info"),
			strings.Contains(out, "WARN: warn"), strings.Contains(out, "Done,"),
			strings.Contains(out, "DRYRUN:"), strings.Contains(out, "Summary"), strings.Contains(out, "fatal"),
		}
		if got != want {
			t.Errorf("verbosity %v shows %+v; want %+v", v, got, want)
		}
	}
}

func TestConcurrentCallersKeepLinesWhole(t *testing.T) {
	h := newHarness(Options{}, nil)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				h.r.Info("a line long enough to be torn if writes interleaved")
				h.r.Progress(Stats{ScanComplete: true})
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(h.stdout.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines; want 1600", len(lines))
	}
	for _, l := range lines {
		if l != "INFO: a line long enough to be torn if writes interleaved" && !strings.HasPrefix(l, "100.0 %, 0 Done") {
			t.Fatalf("torn line %q", l)
		}
	}
}

func TestIsTerminal(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Skip(err)
	}
	defer null.Close()
	if !IsTerminal(null) {
		t.Error("a character device is not taken for a terminal")
	}
}

// A job announced early (retries while opening its endpoints) is announced once; JSON waits for
// the job to start.
func TestEarlyInitAnnouncesOnce(t *testing.T) {
	h := newHarness(Options{}, nil)
	h.r.EarlyInit("j", "/l/j.log")
	h.r.Init("j", "/l/j.log")
	if got := strings.Count(h.stdout.String(), "Job j has started"); got != 1 {
		t.Errorf("announced %d times:\n%s", got, h.stdout.String())
	}
	hj := newHarness(Options{Format: JSON}, nil)
	hj.r.EarlyInit("j", "/l/j.log")
	if hj.stdout.String() != "" {
		t.Errorf("JSON announced early: %q", hj.stdout.String())
	}
	hj.r.Init("j", "/l/j.log")
	if got := types(messages(t, hj.stdout.String())); got != "Init" {
		t.Errorf("JSON types %q", got)
	}
}
