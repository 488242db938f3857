package output

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const secret = "SeCrEtSiGnAtUrE0123"

// Every kind of message hides a SAS signature, in text and in JSON.
func TestEverythingIsRedacted(t *testing.T) {
	sas := "https://acct.blob.core.windows.net/c/a+b&c.txt?sv=2024-05-04&sp=rl&sig=" + secret
	s := finished
	s.JobID = "job?sig=" + secret
	s.FailedTransfers = []Failure{{Src: sas, Dst: "/d/x", Err: `PUT "` + sas + `" failed: Authorization: Bearer ` + secret}}
	for _, format := range []Format{Text, JSON} {
		h := newHarness(Options{Format: format, FromTo: parseFromTo(t, "BlobLocal")}, strings.NewReader("y\n"))
		h.r.Info("listing " + sas)
		h.r.Warn("slow " + sas)
		h.r.Init(s.JobID, "/logs/"+sas)
		h.r.DryRunCopy(sas, "/d/x", false)
		h.r.DryRunRemove(sas, false)
		_, _ = h.r.PromptDelete(context.Background(), "x?sig="+secret, sas)
		h.r.Progress(s)
		h.r.Summary(s)
		h.r.Error("Cannot perform sync due to error: GET " + sas)
		out := h.stdout.String() + h.stderr.String()
		if strings.Contains(out, secret) {
			t.Errorf("%v output holds the signature:\n%s", format, out)
		}
		if n := strings.Count(out, "sig=REDACTED"); n < 9 {
			t.Errorf("%v: %d redacted signatures; want one per message at least", format, n)
		}
		if format == JSON {
			for _, m := range messages(t, h.stdout.String()) {
				if strings.HasPrefix(m.MessageContent, "{") && !json.Valid([]byte(m.MessageContent)) {
					t.Errorf("content no longer JSON: %s", m.MessageContent)
				}
			}
		}
	}
}
