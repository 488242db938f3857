package logging

import (
	"testing"

	"github.com/azsync/azsync/internal/location"
)

// The user-facing URL path (location.RedactURL) and the log path (Redact)
// share one rule for which query parameters are secret: the same URLs come
// out the same from both.
func TestLocationAndLoggingRedactTheSameQuerySecrets(t *testing.T) {
	for _, in := range []string{
		"https://a.blob.core.windows.net/c/x?sv=2024-05-04&se=2026&sig=AbC%2Bd%3D&sp=r",
		"https://a/c?SIG=abc&restype=container&comp=list",
		"https://a/c?Sig=abc&sig=def",
		`Put "https://a/c?se=1&sig=abc": dial tcp: refused`,
		"https://a/c?restype=container&sv=1&sp=rl",
	} {
		if loc, log := location.RedactURL(in), Redact(in); loc != log {
			t.Errorf("%q: location.RedactURL gives %q, logging.Redact gives %q", in, loc, log)
		}
	}
	if got := Redact("https://a/c?restype=container"); got != "https://a/c?restype=container" {
		t.Errorf("restype redacted: %q", got)
	}
}
