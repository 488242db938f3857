package syncer

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/memstore"
)

// folderStore is a store whose directories carry properties: those named in differ lack the
// source's, and SetFolder records what it was given.
type folderStore struct {
	*memStore
	differ map[string]bool
	mu     sync.Mutex
	set    []string
}

func (f *folderStore) Folder(_ context.Context, name string) (store.Entry, error) {
	return store.Entry{Name: name, IsDir: true, Marker: true}, nil
}

func (f *folderStore) FolderDiffers(_ context.Context, _, dst store.Entry) (bool, error) {
	return f.differ[dst.Name], nil
}

func (f *folderStore) SetFolder(_ context.Context, e store.Entry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set = append(f.set, e.Name)
	return nil
}

func (f *folderStore) RealDirs() {}

var _ interface {
	store.FolderProperties
	store.RealDirs
} = (*folderStore)(nil)

func TestFolderPropertiesOfDirectoriesOnBothSides(t *testing.T) {
	files := func() map[string]memstore.File {
		return map[string]memstore.File{"a/x": memFile("x", at(1)), "b/y": memFile("y", at(1))}
	}
	for _, c := range []struct {
		name   string
		opts   filter.Options
		root   bool
		dryRun bool
		want   []string
	}{
		{"differing ones", filter.Options{}, false, false, []string{"a"}},
		{"and the root", filter.Options{}, true, false, []string{"", "a"}},
		{"dry run", filter.Options{}, true, true, nil},
		{"file-only filter", filter.Options{IncludePattern: "*"}, true, false, nil},
		{"regexp, which folders obey too", filter.Options{IncludeRegex: "."}, false, false, []string{"a"}},
	} {
		src := &folderStore{memStore: newMem(files())}
		dst := &folderStore{memStore: newMem(files()), differ: map[string]bool{"a": true, "": true}}
		obs := &recorder{}
		s := New(src, dst, Options{Filter: mustFilter(t, c.opts), Recursive: true, IncludeRoot: c.root, DryRun: c.dryRun}, obs)
		if out, err := s.Run(context.Background(), nil, false); out != Completed {
			t.Fatalf("%s: outcome %v (%v)", c.name, out, err)
		}
		slices.Sort(dst.set)
		if !slices.Equal(dst.set, c.want) {
			t.Errorf("%s: properties set on %q, want %q", c.name, dst.set, c.want)
		}
		want := int64(len(c.want))
		if c.dryRun {
			want = 2
			if !slices.Contains(obs.lines, "copy mem:a mem:a") {
				t.Errorf("%s: the plan does not show the folder: %v", c.name, obs.lines)
			}
		}
		if got := s.Stats.FoldersPlanned.Load(); got != want {
			t.Errorf("%s: %d folder-property transfers planned, want %d", c.name, got, want)
		}
	}
}
