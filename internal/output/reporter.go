package output

import (
	"bufio"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/azsync/azsync/internal/logging"
)

// Wordings the reference puts before the fatal error, for callers of Error.
const (
	SyncFailedPrefix = "Cannot perform sync due to error: "
	BadInputPrefix   = "error parsing the input given by the user. Failed with error "
)

// clearToEOL is the ANSI sequence erasing the rest of a terminal line.
const clearToEOL = "\x1b[K"

// Reporter prints one run's output. It is safe for concurrent use; output
// errors (a closed pipe) are ignored, as fmt.Println would.
type Reporter struct {
	o Options

	mu sync.Mutex
	// in reads every prompt answer: one buffer for the whole run, so that
	// answers typed ahead are neither lost nor read twice.
	in *bufio.Reader
	// pending delivers the line a read in progress gets (see readLine); nil when none is.
	pending chan lineRead
	// live is the progress line drawn at the bottom of the terminal, "" if
	// none; other text is printed above it.
	live         string
	progressSent bool // a JSON Progress message went out
	announced    bool // Init printed
	// last tick's counters, for the "2-sec" throughput
	lastBytes   int64
	lastElapsed time.Duration
}

// New returns a Reporter for o.
func New(o Options) *Reporter {
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ProgressInterval <= 0 {
		o.ProgressInterval = 2 * time.Second
	}
	return &Reporter{o: o, in: bufio.NewReader(o.Stdin)}
}

// Info prints an informational line: "INFO: msg" on stdout, or a JSON Info
// message with that text. Only at the default output level.
func (r *Reporter) Info(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.info(msg)
}

func (r *Reporter) info(msg string) {
	if r.o.Verbosity == Default {
		r.say(r.o.Stdout, "INFO: "+msg)
	}
}

// Warn prints "WARN: msg" (the reference's prefix) on stderr, or as a JSON
// Info message as the reference does. Not at the quiet output level.
func (r *Reporter) Warn(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.Verbosity != Quiet {
		r.say(r.o.Stderr, "WARN: "+msg)
	}
}

// Error reports the run's single fatal error, at every output level: msg on
// stderr, or one JSON Error message. msg is printed as given; the reference
// starts it with SyncFailedPrefix or BadInputPrefix.
func (r *Reporter) Error(msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.o.Format == JSON {
		r.json(msgError, msg+r.o.Shard.errorSuffix(), promptDetails{})
		return
	}
	r.endLive()
	r.put(r.o.Stderr, msg+"\n")
}

// Init announces the job as the reference does: "Job <id> has started" and
// "Log file is located at: <path>" (when there is a log), or a JSON Init
// message. Only the first call prints: a run that waits for an endpoint
// announces itself early (see EarlyInit).
func (r *Reporter) Init(jobID, logPath string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.announced {
		return
	}
	r.announced = true
	if r.o.Format == JSON {
		r.json(msgInit, mustJSON(initContent{LogFileLocation: logPath, JobID: jobID, Shard: r.o.Shard}), promptDetails{})
		return
	}
	if r.o.Verbosity == Quiet {
		return
	}
	var b strings.Builder
	b.WriteString("\nJob " + jobID + " has started\n")
	if logPath != "" {
		b.WriteString("Log file is located at: " + logPath + "\n")
	}
	b.WriteString("\n")
	r.text(r.o.Stdout, b.String())
}

// EarlyInit announces the job before its endpoints are known to be usable,
// in text only: a person waiting on retries then sees the job and where its
// log is first. JSON keeps Init for a job that started, so that a run failing
// there still ends in a single Error.
func (r *Reporter) EarlyInit(jobID, logPath string) {
	if r.o.Format == Text {
		r.Init(jobID, logPath)
	}
}

// say prints a line of prose: on w as text, or as a JSON Info message.
func (r *Reporter) say(w io.Writer, line string) {
	if r.o.Format == JSON {
		r.json(msgInfo, line, promptDetails{})
		return
	}
	r.text(w, line+"\n")
}

// text prints whole lines on w, keeping a terminal's progress line below them.
func (r *Reporter) text(w io.Writer, s string) {
	if r.live == "" {
		r.put(w, s)
		return
	}
	r.put(r.o.Stdout, "\r"+clearToEOL)
	r.put(w, s)
	r.put(r.o.Stdout, r.live)
}

// endLive moves past the terminal's progress line so it stays on screen.
func (r *Reporter) endLive() {
	if r.live != "" {
		r.put(r.o.Stdout, "\n")
		r.live = ""
	}
}

// json prints one message of --output-type=json. Below the default output
// level, Progress and Info (which carries warnings too) are not printed: the
// reference's essential level drops exactly those.
func (r *Reporter) json(msgType, content string, pd promptDetails) {
	if r.o.Verbosity != Default && (msgType == msgProgress || msgType == msgInfo) {
		return
	}
	r.put(r.o.Stdout, mustJSON(envelope{
		TimeStamp:      r.o.Now(),
		MessageType:    msgType,
		MessageContent: content,
		PromptDetails:  pd,
	})+"\n")
}

// put is the single place output is written: everything is redacted here.
// Redacting encoded JSON is safe: secret values end at a quote or backslash,
// so escape sequences and the document's validity are untouched.
func (r *Reporter) put(w io.Writer, s string) {
	_, _ = io.WriteString(w, logging.Redact(s))
}
