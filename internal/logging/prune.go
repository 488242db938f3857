package logging

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// identity follows the timestamp on the first line of every log azsync writes ("2026/12/01
// 10:00:00.000000 azsync job <id>, log level INFO"). A log folder may be shared with the reference,
// whose logs are named <job id>.log too: Prune tells azsync's apart by this line alone.
const identity = " azsync "

// DefaultKeep is how many runs' logs Prune keeps when the user does not say (AZSYNC_LOG_KEEP). The
// reference keeps every log until `azcopy jobs clean`; a sync run from cron every few minutes would
// fill a disk with them, so azsync keeps the last 100 runs.
const DefaultKeep = 100

// busyFor protects the logs of runs that may still be going (shards sharing one folder): a log
// written to within this long is never pruned, however many newer ones there are.
const busyFor = time.Hour

// Prune removes azsync's older logs from the folder of this logger's log, keeping the newest keep
// (this run's included) and any written to in the last hour; keep 0 keeps every log. Files that are
// not azsync logs are never touched. It returns how many it removed.
func (l *Logger) Prune(keep int) (int, error) {
	if l.Path() == "" || keep <= 0 {
		return 0, nil
	}
	logs, err := ownLogs(filepath.Dir(l.path), l.path)
	if len(logs) < keep {
		return 0, err
	}
	// Newest first; this run's log is the newest of all and is not in the list.
	slices.SortFunc(logs, func(a, b oldLog) int { return b.mtime.Compare(a.mtime) })
	removed := 0
	for _, lg := range logs[keep-1:] {
		if time.Since(lg.mtime) < busyFor {
			continue
		}
		if rmErr := os.Remove(lg.path); rmErr != nil && !errors.Is(rmErr, os.ErrNotExist) {
			err = errors.Join(err, rmErr)
			continue
		}
		removed++
	}
	return removed, err
}

type oldLog struct {
	path  string
	mtime time.Time
}

// ownLogs lists the *.log files in dir that azsync wrote, but for current.
func ownLogs(dir, current string) ([]oldLog, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var logs []oldLog
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".log") || path == current || !isOwn(path) {
			continue
		}
		if info, err := e.Info(); err == nil {
			logs = append(logs, oldLog{path, info.ModTime()})
		}
	}
	return logs, nil
}

// isOwn reads the start of the file at path: an azsync log begins with a timestamp and identity.
func isOwn(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, len(timeLayout)+len(identity))
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	_, err = time.Parse(timeLayout, string(head[:len(timeLayout)]))
	return err == nil && bytes.Equal(head[len(timeLayout):], []byte(identity))
}
