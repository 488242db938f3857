package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPromptObeysSignals: a run waiting at the deletion prompt on standard input stops at SIGINT or
// SIGTERM, deletes nothing, and says the job was cancelled (a user's Ctrl-C, or `timeout`).
func TestPromptObeysSignals(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cname, _ := newTestContainer(t, "prompt")
			uploadBlob(t, cname, "a.txt", []byte("kept\n"))
			dst := t.TempDir()
			extra := filepath.Join(dst, "extra.txt")
			if err := os.WriteFile(extra, []byte("only here\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Nobody answers: the write end stays open and silent.
			stdin, answer, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer answer.Close()
			defer stdin.Close()
			p := startAzsyncIn(t, stdin, "sync", azurite.Endpoint+"/"+cname+"?"+sas, dst,
				"--from-to=BlobLocal", "--delete-destination=prompt")
			p.waitUntil(t, "the deletion prompt is shown", func() bool {
				return strings.Contains(p.out.String(), "Do you wish to delete it from the destination")
			})
			code, out := p.signal(t, sig)
			checkInterrupted(t, code, out)
			if _, err := os.Stat(extra); err != nil {
				t.Errorf("extra.txt is gone after an interrupted prompt: %v", err)
			}
			if !strings.Contains(out, "[L] No for all \n") {
				t.Errorf("the summary does not start on a line of its own:\n%s", out)
			}
		})
	}
}
