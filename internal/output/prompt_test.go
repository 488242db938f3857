package output

import (
	"context"
	"io"
	"strings"
	"testing"
)

const question = "The Blob 'old/a.txt' does not exist at the source. Do you wish to delete it from the destination(https://acct.blob.core.windows.net/c)?"
const choices = " Please confirm with: [Y] Yes  [N] No  [A] Yes for all  [L] No for all "

func prompt(t *testing.T, h harness) (Answer, error) {
	t.Helper()
	return h.r.PromptDelete(context.Background(), "old/a.txt", "https://acct.blob.core.windows.net/c")
}

func TestPromptTypedAhead(t *testing.T) {
	h := newHarness(Options{FromTo: parseFromTo(t, "LocalBlob")}, strings.NewReader("a\n"))
	if got, err := prompt(t, h); got != YesForAll || err != nil {
		t.Fatalf("PromptDelete = %v, %v; want YesForAll", got, err)
	}
	want := question + choices + "\n" + "INFO: Confirmed. All the extra Blobs will be deleted.\n"
	if got := h.stdout.String(); got != want {
		t.Errorf("stdout\n got %q\nwant %q", got, want)
	}
}

// Answers arriving in one read (typed ahead, or piped) serve successive prompts.
func TestPromptsReadSuccessiveLines(t *testing.T) {
	pr, pw := io.Pipe()
	go func() {
		_, _ = io.WriteString(pw, "y\nNo\nYES FOR ALL\nl\n")
		_ = pw.Close()
	}()
	h := newHarness(Options{FromTo: parseFromTo(t, "LocalBlob")}, pr)
	for _, want := range []Answer{Yes, No, YesForAll, NoForAll} {
		if got, err := prompt(t, h); got != want || err != nil {
			t.Fatalf("PromptDelete = %v, %v; want %v", got, err, want)
		}
	}
	if _, err := prompt(t, h); err == nil || err.Error() != "no answer on standard input" {
		t.Errorf("after the last line: %v; want the end-of-input error", err)
	}
}

func TestPromptAsksAgainOnJunk(t *testing.T) {
	h := newHarness(Options{FromTo: parseFromTo(t, "LocalBlob")}, strings.NewReader("maybe\n\n  N  \n"))
	if got, err := prompt(t, h); got != No || err != nil {
		t.Fatalf("PromptDelete = %v, %v; want No", got, err)
	}
	want := strings.Repeat(question+choices+"\n", 3) + "INFO: Keeping extra Blob: old/a.txt\n"
	if got := h.stdout.String(); got != want {
		t.Errorf("stdout\n got %q\nwant %q", got, want)
	}
}

func TestPromptEndOfInput(t *testing.T) {
	for in, want := range map[string]Answer{"": No, "junk": No, "y": Yes} {
		h := newHarness(Options{}, strings.NewReader(in))
		got, err := prompt(t, h)
		if got != want || (want == No) != (err != nil) {
			t.Errorf("input %q: PromptDelete = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestPromptWording(t *testing.T) {
	for fromTo, kind := range map[string]string{"BlobLocal": "local file", "FileFile": "File", "": "file"} {
		h := newHarness(Options{FromTo: parseFromTo(t, fromTo)}, strings.NewReader("n\n"))
		_, _ = prompt(t, h)
		if !strings.HasPrefix(h.stdout.String(), "The "+kind+" 'old/a.txt' does not exist") {
			t.Errorf("%s: %q", fromTo, h.stdout.String())
		}
	}
}

func TestPromptClearsTerminalProgress(t *testing.T) {
	h := newHarness(Options{Terminal: true, FromTo: parseFromTo(t, "LocalBlob")}, strings.NewReader("y\n"))
	s := Stats{ScanComplete: true}
	h.r.Progress(s)
	_, _ = prompt(t, h)
	stop := h.r.StartProgress(context.Background(), func() Stats { return s })
	stop()
	line := progressText(s, 0)
	want := "\r" + line + clearToEOL + "\r" + clearToEOL + question + choices + // the user's Enter ends the line
		"\r" + line + clearToEOL + // StartProgress's first line
		"\r" + line + clearToEOL + "\n" // stop's last one
	if got := h.stdout.String(); got != want {
		t.Errorf("stdout\n got %q\nwant %q", got, want)
	}
}

func TestPromptJSON(t *testing.T) {
	h := newHarness(Options{Format: JSON, FromTo: parseFromTo(t, "LocalBlob")}, strings.NewReader("x\nl\n"))
	if got, err := prompt(t, h); got != NoForAll || err != nil {
		t.Fatalf("PromptDelete = %v, %v", got, err)
	}
	msgs := messages(t, h.stdout.String())
	if types(msgs) != "Prompt Prompt Info" {
		t.Fatalf("types %q", types(msgs))
	}
	p := msgs[0]
	if p.MessageContent != question || p.PromptDetails.PromptType != "DeleteDestination" ||
		p.PromptDetails.PromptTarget != "old/a.txt" {
		t.Errorf("prompt %+v", p)
	}
	wantOptions := `[{"ResponseType":"Yes","UserFriendlyResponseType":"Yes","ResponseString":"y"},` +
		`{"ResponseType":"No","UserFriendlyResponseType":"No","ResponseString":"n"},` +
		`{"ResponseType":"YesForAll","UserFriendlyResponseType":"Yes for all","ResponseString":"a"},` +
		`{"ResponseType":"NoForAll","UserFriendlyResponseType":"No for all","ResponseString":"l"}]`
	if got := mustJSON(p.PromptDetails.ResponseOptions); got != wantOptions {
		t.Errorf("options %s", got)
	}
	if msgs[2].MessageContent != "INFO: No deletions will happen from now onwards." {
		t.Errorf("follow-up %q", msgs[2].MessageContent)
	}
}

// A cancelled question returns at once; the line typed afterwards answers the next question.
func TestPromptCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	h := newHarness(Options{FromTo: parseFromTo(t, "LocalBlob")}, pr)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got, err := h.r.PromptDelete(ctx, "old/a.txt", "https://acct.blob.core.windows.net/c"); got != No || err != context.Canceled {
		t.Fatalf("cancelled PromptDelete = %v, %v; want No, context.Canceled", got, err)
	}
	go func() { _, _ = io.WriteString(pw, "y\n") }()
	if got, err := prompt(t, h); got != Yes || err != nil {
		t.Fatalf("next PromptDelete = %v, %v; want Yes", got, err)
	}
}
