package syncer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"sync"
)

// deleteList holds the destination entries to delete once everything else has succeeded. Past
// spillAfter names it writes them to a temporary file, so a destination with millions of extra
// entries does not grow memory.
type deleteList struct {
	mu         sync.Mutex
	spillAfter int
	mem        []string
	file       *os.File
	w          *bufio.Writer
	spilled    int
	err        error
}

func newDeleteList(spillAfter int) *deleteList { return &deleteList{spillAfter: spillAfter} }

func (d *deleteList) add(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	if len(d.mem) < d.spillAfter {
		d.mem = append(d.mem, name)
		return
	}
	if d.file == nil {
		if d.file, d.err = os.CreateTemp("", "azsync-deletes-*"); d.err != nil {
			d.err = fmt.Errorf("spilling the list of deletions to a temporary file: %w", d.err)
			return
		}
		d.w = bufio.NewWriter(d.file)
	}
	// One JSON string per line: names may hold newlines.
	line, _ := json.Marshal(name)
	if _, err := d.w.Write(append(line, '\n')); err != nil {
		d.err = fmt.Errorf("spilling the list of deletions: %w", err)
		return
	}
	d.spilled++
}

func (d *deleteList) len() int { return len(d.mem) + d.spilled }

// all yields every name: those kept in memory, then those spilled.
func (d *deleteList) all() iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if d.err != nil {
			yield("", d.err)
			return
		}
		for _, name := range d.mem {
			if !yield(name, nil) {
				return
			}
		}
		if d.file == nil {
			return
		}
		if err := d.w.Flush(); err != nil {
			yield("", err)
			return
		}
		if _, err := d.file.Seek(0, 0); err != nil {
			yield("", err)
			return
		}
		sc := bufio.NewScanner(d.file)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var name string
			if err := json.Unmarshal(sc.Bytes(), &name); err != nil {
				yield("", fmt.Errorf("reading back the list of deletions: %w", err))
				return
			}
			if !yield(name, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield("", err)
		}
	}
}

// close removes the spill file.
func (d *deleteList) close() {
	if d.file != nil {
		d.file.Close()
		os.Remove(d.file.Name())
	}
}
