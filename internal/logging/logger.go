package logging

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// timeLayout is the reference's log line timestamp, with microseconds.
const timeLayout = "2006/01/02 15:04:05.000000"

// Logger writes one run's log file. It is safe for concurrent use. A nil
// *Logger, a logger at level None and a closed logger discard everything.
type Logger struct {
	level Level
	path  string

	mu   sync.Mutex
	f    *os.File      // nil once closed, or when nothing is logged
	w    *bufio.Writer // buffered: at INFO a run logs a line per transfer
	line []byte        // the line being written, reused
}

// Open creates <dir>/<jobID>.log (mode 0600, directory 0700) and returns a
// logger writing to it at level. An empty dir means ~/.azsync/logs; reading
// AZCOPY_LOG_LOCATION is the caller's job. At level None nothing is created.
func Open(dir, jobID string, level Level) (*Logger, error) {
	if level == None {
		return Discard(), nil
	}
	if jobID == "" || filepath.Base(jobID) != jobID { // no separators: stay inside dir
		return nil, fmt.Errorf("invalid job ID %q for a log file name", jobID)
	}
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("locating the default log folder: %w", err)
		}
		dir = filepath.Join(home, ".azsync", "logs")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the log folder: %w", err)
	}
	path := filepath.Join(dir, jobID+".log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the log file: %w", err)
	}
	l := &Logger{level: level, path: path, f: f, w: bufio.NewWriterSize(f, 64<<10)}
	// The first line, at every level, says the file is azsync's: Prune removes only such files.
	b := time.Now().UTC().AppendFormat(nil, timeLayout)
	// Written through at once, so that even a run killed early leaves a log Prune recognizes.
	_, _ = f.Write(fmt.Appendf(b, "%sjob %s, log level %s\n", identity, jobID, level))
	return l, nil
}

// Discard returns a logger that writes nothing.
func Discard() *Logger { return &Logger{level: None} }

// Path returns the log file's path, or "" when there is no file.
func (l *Logger) Path() string {
	if l == nil {
		return ""
	}
	return l.path
}

// Enabled reports whether a message at level would be written, so callers
// can skip building expensive messages.
func (l *Logger) Enabled(level Level) bool {
	return l != nil && level != None && level <= l.level
}

// Debugf logs at DEBUG.
func (l *Logger) Debugf(format string, args ...any) { l.logf(Debug, format, args...) }

// Infof logs at INFO.
func (l *Logger) Infof(format string, args ...any) { l.logf(Info, format, args...) }

// Warnf logs at WARNING.
func (l *Logger) Warnf(format string, args ...any) { l.logf(Warning, format, args...) }

// Errorf logs at ERROR.
func (l *Logger) Errorf(format string, args ...any) { l.logf(Error, format, args...) }

func (l *Logger) logf(level Level, format string, args ...any) {
	if l.Enabled(level) {
		l.write(level, fmt.Sprintf(format, args...))
	}
}

// write appends one redacted, timestamped line (UTC, as the reference logs). The line is built in
// a buffer the logger reuses: at INFO this runs once per file.
func (l *Logger) write(level Level, msg string) {
	msg = Redact(strings.TrimRight(msg, "\n"))
	now := time.Now().UTC()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return
	}
	b := now.AppendFormat(l.line[:0], timeLayout)
	b = append(append(append(append(b, ' '), level.String()...), ": "...), msg...)
	l.line = append(b, '\n')
	_, _ = l.w.Write(l.line) // a failing log must not fail the sync
	if level == Error {
		// Errors are rare and the ones worth reading after a crash.
		_ = l.w.Flush()
	}
}

// Close flushes and closes the log file. Later calls log nothing.
func (l *Logger) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := errors.Join(l.w.Flush(), l.f.Close())
	l.f, l.w = nil, nil
	return err
}
