package output

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/location"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var testTime = time.Date(2026, 11, 25, 20, 0, 0, 123456700, time.UTC)

type harness struct {
	r              *Reporter
	stdout, stderr *syncBuffer
}

// newHarness returns a Reporter writing to buffers, answering from stdin.
func newHarness(o Options, stdin io.Reader) harness {
	h := harness{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	o.Stdout, o.Stderr, o.Stdin = h.stdout, h.stderr, stdin
	o.Now = func() time.Time { return testTime }
	h.r = New(o)
	return h
}

// wireEnvelope is the JSON envelope as a consumer decodes it.
type wireEnvelope struct {
	TimeStamp      time.Time
	MessageType    string
	MessageContent string
	PromptDetails  struct {
		PromptType      string
		ResponseOptions []responseOption
		PromptTarget    string
	}
}

// messages decodes every line of JSON output, checking each is one envelope
// with its fields in the reference's order.
func messages(t *testing.T, out string) []wireEnvelope {
	t.Helper()
	var msgs []wireEnvelope
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if got, want := strings.Join(keys(t, line), ","), "TimeStamp,MessageType,MessageContent,PromptDetails"; got != want {
			t.Fatalf("envelope keys %s; want %s in %s", got, want, line)
		}
		var m wireEnvelope
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// keys returns a JSON object's top-level keys in document order.
func keys(t *testing.T, object string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(object))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %q", object)
	}
	var ks []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%q: %v", object, err)
		}
		ks = append(ks, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("%q: %v", object, err)
		}
	}
	return ks
}

func types(msgs []wireEnvelope) string {
	var ts []string
	for _, m := range msgs {
		ts = append(ts, m.MessageType)
	}
	return strings.Join(ts, " ")
}

// parseFromTo is the direction --from-to spells s.
func parseFromTo(t *testing.T, s string) location.FromTo {
	t.Helper()
	ft, err := location.ParseFromTo(s)
	if err != nil {
		t.Fatal(err)
	}
	return ft
}
