package syncer

import (
	"context"
	"fmt"
	"path"
	"slices"
	"sync"
	"testing"

	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/memstore"
)

// dirStore is a destination whose directories are real (store.RealDirs): a file or directory can
// be written only where its parent exists. Its listings "found" leftovers temporaries.
type dirStore struct {
	*memStore
	mu        sync.Mutex
	dirs      map[string]bool
	leftovers int
	removals  int // calls of RemoveLeftovers
}

func (d *dirStore) RealDirs() {}

func (d *dirStore) Put(ctx context.Context, e store.Entry, src store.Source) error {
	d.mu.Lock()
	parent := path.Dir(e.Name)
	if parent != "." && !d.dirs[parent] {
		d.mu.Unlock()
		return fmt.Errorf("ParentNotFound: %s", e.Name)
	}
	if e.IsDir {
		d.dirs[e.Name] = true
	}
	d.mu.Unlock()
	return d.memStore.Put(ctx, e, src)
}

func (d *dirStore) RemoveLeftovers(context.Context) (int, error) {
	d.removals++
	return d.leftovers, nil
}

var _ interface {
	store.RealDirs
	store.LeftoverRemover
} = (*dirStore)(nil)

// realSrc is a source whose directories are real too (a local folder, a share).
type realSrc struct{ *memStore }

func (realSrc) RealDirs() {}

func TestRealDirectoriesAreCreatedBeforeTheirFiles(t *testing.T) {
	src := realSrc{newMem(map[string]memstore.File{"a/b/c.txt": memFile("c", at(1)), "a/d.txt": memFile("d", at(1)), "e.txt": memFile("e", at(1))})}
	dst := &dirStore{memStore: newMem(nil), dirs: map[string]bool{}}
	s := New(src, dst, Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Concurrency: 4, ListParallelism: 4}, &recorder{})
	if out, err := s.Run(context.Background(), nil, false); out != Completed {
		t.Fatalf("outcome %v (%v), ops %v", out, err, dst.Ops())
	}
	ops := dst.Ops()
	before := func(a, b string) bool {
		i, j := slices.Index(ops, a), slices.Index(ops, b)
		return i >= 0 && j >= 0 && i < j
	}
	if !before("put a", "put a/b") || !before("put a", "put a/d.txt") || !before("put a/b", "put a/b/c.txt") {
		t.Errorf("directories not created before their contents: %v", ops)
	}
	if got := s.Stats.FoldersPlanned.Load(); got != 2 || s.Stats.CopiesDone.Load() != 5 {
		t.Errorf("folders planned %d, copies done %d; want 2 and 5", got, s.Stats.CopiesDone.Load())
	}
	if dst.removals != 1 {
		t.Errorf("RemoveLeftovers called %d times after a clean run, want 1", dst.removals)
	}
}

func TestLeftoversStayWhenAListingFailedOrInADryRun(t *testing.T) {
	for _, c := range []struct {
		name    string
		dryRun  bool
		failDir string
	}{{"dry run", true, ""}, {"listing failed", false, "a"}} {
		src := newMem(map[string]memstore.File{"a/x": memFile("x", at(1))})
		if c.failDir != "" {
			src.FailList(c.failDir)
		}
		dst := &dirStore{memStore: newMem(nil), dirs: map[string]bool{}, leftovers: 3}
		obs := &recorder{}
		New(realSrc{src}, dst, Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, DryRun: c.dryRun}, obs).Run(context.Background(), nil, false)
		if dst.removals != 0 {
			t.Errorf("%s: leftovers removed", c.name)
		}
		if c.dryRun && !slices.Contains(obs.lines, "copy mem:a mem:a") {
			t.Errorf("%s: the plan does not show the directory: %v", c.name, obs.lines)
		}
	}
}
