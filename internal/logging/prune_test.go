package logging

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Prune keeps the newest logs (this run's counted), those written to within the hour, and every
// file that is not azsync's.
func TestPruneKeepsNewestOwnLogs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, age time.Duration) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		when := time.Now().Add(-age)
		if err := os.Chtimes(path, when, when); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		l, err := Open(dir, fmt.Sprintf("old%d", i), Error)
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		when := time.Now().Add(-time.Duration(10-i) * time.Hour) // old0 oldest
		os.Chtimes(l.Path(), when, when)
	}
	write("recent.log", "2026/12/01 10:00:00.000000 azsync job recent, log level INFO\n", time.Minute)
	write("azcopy.log", "2026/12/01 10:00:00.000000 INFO: AzcopyVersion 10.32\n", 20*time.Hour)
	write("notes.txt", "", 20*time.Hour)
	l, err := Open(dir, "now", Info)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Keep 3: this run, recent.log, old3; old0..old2 go.
	n, err := l.Prune(3)
	if err != nil || n != 3 {
		t.Fatalf("Prune = %d, %v; want 3 removed", n, err)
	}
	ents, _ := os.ReadDir(dir)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if want := []string{"azcopy.log", "notes.txt", "now.log", "old3.log", "recent.log"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
	if n, err := l.Prune(0); n != 0 || err != nil {
		t.Errorf("Prune(0) = %d, %v; want nothing removed", n, err)
	}
}
