package syncer

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/shard"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/memstore"
)

// listed is a store that remembers which directories were listed.
type listed struct {
	*memstore.Store
	mu   sync.Mutex
	dirs []string
}

func (l *listed) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	l.mu.Lock()
	l.dirs = append(l.dirs, dir)
	l.mu.Unlock()
	return l.Store.List(ctx, dir)
}

// shardTrees is a source and a destination with files at every level, extras at the destination
// (whole extra subtrees too) and stale copies.
func shardTrees() (src, dst map[string]memstore.File) {
	src, dst = map[string]memstore.File{}, map[string]memstore.File{}
	for i := range 12 {
		src[fmt.Sprintf("top%d.txt", i)] = memFile("t", at(5))
		for j := range 4 {
			for k := range 3 {
				name := fmt.Sprintf("d%d/e%d/f%d", i, j, k)
				src[name] = memFile("new", at(5))
				switch k {
				case 0:
					dst[name] = memFile("old", at(1))
				case 1:
					dst[name] = memFile("new", at(5))
				}
			}
			dst[fmt.Sprintf("d%d/e%d/extra", i, j)] = memFile("x", at(1))
		}
		dst[fmt.Sprintf("gone%d/deep/z", i)] = memFile("z", at(1))
		dst[fmt.Sprintf("extra%d.txt", i)] = memFile("x", at(1))
	}
	return src, dst
}

// runShard runs one shard of a sync from a fresh copy of srcFiles to dst.
func runShard(t *testing.T, srcFiles map[string]memstore.File, dst *memStore, spec shard.Spec) (*listed, Outcome) {
	t.Helper()
	src := &listed{Store: newMem(maps.Clone(srcFiles))}
	opts := Options{Filter: mustFilter(t, filter.Options{}), Recursive: true, Delete: DeleteAlways, Shard: spec,
		Concurrency: 3, ListParallelism: 2}
	out, _ := New(src, dst, opts, &recorder{}).Run(context.Background(), nil, false)
	return src, out
}

// The N shards of a run, one after the other on the same destination, end where one run ends; each
// entry is written or deleted by exactly one shard, and a shard lists a subtree only if it owns it.
func TestShardsTogetherDoWhatOneRunDoes(t *testing.T) {
	srcFiles, dstFiles := shardTrees()
	single := newMem(maps.Clone(dstFiles))
	if _, out := runShard(t, srcFiles, single, shard.Spec{}); out != Completed {
		t.Fatalf("single run: %v", out)
	}
	for _, depth := range []int{1, 2} {
		const n = 3
		dst := newMem(maps.Clone(dstFiles))
		touched := map[string]int{}
		for k := range n {
			spec := shard.Spec{Index: k, Count: n, Depth: depth}
			before := len(dst.Ops())
			src, out := runShard(t, srcFiles, dst, spec)
			if out != Completed {
				t.Fatalf("depth %d shard %d: %v", depth, k, out)
			}
			for _, op := range dst.Ops()[before:] {
				touched[op]++
				if name := strings.SplitN(op, " ", 2)[1]; !spec.Owns(name) {
					t.Errorf("depth %d shard %d did %q outside its part", depth, k, op)
				}
			}
			for _, dir := range src.dirs {
				if !spec.Lists(dir) {
					t.Errorf("depth %d shard %d listed %q", depth, k, dir)
				}
			}
		}
		if got, want := names(dst), names(single); got != want {
			t.Errorf("depth %d: shards leave\n%s\none run leaves\n%s", depth, got, want)
		}
		if !maps.Equal(dst.Files(), single.Files()) {
			t.Errorf("depth %d: contents differ from one run's", depth)
		}
		for op, c := range touched {
			if c != 1 {
				t.Errorf("depth %d: %q done %d times", depth, op, c)
			}
		}
		if len(touched) != len(single.Ops()) {
			t.Errorf("depth %d: shards did %d operations, one run %d", depth, len(touched), len(single.Ops()))
		}
	}
}

// A shard whose copy fails holds back its own deletions; the others delete theirs, and nothing of
// the failed shard's part.
func TestFailedShardDeletesNothingAndOthersNothingOfItsPart(t *testing.T) {
	srcFiles, dstFiles := shardTrees()
	dst := newMem(maps.Clone(dstFiles))
	const n, failing = 3, 1
	for _, name := range slices.Sorted(maps.Keys(srcFiles)) {
		if (shard.Spec{Index: failing, Count: n, Depth: 1}).Owns(name) && dstFiles[name].Data != "new" {
			dst.FailPut(name)
			break
		}
	}
	for k := range n {
		want := Completed
		if k == failing {
			want = CompletedWithErrors
		}
		if _, out := runShard(t, srcFiles, dst, shard.Spec{Index: k, Count: n, Depth: 1}); out != want {
			t.Fatalf("shard %d: %v, want %v", k, out, want)
		}
	}
	now := dst.Files()
	for name := range dstFiles {
		_, src := srcFiles[name]
		_, kept := now[name]
		owner := (shard.Spec{Count: n, Depth: 1}).Owner(name)
		switch {
		case src:
		case owner == failing && !kept:
			t.Errorf("%s of the failed shard's part was deleted", name)
		case owner != failing && kept:
			t.Errorf("%s of shard %d's part was not deleted", name, owner)
		}
	}
}
