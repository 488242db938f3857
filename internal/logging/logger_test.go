package logging

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// readLog closes l and returns what was logged after the first line, which says whose log it is.
func readLog(t *testing.T, l *Logger) string {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(l.Path())
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(b), "\n")
	if !regexp.MustCompile(`^[0-9/]{10} [0-9:.]{15} azsync job \S+, log level [A-Z]+$`).MatchString(first) {
		t.Errorf("first line %q does not say it is azsync's log", first)
	}
	return rest
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs", "nested")
	l, err := Open(dir, "job-1", Info)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "job-1.log"); l.Path() != want {
		t.Errorf("Path() = %q; want %q", l.Path(), want)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700, l.Path(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != mode {
			t.Errorf("%s has mode %v; want %v", path, fi.Mode().Perm(), mode)
		}
	}
	_ = l.Close()
}

func TestOpenDefaultsToHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	l, err := Open("", "job", Error)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if want := filepath.Join(home, ".azsync", "logs", "job.log"); l.Path() != want {
		t.Errorf("Path() = %q; want %q", l.Path(), want)
	}
}

func TestOpenRejectsPathInJobID(t *testing.T) {
	for _, id := range []string{"", "../x", "a/b"} {
		if _, err := Open(t.TempDir(), id, Info); err == nil {
			t.Errorf("Open with job ID %q succeeded", id)
		}
	}
}

func TestLevelNoneCreatesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	l, err := Open(dir, "job", None)
	if err != nil {
		t.Fatal(err)
	}
	l.Errorf("nothing")
	if l.Path() != "" || l.Enabled(Error) {
		t.Errorf("Path() = %q, Enabled(Error) = %v; want no file", l.Path(), l.Enabled(Error))
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("log folder created at level None: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}

func TestNilAndDiscardAreNoOps(t *testing.T) {
	var nilLogger *Logger
	for _, l := range []*Logger{nilLogger, Discard()} {
		l.Errorf("x")
		if l.Enabled(Error) || l.Path() != "" || l.Close() != nil || l.SDKListener() != nil {
			t.Errorf("%#v is not a no-op", l)
		}
	}
}

func TestLinesFilteredFormattedAndRedacted(t *testing.T) {
	l, err := Open(t.TempDir(), "job", Warning)
	if err != nil {
		t.Fatal(err)
	}
	l.Debugf("debug %d", 1)
	l.Infof("info")
	l.Warnf("slow %s", "https://h/c/x?sv=1&sig=SECRETSECRET")
	l.Errorf("failed\n")
	got := readLog(t, l)
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	line := regexp.MustCompile(`^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} (WARNING|ERROR): (.*)$`)
	if len(lines) != 2 {
		t.Fatalf("log = %q; want the WARNING and ERROR lines only", got)
	}
	for i, want := range []string{"slow https://h/c/x?sv=1&sig=REDACTED", "failed"} {
		m := line.FindStringSubmatch(lines[i])
		if m == nil || m[2] != want {
			t.Errorf("line %d = %q; want a timestamped line ending %q", i, lines[i], want)
		}
	}
	l.Errorf("after close") // must not panic
}

func TestConcurrentWritesKeepLinesWhole(t *testing.T) {
	l, err := Open(t.TempDir(), "job", Info)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				l.Infof("worker %d line %d %s", g, i, strings.Repeat("x", 100))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(readLog(t, l), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines; want 1600", len(lines))
	}
	whole := regexp.MustCompile(`INFO: worker \d line \d+ x{100}$`)
	for _, s := range lines {
		if !whole.MatchString(s) {
			t.Fatalf("torn line %q", s)
		}
	}
}
