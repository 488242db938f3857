package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/azsync/azsync/internal/location"
)

// Answer is the user's reply to a deletion prompt. The zero Answer is No, so
// a caller ignoring an error deletes nothing.
type Answer int

// The deletion prompt's answers.
const (
	No        Answer = iota // keep this entry
	Yes                     // delete this entry
	NoForAll                // keep this and every further entry: stop asking
	YesForAll               // delete this and every further entry: stop asking
)

// deleteOptions are the reference's four choices, in its order.
var deleteOptions = []responseOption{
	{"Yes", "Yes", "y"},
	{"No", "No", "n"},
	{"YesForAll", "Yes for all", "a"},
	{"NoForAll", "No for all", "l"},
}

var answerOf = map[string]Answer{"Yes": Yes, "No": No, "YesForAll": YesForAll, "NoForAll": NoForAll}

// errNoAnswer is returned when standard input ends before an answer.
var errNoAnswer = errors.New("no answer on standard input")

// PromptDelete asks whether to delete target (a path relative to the
// destination dest), which the source lacks, in the reference's words:
//
//	The Blob 'a/b.txt' does not exist at the source. Do you wish to delete it from the destination(https://…)? Please confirm with: [Y] Yes  [N] No  [A] Yes for all  [L] No for all
//
// or as a JSON Prompt message (PromptType DeleteDestination). It reads one
// line of standard input per question: y, n, a, l or the choice's name, in
// any case; anything else asks again. At the end of input it returns an
// error, and when ctx ends (Ctrl-C, SIGTERM) it stops waiting and returns
// ctx's error. Unlike the reference, which takes an unknown answer as "no", it
// asks again; like it, it then says what it will do (an Info message).
// Other output waits while the question is open.
func (r *Reporter) PromptDelete(ctx context.Context, target, dest string) (Answer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	kind := entryKind(r.o.FromTo)
	question := fmt.Sprintf("The %s '%s' does not exist at the source. Do you wish to delete it from the destination(%s)?",
		kind, target, dest)
	for {
		r.ask(question, target)
		line, err := r.readLine(ctx)
		if ctx.Err() != nil {
			if r.o.Format == Text {
				r.put(r.o.Stdout, "\n") // the summary starts on a line of its own
			}
			return No, ctx.Err()
		}
		if r.o.Format == Text && !r.o.Terminal {
			// Nobody pressed Enter on a terminal: end the prompt's line.
			r.put(r.o.Stdout, "\n")
		}
		if line == "" && err != nil {
			if errors.Is(err, io.EOF) {
				return No, errNoAnswer
			}
			return No, fmt.Errorf("reading the answer: %w", err)
		}
		answer, ok := parseAnswer(line)
		if !ok {
			continue
		}
		switch answer {
		case YesForAll:
			r.info(fmt.Sprintf("Confirmed. All the extra %ss will be deleted.", kind))
		case No:
			r.info(fmt.Sprintf("Keeping extra %s: %s", kind, target))
		case NoForAll:
			r.info("No deletions will happen from now onwards.")
		}
		return answer, nil
	}
}

// readLine reads one line of standard input, or gives up when ctx ends. A read cannot be
// interrupted, so it runs in a goroutine; one abandoned by a cancelled question is the one the next
// question takes over, so no line is lost or read twice.
func (r *Reporter) readLine(ctx context.Context) (string, error) {
	if r.pending == nil {
		ch := make(chan lineRead, 1)
		r.pending = ch
		go func() {
			line, err := r.in.ReadString('\n')
			ch <- lineRead{line, err}
		}()
	}
	select {
	case got := <-r.pending:
		r.pending = nil
		return got.line, got.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

type lineRead struct {
	line string
	err  error
}

// ask prints the question: without a newline in text, so the answer is typed
// after it, on the line the progress line was on.
func (r *Reporter) ask(question, target string) {
	if r.o.Format == JSON {
		r.json(msgPrompt, question, promptDetails{
			PromptType: "DeleteDestination", ResponseOptions: deleteOptions, PromptTarget: target,
		})
		return
	}
	if r.live != "" {
		r.put(r.o.Stdout, "\r"+clearToEOL)
		r.live = ""
	}
	var b strings.Builder
	b.WriteString(question + " Please confirm with:")
	for _, o := range deleteOptions {
		fmt.Fprintf(&b, " [%s] %s ", strings.ToUpper(o.ResponseString), o.UserFriendlyResponseType)
	}
	r.put(r.o.Stdout, b.String())
}

func parseAnswer(line string) (Answer, bool) {
	s := strings.TrimSpace(line)
	for _, o := range deleteOptions {
		if strings.EqualFold(s, o.ResponseString) || strings.EqualFold(s, o.UserFriendlyResponseType) ||
			strings.EqualFold(s, o.ResponseType) {
			return answerOf[o.ResponseType], true
		}
	}
	return No, false
}

// entryKind names a destination entry as the reference's prompt does: "local
// file" for a download, else the service ("Blob", "File").
func entryKind(fromTo location.FromTo) string {
	switch _, to := locations(fromTo); to {
	case "Local":
		return "local file"
	case "":
		return "file"
	default:
		return to
	}
}
