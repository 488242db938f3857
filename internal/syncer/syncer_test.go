package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
)

// memStore is an in-memory store for testing the walk and the plan: files by name, directories implied.
type memStore struct {
	mu      sync.Mutex
	files   map[string]memFile
	failPut map[string]bool
	failDir string // listing this directory fails
	ops     []string
}

type memFile struct {
	data  string
	mtime time.Time
}

func newMem(files map[string]memFile) *memStore {
	return &memStore{files: files, failPut: map[string]bool{}}
}

func (m *memStore) List(_ context.Context, dir string) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		if dir == m.failDir && m.failDir != "" {
			yield(store.Entry{}, errors.New("listing refused"))
			return
		}
		m.mu.Lock()
		seen := map[string]store.Entry{}
		prefix := ""
		if dir != "" {
			prefix = dir + "/"
		}
		for name, f := range m.files {
			rest, ok := strings.CutPrefix(name, prefix)
			if !ok {
				continue
			}
			if i := strings.IndexByte(rest, '/'); i >= 0 {
				seen[rest[:i]+"/"] = store.Entry{Name: prefix + rest[:i], IsDir: true}
			} else {
				seen[rest] = store.Entry{Name: name, Size: int64(len(f.data)), ModTime: f.mtime}
			}
		}
		m.mu.Unlock()
		entries := slices.Collect(func(y func(store.Entry) bool) {
			for _, e := range seen {
				if !y(e) {
					return
				}
			}
		})
		slices.SortFunc(entries, func(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) })
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func (m *memStore) Stat(_ context.Context, name string) (store.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.files[name]
	if !ok {
		return store.Entry{}, store.ErrNotExist
	}
	return store.Entry{Name: name, Size: int64(len(f.data)), ModTime: f.mtime}, nil
}

type memSource string

func (s memSource) ReadAt(_ context.Context, p []byte, off int64) error {
	copy(p, s[off:])
	return nil
}
func (s memSource) Close() error { return nil }

func (m *memStore) Open(_ context.Context, e store.Entry) (store.Source, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return memSource(m.files[e.Name].data), nil
}

func (m *memStore) Put(_ context.Context, e store.Entry, src store.Source) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failPut[e.Name] {
		return errors.New("refused")
	}
	buf := make([]byte, e.Size)
	src.ReadAt(context.Background(), buf, 0)
	m.files[e.Name] = memFile{string(buf), e.ModTime}
	m.ops = append(m.ops, "put "+e.Name)
	return nil
}

func (m *memStore) Delete(_ context.Context, name string, isDir bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !isDir {
		delete(m.files, name)
	}
	m.ops = append(m.ops, "delete "+name)
	return nil
}

func (m *memStore) Display(name string) string { return "mem:" + name }

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu       sync.Mutex
	lines    []string
	answers  []Answer
	prompted []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, s)
}
func (r *recorder) DryRunCopy(src, dst string) { r.add("copy " + src + " " + dst) }
func (r *recorder) DryRunRemove(dst string)    { r.add("remove " + dst) }
func (r *recorder) Infof(string, ...any)       {}
func (r *recorder) Warn(msg string)            { r.add("warn " + msg) }
func (r *recorder) Failed(err error)           { r.add("failed " + err.Error()) }
func (r *recorder) PromptDelete(target, _ string) (Answer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prompted = append(r.prompted, target)
	if len(r.answers) == 0 {
		return No, errors.New("no answer")
	}
	a := r.answers[0]
	r.answers = r.answers[1:]
	return a, nil
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func mustFilter(t *testing.T, o filter.Options) *filter.Filter {
	t.Helper()
	f, err := filter.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func run(t *testing.T, src, dst *memStore, opts Options, obs *recorder) Outcome {
	t.Helper()
	if opts.Filter == nil {
		opts.Filter = mustFilter(t, filter.Options{})
	}
	opts.Recursive = true
	opts.Concurrency, opts.ListParallelism = 3, 2
	out, _ := New(src, dst, opts, obs).Run(context.Background(), nil, false)
	return out
}

func names(m *memStore) string {
	keys := slices.Sorted(func(y func(string) bool) {
		for k := range m.files {
			if !y(k) {
				return
			}
		}
	})
	return strings.Join(keys, ",")
}

func TestWalkCopiesNewerAndMissingAndDeletesExtras(t *testing.T) {
	src := newMem(map[string]memFile{
		"a.txt": {"new", at(10)}, "same.txt": {"s", at(5)}, "older.txt": {"o", at(1)},
		"d/x": {"x", at(1)}, "d/sub/y": {"y", at(1)}, "d.txt": {"dt", at(1)},
	})
	dst := newMem(map[string]memFile{
		"a.txt": {"old", at(9)}, "same.txt": {"s", at(5)}, "older.txt": {"keep", at(2)},
		"extra": {"e", at(1)}, "gone/deep/z": {"z", at(1)}, "d/extra2": {"e", at(1)},
	})
	obs := &recorder{}
	if out := run(t, src, dst, Options{Delete: DeleteAlways}, obs); out != Completed {
		t.Fatalf("outcome %v: %v", out, obs.lines)
	}
	if got, want := names(dst), "a.txt,d.txt,d/sub/y,d/x,older.txt,same.txt"; got != want {
		t.Errorf("destination holds %s, want %s", got, want)
	}
	if dst.files["a.txt"].data != "new" || dst.files["older.txt"].data != "keep" {
		t.Errorf("time rule not applied: %+v", dst.files)
	}
	// Deletions come after every copy.
	lastPut := slices.IndexFunc(dst.ops, func(op string) bool { return strings.HasPrefix(op, "delete") })
	for _, op := range dst.ops[lastPut:] {
		if strings.HasPrefix(op, "put") {
			t.Errorf("a copy ran after deletions began: %v", dst.ops)
		}
	}
}

func TestFailedCopyHoldsBackEveryDeletion(t *testing.T) {
	src := newMem(map[string]memFile{"ok": {"1", at(1)}, "bad": {"2", at(1)}})
	dst := newMem(map[string]memFile{"extra": {"e", at(1)}})
	dst.failPut["bad"] = true
	s := New(src, dst, Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Delete: DeleteAlways}, &recorder{})
	out, err := s.Run(context.Background(), nil, false)
	if out != CompletedWithErrors || err == nil {
		t.Fatalf("outcome %v, %v", out, err)
	}
	if _, ok := dst.files["extra"]; !ok || s.Stats.DeletesHeldBack.Load() != 1 {
		t.Errorf("extra deleted (held back %d)", s.Stats.DeletesHeldBack.Load())
	}
}

func TestListingFailureHoldsBackDeletions(t *testing.T) {
	src := newMem(map[string]memFile{"d/x": {"x", at(1)}, "y": {"y", at(1)}})
	src.failDir = "d"
	dst := newMem(map[string]memFile{"d/x": {"x", at(1)}, "extra": {"e", at(1)}})
	if out := run(t, src, dst, Options{Delete: DeleteAlways}, &recorder{}); out != Failed {
		t.Fatalf("outcome %v", out)
	}
	if _, ok := dst.files["extra"]; !ok {
		t.Error("deleted despite an incomplete source listing")
	}
}

func TestFilteredAndNonRecursiveEntriesAreNeverDeleted(t *testing.T) {
	src := newMem(map[string]memFile{"a.txt": {"a", at(1)}})
	dst := newMem(map[string]memFile{"keep.jpg": {"k", at(1)}, "drop.txt": {"d", at(1)}, "sub/deep.txt": {"d", at(1)}})
	opts := Options{Delete: DeleteAlways, Filter: mustFilter(t, filter.Options{ExcludePattern: "*.jpg"})}
	opts.Concurrency = 2
	s := New(src, dst, opts, &recorder{})
	if out, err := s.Run(context.Background(), nil, false); out != Completed {
		t.Fatal(err)
	}
	if got, want := names(dst), "a.txt,keep.jpg,sub/deep.txt"; got != want {
		t.Errorf("destination holds %s, want %s (excluded and, without --recursive, nested entries stay)", got, want)
	}
}

func TestPromptAnswers(t *testing.T) {
	cases := []struct {
		answers []Answer
		left    string
	}{
		{[]Answer{Yes, No, Yes}, "e2"},
		{[]Answer{No, YesForAll}, "e1"},
		{[]Answer{Yes, NoForAll}, "e2,e3"},
	}
	for _, c := range cases {
		src := newMem(map[string]memFile{})
		dst := newMem(map[string]memFile{"e1": {"1", at(1)}, "e2": {"2", at(1)}, "e3": {"3", at(1)}})
		obs := &recorder{answers: c.answers}
		run(t, src, dst, Options{Delete: DeletePrompt}, obs)
		if got := names(dst); got != c.left {
			t.Errorf("answers %v: left %s, want %s (asked about %v)", c.answers, got, c.left, obs.prompted)
		}
	}
}

func TestDryRunPlansWithoutChanging(t *testing.T) {
	src := newMem(map[string]memFile{"n": {"n", at(2)}, "same": {"s", at(1)}})
	dst := newMem(map[string]memFile{"same": {"s", at(1)}, "x/extra": {"e", at(1)}})
	obs := &recorder{}
	run(t, src, dst, Options{Delete: DeleteAlways, DryRun: true}, obs)
	slices.Sort(obs.lines)
	if got, want := fmt.Sprint(obs.lines), "[copy mem:n mem:n remove mem:x/extra]"; got != want {
		t.Errorf("plan %s, want %s", got, want)
	}
	if len(dst.ops) != 0 {
		t.Errorf("dry run changed the destination: %v", dst.ops)
	}
}

func TestMirrorOverwritesNewerDestination(t *testing.T) {
	src := newMem(map[string]memFile{"f": {"older", at(1)}})
	dst := newMem(map[string]memFile{"f": {"newer", at(5)}})
	run(t, src, dst, Options{Compare: compare.Mirror}, &recorder{})
	if dst.files["f"].data != "older" {
		t.Error("mirror mode did not overwrite a newer destination")
	}
}

func TestUnsafeNamesFailWithoutLeavingTheTree(t *testing.T) {
	src := newMem(map[string]memFile{"ok": {"1", at(1)}, "a//b": {"2", at(1)}})
	dst := newMem(map[string]memFile{"extra": {"e", at(1)}})
	obs := &recorder{}
	if out := run(t, src, dst, Options{Delete: DeleteAlways}, obs); out != CompletedWithErrors {
		t.Fatalf("outcome %v", out)
	}
	if got := names(dst); got != "extra,ok" {
		t.Errorf("destination holds %s", got)
	}
}

// coarseStore keeps times to 100 ns, as Azure Files does.
type coarseStore struct{ *memStore }

func (coarseStore) Precision() time.Duration { return 100 * time.Nanosecond }

func TestTimesCompareAtTheCoarserPrecision(t *testing.T) {
	fine := at(1).Add(123456789 * time.Nanosecond)
	src := newMem(map[string]memFile{"same": {"s", fine}, "newer": {"n", fine.Add(100 * time.Nanosecond)}})
	dst := newMem(map[string]memFile{"same": {"old", fine.Truncate(100)}, "newer": {"old", fine.Truncate(100)}})
	obs := &recorder{}
	opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Concurrency: 2, ListParallelism: 1}
	if out, _ := New(src, coarseStore{dst}, opts, obs).Run(context.Background(), nil, false); out != Completed {
		t.Fatalf("outcome %v: %v", out, obs.lines)
	}
	if dst.files["same"].data != "old" {
		t.Errorf("a time equal to 100 ns was copied again")
	}
	if dst.files["newer"].data != "n" {
		t.Errorf("a time later by 100 ns was not copied")
	}
	// Without the coarse store, the ns difference counts.
	dst2 := newMem(map[string]memFile{"same": {"old", fine.Truncate(100)}})
	src2 := newMem(map[string]memFile{"same": {"s", fine}})
	New(src2, dst2, opts, obs).Run(context.Background(), nil, false)
	if dst2.files["same"].data != "s" {
		t.Errorf("a later time at ns precision was not copied")
	}
}

// changingDst refuses the first Put of each name as a store does whose source changed while read,
// after changing the source as the user did.
type changingDst struct {
	*memStore
	src   *memStore
	times int // how many Puts of each name see the source change
	seen  map[string]int
}

func (c *changingDst) Put(ctx context.Context, e store.Entry, src store.Source) error {
	c.mu.Lock()
	c.seen[e.Name]++
	n := c.seen[e.Name]
	c.mu.Unlock()
	if n <= c.times {
		c.src.mu.Lock()
		c.src.files[e.Name] = memFile{"edited by the user", at(100 + n)}
		c.src.mu.Unlock()
		return fmt.Errorf("uploading: %w", store.ErrSourceChanged)
	}
	return c.memStore.Put(ctx, e, src)
}

func TestSourceChangedDuringCopyIsRetriedOnce(t *testing.T) {
	for _, times := range []int{1, 2} {
		src := newMem(map[string]memFile{"a.txt": {"first", at(1)}})
		dst := &changingDst{memStore: newMem(map[string]memFile{}), src: src, times: times, seen: map[string]int{}}
		obs := &recorder{}
		opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Concurrency: 2, ListParallelism: 1}
		s := New(src, dst, opts, obs)
		out, _ := s.Run(context.Background(), nil, false)
		if times == 1 {
			if out != Completed || dst.files["a.txt"].data != "edited by the user" || s.Stats.CopiesDone.Load() != 1 {
				t.Fatalf("changed once: outcome %v, dst %q, done %d; want the new version copied on the retry",
					out, dst.files["a.txt"].data, s.Stats.CopiesDone.Load())
			}
			continue
		}
		if out != CompletedWithErrors || s.Stats.CopiesFailed.Load() != 1 || dst.seen["a.txt"] != 2 {
			t.Fatalf("changed twice: outcome %v, failed %d, tries %d; want one failure after two tries",
				out, s.Stats.CopiesFailed.Load(), dst.seen["a.txt"])
		}
		if !strings.Contains(strings.Join(obs.lines, "\n"), "changed while it was being copied") {
			t.Errorf("the failure does not say why: %q", obs.lines)
		}
	}
}
