package syncer

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/memstore"
)

type memStore = memstore.Store

// memFile is a file's content and time.
func memFile(data string, mtime time.Time) memstore.File {
	return memstore.File{Data: data, MTime: mtime}
}

func newMem(files map[string]memstore.File) *memStore { return memstore.New(files) }

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
func (r *recorder) DryRunCopy(src, dst string, _ bool) { r.add("copy " + src + " " + dst) }
func (r *recorder) DryRunRemove(dst string, _ bool)    { r.add("remove " + dst) }
func (r *recorder) Infof(string, ...any)               {}
func (r *recorder) Warn(msg string)                    { r.add("warn " + msg) }
func (r *recorder) Failed(err error)                   { r.add("failed " + err.Error()) }
func (r *recorder) PromptDelete(_ context.Context, target, _ string) (Answer, error) {
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
	keys := slices.Sorted(maps.Keys(m.Files()))
	return strings.Join(keys, ",")
}

func TestWalkCopiesNewerAndMissingAndDeletesExtras(t *testing.T) {
	src := newMem(map[string]memstore.File{
		"a.txt": memFile("new", at(10)), "same.txt": memFile("s", at(5)), "older.txt": memFile("o", at(1)),
		"d/x": memFile("x", at(1)), "d/sub/y": memFile("y", at(1)), "d.txt": memFile("dt", at(1)),
	})
	dst := newMem(map[string]memstore.File{
		"a.txt": memFile("old", at(9)), "same.txt": memFile("s", at(5)), "older.txt": memFile("keep", at(2)),
		"extra": memFile("e", at(1)), "gone/deep/z": memFile("z", at(1)), "d/extra2": memFile("e", at(1)),
	})
	obs := &recorder{}
	if out := run(t, src, dst, Options{Delete: DeleteAlways}, obs); out != Completed {
		t.Fatalf("outcome %v: %v", out, obs.lines)
	}
	if got, want := names(dst), "a.txt,d.txt,d/sub/y,d/x,older.txt,same.txt"; got != want {
		t.Errorf("destination holds %s, want %s", got, want)
	}
	if dst.Files()["a.txt"].Data != "new" || dst.Files()["older.txt"].Data != "keep" {
		t.Errorf("time rule not applied: %+v", dst.Files())
	}
	// Deletions come after every copy.
	lastPut := slices.IndexFunc(dst.Ops(), func(op string) bool { return strings.HasPrefix(op, "delete") })
	for _, op := range dst.Ops()[lastPut:] {
		if strings.HasPrefix(op, "put") {
			t.Errorf("a copy ran after deletions began: %v", dst.Ops())
		}
	}
}

func TestFailedCopyHoldsBackEveryDeletion(t *testing.T) {
	src := newMem(map[string]memstore.File{"ok": memFile("1", at(1)), "bad": memFile("2", at(1))})
	dst := newMem(map[string]memstore.File{"extra": memFile("e", at(1))})
	dst.FailPut("bad")
	s := New(src, dst, Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Delete: DeleteAlways}, &recorder{})
	out, err := s.Run(context.Background(), nil, false)
	if out != CompletedWithErrors || err == nil {
		t.Fatalf("outcome %v, %v", out, err)
	}
	if _, ok := dst.Files()["extra"]; !ok || s.Stats.DeletesHeldBack.Load() != 1 {
		t.Errorf("extra deleted (held back %d)", s.Stats.DeletesHeldBack.Load())
	}
}

func TestListingFailureHoldsBackDeletions(t *testing.T) {
	src := newMem(map[string]memstore.File{"d/x": memFile("x", at(1)), "y": memFile("y", at(1))})
	src.FailList("d")
	dst := newMem(map[string]memstore.File{"d/x": memFile("x", at(1)), "extra": memFile("e", at(1))})
	if out := run(t, src, dst, Options{Delete: DeleteAlways}, &recorder{}); out != Failed {
		t.Fatalf("outcome %v", out)
	}
	if _, ok := dst.Files()["extra"]; !ok {
		t.Error("deleted despite an incomplete source listing")
	}
}

func TestFilteredAndNonRecursiveEntriesAreNeverDeleted(t *testing.T) {
	src := newMem(map[string]memstore.File{"a.txt": memFile("a", at(1))})
	dst := newMem(map[string]memstore.File{"keep.jpg": memFile("k", at(1)), "drop.txt": memFile("d", at(1)), "sub/deep.txt": memFile("d", at(1))})
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
		src := newMem(map[string]memstore.File{})
		dst := newMem(map[string]memstore.File{"e1": memFile("1", at(1)), "e2": memFile("2", at(1)), "e3": memFile("3", at(1))})
		obs := &recorder{answers: c.answers}
		run(t, src, dst, Options{Delete: DeletePrompt}, obs)
		if got := names(dst); got != c.left {
			t.Errorf("answers %v: left %s, want %s (asked about %v)", c.answers, got, c.left, obs.prompted)
		}
	}
}

func TestDryRunPlansWithoutChanging(t *testing.T) {
	src := newMem(map[string]memstore.File{"n": memFile("n", at(2)), "same": memFile("s", at(1))})
	dst := newMem(map[string]memstore.File{"same": memFile("s", at(1)), "x/extra": memFile("e", at(1))})
	obs := &recorder{}
	run(t, src, dst, Options{Delete: DeleteAlways, DryRun: true}, obs)
	slices.Sort(obs.lines)
	if got, want := fmt.Sprint(obs.lines), "[copy mem:n mem:n remove mem:x/extra]"; got != want {
		t.Errorf("plan %s, want %s", got, want)
	}
	if len(dst.Ops()) != 0 {
		t.Errorf("dry run changed the destination: %v", dst.Ops())
	}
}

func TestMirrorOverwritesNewerDestination(t *testing.T) {
	src := newMem(map[string]memstore.File{"f": memFile("older", at(1))})
	dst := newMem(map[string]memstore.File{"f": memFile("newer", at(5))})
	run(t, src, dst, Options{Compare: compare.Mirror}, &recorder{})
	if dst.Files()["f"].Data != "older" {
		t.Error("mirror mode did not overwrite a newer destination")
	}
}

func TestUnsafeNamesFailWithoutLeavingTheTree(t *testing.T) {
	src := newMem(map[string]memstore.File{"ok": memFile("1", at(1)), "a//b": memFile("2", at(1))})
	dst := newMem(map[string]memstore.File{"extra": memFile("e", at(1))})
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
	src := newMem(map[string]memstore.File{"same": memFile("s", fine), "newer": memFile("n", fine.Add(100*time.Nanosecond))})
	dst := newMem(map[string]memstore.File{"same": memFile("old", fine.Truncate(100)), "newer": memFile("old", fine.Truncate(100))})
	obs := &recorder{}
	opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Concurrency: 2, ListParallelism: 1}
	if out, _ := New(src, coarseStore{dst}, opts, obs).Run(context.Background(), nil, false); out != Completed {
		t.Fatalf("outcome %v: %v", out, obs.lines)
	}
	if dst.Files()["same"].Data != "old" {
		t.Errorf("a time equal to 100 ns was copied again")
	}
	if dst.Files()["newer"].Data != "n" {
		t.Errorf("a time later by 100 ns was not copied")
	}
	// Without the coarse store, the ns difference counts.
	dst2 := newMem(map[string]memstore.File{"same": memFile("old", fine.Truncate(100))})
	src2 := newMem(map[string]memstore.File{"same": memFile("s", fine)})
	New(src2, dst2, opts, obs).Run(context.Background(), nil, false)
	if dst2.Files()["same"].Data != "s" {
		t.Errorf("a later time at ns precision was not copied")
	}
}

// changingDst refuses the first Put of each name as a store does whose source changed while read,
// after changing the source as the user did.
type changingDst struct {
	*memStore
	src   *memStore
	times int // how many Puts of each name see the source change
	mu    sync.Mutex
	seen  map[string]int
}

func (c *changingDst) Put(ctx context.Context, e store.Entry, src store.Source) error {
	c.mu.Lock()
	c.seen[e.Name]++
	n := c.seen[e.Name]
	c.mu.Unlock()
	if n <= c.times {
		c.src.Set(e.Name, memFile("edited by the user", at(100+n)))
		return fmt.Errorf("uploading: %w", store.ErrSourceChanged)
	}
	return c.memStore.Put(ctx, e, src)
}

func TestSourceChangedDuringCopyIsRetriedOnce(t *testing.T) {
	for _, times := range []int{1, 2} {
		src := newMem(map[string]memstore.File{"a.txt": memFile("first", at(1))})
		dst := &changingDst{memStore: newMem(map[string]memstore.File{}), src: src, times: times, seen: map[string]int{}}
		obs := &recorder{}
		opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Concurrency: 2, ListParallelism: 1}
		s := New(src, dst, opts, obs)
		out, _ := s.Run(context.Background(), nil, false)
		if times == 1 {
			if out != Completed || dst.Files()["a.txt"].Data != "edited by the user" || s.Stats.CopiesDone.Load() != 1 {
				t.Fatalf("changed once: outcome %v, dst %q, done %d; want the new version copied on the retry",
					out, dst.Files()["a.txt"].Data, s.Stats.CopiesDone.Load())
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

// hashingStore lists no MD5s and computes them on request (as local disk does), counting how many
// hashes run at once.
type hashingStore struct {
	*memStore
	inFlight, most atomic.Int32
}

func (h *hashingStore) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		for e, err := range h.memStore.List(ctx, dir) {
			e.MD5 = nil
			if !yield(e, err) {
				return
			}
		}
	}
}

func (h *hashingStore) HashMD5(ctx context.Context, name string) ([]byte, error) {
	n := h.inFlight.Add(1)
	defer h.inFlight.Add(-1)
	for m := h.most.Load(); n > m && !h.most.CompareAndSwap(m, n); m = h.most.Load() {
	}
	e, err := h.memStore.Stat(ctx, name)
	return e.MD5, err
}

// md5Recorder remembers the MD5 each Put was handed.
type md5Recorder struct {
	*memStore
	mu   sync.Mutex
	sums map[string][]byte
}

func (r *md5Recorder) Put(ctx context.Context, e store.Entry, src store.Source) error {
	r.mu.Lock()
	r.sums[e.Name] = e.MD5
	r.mu.Unlock()
	return r.memStore.Put(ctx, e, src)
}

func TestCompareHashRunsInCheckersAndHandsTheMD5ToTheCopy(t *testing.T) {
	files, old := map[string]memstore.File{}, map[string]memstore.File{}
	for i := range 40 {
		name := fmt.Sprintf("f%02d", i)
		files[name] = memFile("new "+name, at(1))
		old[name] = memFile("old "+name, at(1))
	}
	old["f07"] = files["f07"] // the same content: skipped
	src := &hashingStore{memStore: newMem(files)}
	dst := &md5Recorder{memStore: newMem(old), sums: map[string][]byte{}}
	opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Compare: compare.ByMD5, Concurrency: 4, Checkers: 3}
	s := New(src, dst, opts, &recorder{})
	if out, err := s.Run(context.Background(), nil, false); out != Completed {
		t.Fatalf("outcome %v: %v", out, err)
	}
	if got := s.Stats.Skipped.Load(); got != 1 || len(dst.sums) != 39 {
		t.Errorf("skipped %d, copied %d; want 1 and 39", got, len(dst.sums))
	}
	for name, sum := range dst.sums {
		if want := md5.Sum([]byte(files[name].Data)); !bytes.Equal(sum, want[:]) {
			t.Errorf("the copy of %s was handed MD5 %x, want the checker's %x", name, sum, want)
		}
	}
	if most := src.most.Load(); most > 3 {
		t.Errorf("%d hashes ran at once with 3 checkers", most)
	}
}

// nameChecking refuses names with a backslash, as Blob storage does.
type nameChecking struct{ *memStore }

func (nameChecking) CheckName(name string) error {
	if strings.Contains(name, `\`) {
		return errors.New("refused")
	}
	return nil
}

// Refused names are scanned files that failed: the summary adds up (scanned = completed + failed +
// skipped), and a refused name the filters leave out is not looked at at all.
func TestRefusedNamesAreCounted(t *testing.T) {
	src := newMem(map[string]memstore.File{"ok": memFile("1", at(1)), `a\b`: memFile("2", at(1)), `c\d`: memFile("3", at(1)), `x\y.tmp`: memFile("4", at(1)), "same": memFile("5", at(1))})
	dst := nameChecking{newMem(map[string]memstore.File{`c\d`: memFile("old", at(0)), "same": memFile("5", at(1))})}
	opts := Options{Filter: mustFilter(t, filter.Options{ExcludePattern: "*.tmp"}), Recursive: true, Concurrency: 2, ListParallelism: 1}
	s := New(src, dst, opts, &recorder{})
	if out, _ := s.Run(context.Background(), nil, false); out != CompletedWithErrors {
		t.Fatalf("outcome %v", out)
	}
	st := &s.Stats
	scanned, done, failed, skipped := st.SourceFiles.Load(), st.CopiesDone.Load(), st.CopiesFailed.Load(), st.Skipped.Load()
	if scanned != 4 || done != 1 || failed != 2 || skipped != 1 || st.DestinationFiles.Load() != 2 {
		t.Errorf("scanned %d (want 4), completed %d (1), failed %d (2), skipped %d (1), at destination %d (2)",
			scanned, done, failed, skipped, st.DestinationFiles.Load())
	}
}
