package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/azsync/azsync/internal/march"
	"github.com/azsync/azsync/internal/store"
)

// walkTree merges both trees directory by directory. Sub-directories are walked in parallel up to
// ListParallelism; past that a walker descends inline, so what is held in memory is bounded by the
// directories in flight (one listing page each) and never grows with the size of the tree.
func (s *Syncer) walkTree(ctx context.Context, dstMissing bool) {
	var g errgroup.Group
	g.SetLimit(s.opts.ListParallelism)
	w := &walker{s: s, g: &g, listers: newWorkers()}
	s.syncRoot(ctx, dstMissing)
	w.dir(ctx, "", true, !dstMissing, nil)
	g.Wait()
	w.listers.stop()
}

type walker struct {
	s       *Syncer
	g       *errgroup.Group
	listers *workers // run the listings ahead of the merges (prefetch)
}

func (w *walker) descend(ctx context.Context, dir string, onSrc, onDst bool, doom *doomed) {
	if !w.g.TryGo(func() error { w.dir(ctx, dir, onSrc, onDst, doom); return nil }) {
		w.dir(ctx, dir, onSrc, onDst, doom)
	}
}

// dir merges the listings of dir on both sides (a side where it does not exist is empty). doom is set
// when dir exists only at the destination and its contents are being deleted.
func (w *walker) dir(ctx context.Context, dir string, onSrc, onDst bool, doom *doomed) {
	s := w.s
	defer doom.finish(s)
	if ctx.Err() != nil {
		doom.keep()
		return
	}
	src := prefetch(ctx, w.listers, listing(ctx, s.src, dir, onSrc))
	dst := prefetch(ctx, w.listers, listing(ctx, s.dst, dir, onDst))
	if err := march.Merge(src, dst, visitor{w, ctx, doom}); err != nil {
		doom.keep()
		var order *march.OrderError
		if errors.As(err, &order) {
			st := s.dst
			if order.Source {
				st = s.src
			}
			err = fmt.Errorf("listing of %s is not in name order at %q; nothing will be deleted", st.Display(""), order.Name)
		}
		s.failListing(err)
	}
}

// visitor hands the pairs of one directory's merge to the walker.
type visitor struct {
	w    *walker
	ctx  context.Context
	doom *doomed
}

func (v visitor) SourceOnly(e store.Entry)      { v.w.sourceOnly(v.ctx, e) }
func (v visitor) DestinationOnly(e store.Entry) { v.w.destinationOnly(v.ctx, e, v.doom) }
func (v visitor) Both(src, dst store.Entry)     { v.w.both(v.ctx, src, dst) }

func listing(ctx context.Context, st store.Store, dir string, exists bool) iter.Seq2[store.Entry, error] {
	if !exists {
		return func(func(store.Entry, error) bool) {}
	}
	return st.List(ctx, dir)
}

// prefetch runs a listing ahead of the merge on one of ws's goroutines, so both sides' next pages
// are fetched while the current ones are compared. Entries cross in batches of batchLen: one
// channel operation per batch rather than per entry, in buffers that every directory of the walk
// reuses (a page of each side per directory made 30 KB of garbage per directory otherwise).
func prefetch(ctx context.Context, ws *workers, seq iter.Seq2[store.Entry, error]) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		full := make(chan *[]prefetched, 2)
		done := make(chan struct{})
		ws.run(func() {
			defer close(done)
			defer close(full)
			var batch *[]prefetched
			for e, err := range seq {
				if batch == nil {
					batch = batches.Get().(*[]prefetched)
				}
				if *batch = append(*batch, prefetched{e, err}); len(*batch) == batchLen {
					select {
					case full <- batch:
						batch = nil
					case <-ctx.Done():
						return
					}
				}
			}
			if batch != nil {
				select {
				case full <- batch:
				case <-ctx.Done():
				}
			}
		})
		defer func() { <-done }()
		defer cancel()
		for batch := range full {
			for _, it := range *batch {
				if !yield(it.e, it.err) {
					return
				}
			}
			clear(*batch) // the entries' names and errors are garbage now
			*batch = (*batch)[:0]
			batches.Put(batch)
		}
	}
}

const batchLen = 64

// prefetched is an entry, or the error of a listing, on its way from prefetch's goroutine to the merge.
type prefetched struct {
	e   store.Entry
	err error
}

var batches = sync.Pool{New: func() any { b := make([]prefetched, 0, batchLen); return &b }}

// workers runs functions on goroutines that wait for the next one when they finish, until stop.
// A listing runs deep into the SDK's pipeline, and a new goroutine's stack is grown (copied)
// several times on the way there: 6 % of a no-change sync's CPU when each directory's listings
// had goroutines of their own. At most as many wait as ever ran at once.
type workers struct{ next chan func() }

func newWorkers() *workers { return &workers{next: make(chan func())} }

// run runs f on a waiting goroutine, or on a new one when none waits.
func (ws *workers) run(f func()) {
	select {
	case ws.next <- f:
	default:
		go func() {
			for ; f != nil; f = <-ws.next {
				f()
			}
		}()
	}
}

// stop ends the waiting goroutines; run must not be called after it.
func (ws *workers) stop() { close(ws.next) }

func (w *walker) sourceOnly(ctx context.Context, e store.Entry) {
	s := w.s
	if !w.ours(e) {
		return
	}
	if e.IsDir {
		if s.opts.Recursive && s.opts.Filter.Dir(e.Name) && w.sourceValid(e) && w.markDir(ctx, e, store.Entry{}) {
			w.descend(ctx, e.Name, true, false, nil)
		}
		return
	}
	if !s.fileIn(e) {
		return
	}
	s.countSource(e)
	if w.sourceValid(e) {
		s.emit(ctx, Item{Op: Copy, Src: e, Dst: e.Name})
	}
}

func (w *walker) destinationOnly(ctx context.Context, e store.Entry, doom *doomed) {
	s := w.s
	if !w.ours(e) {
		doom.keep() // another shard's: a folder holding it is not this shard's to remove
		return
	}
	counted := !e.IsDir && s.fileIn(e)
	if counted {
		s.Stats.DestinationFiles.Add(1)
	}
	if s.opts.Delete == DeleteNever {
		return
	}
	if err := store.ValidName(e.Name); err != nil {
		// Not ours to judge or reach: left alone, and so is the folder holding it.
		doom.keep()
		s.obs.Warn(fmt.Sprintf("leaving %s alone: %v", s.dst.Display(e.Name), err))
		return
	}
	switch {
	case e.IsDir && s.opts.Recursive && s.opts.Filter.Dir(e.Name):
		w.descend(ctx, e.Name, false, true, doom.child(e))
	case e.IsDir || !counted:
		doom.keep() // filtered out, or below the top level without --recursive: never deleted
	default:
		s.emit(ctx, Item{Op: Delete, Dst: e.Name})
	}
}

func (w *walker) both(ctx context.Context, src, dst store.Entry) {
	s := w.s
	if !w.ours(src) {
		return
	}
	if src.IsDir {
		if s.opts.Recursive && s.opts.Filter.Dir(src.Name) && w.sourceValid(src) && w.markDir(ctx, src, dst) {
			w.descend(ctx, src.Name, true, true, nil)
		}
		return
	}
	if !s.fileIn(src) {
		return
	}
	s.countSource(src)
	s.Stats.DestinationFiles.Add(1)
	if w.sourceValid(src) {
		s.compare(ctx, src, dst)
	}
}

// ours says this run handles e: in a sharded run, a file its shard owns, or a directory its shard
// lists (one above the shard depth is listed by every shard, and its marker is shard 0's).
func (w *walker) ours(e store.Entry) bool {
	sh := w.s.opts.Shard
	if e.IsDir {
		return sh.Lists(e.Name)
	}
	return sh.Owns(e.Name)
}

// markDir plans a directory the destination lacks (dst is the zero Entry when it is missing
// there). Where both sides' directories are real (store.RealDirs: local ↔ Files, Files ↔ Files)
// the Mkdir is carried out at once, in the walk, before the directory's contents are planned, so
// empty directories are copied too and every file below finds its parent there; markDir reports
// false when that failed, and the contents are not planned. Elsewhere it plans a marker when
// directories are copied as objects (--include-directory-stub). In a sharded run the directory is
// its owner's; one above the shard depth is still made by every shard that needs it.
func (w *walker) markDir(ctx context.Context, src, dst store.Entry) bool {
	s := w.s
	it := Item{Op: Mkdir, Src: src, Dst: src.Name}
	if !s.carriesFolders() {
		it.Src.SMB = nil // made bare
	}
	owned := s.opts.Shard.Owns(src.Name)
	if s.realDirs {
		switch {
		case dst.IsDir && owned:
			s.syncFolder(ctx, src, dst)
			return true
		case dst.IsDir:
			return true
		case !owned:
			return w.ensureDir(ctx, src)
		}
		s.countCopy(it)
		return s.exec.copy(ctx, it)
	}
	if s.opts.DirectoryStubs && !dst.Marker && owned {
		s.emit(ctx, it)
	}
	return true
}

// ensureDir makes a directory above the shard depth that this shard's part needs, without counting
// or reporting it: shard 0 owns it and does that. Making one twice is harmless (it is a directory).
func (w *walker) ensureDir(ctx context.Context, src store.Entry) bool {
	s := w.s
	if s.opts.DryRun {
		return true
	}
	if err := s.dst.Put(ctx, src, nil); err != nil {
		s.failListing(fmt.Errorf("preparing this shard's part: %w", err))
		return false
	}
	return true
}

// sourceValid fails a source entry whose name cannot be synced safely, or that the destination
// cannot hold under the same name, counting it as a failed transfer so that the run reports it and
// holds deletions back. It is asked only about entries the filters let through, already counted as
// scanned, so that the summary adds up.
func (w *walker) sourceValid(e store.Entry) bool {
	err := e.Problem
	if err == nil {
		err = store.ValidName(e.Name)
	}
	if checker, ok := w.s.dst.(store.NameChecker); ok && err == nil {
		err = checker.CheckName(e.Name)
	}
	if err == nil {
		return true
	}
	w.s.failPlanned(Failure{Src: w.s.src.Display(e.Name), Err: err}, fmt.Errorf("skipping %s: %w", w.s.src.Display(e.Name), err))
	return false
}

// doomed is a destination-only directory whose contents are being deleted. Once its own listing and
// those of its sub-directories are done, it is removed too, unless something in it stays (filtered
// out, out of reach, or failed to list): then its parent stays as well. A nil *doomed is a
// directory that is not being deleted.
type doomed struct {
	name    string
	marker  bool
	parent  *doomed
	pending atomic.Int32 // own listing plus sub-directories not finished
	kept    atomic.Bool
}

// child starts tracking sub-directory e of d (or of a directory present on both sides, when d is nil).
func (d *doomed) child(e store.Entry) *doomed {
	c := &doomed{name: e.Name, marker: e.Marker, parent: d}
	c.pending.Store(1)
	if d != nil {
		d.pending.Add(1)
	}
	return c
}

func (d *doomed) keep() {
	if d != nil {
		d.kept.Store(true)
	}
}

func (d *doomed) finish(s *Syncer) {
	if d == nil || d.pending.Add(-1) != 0 {
		return
	}
	if d.kept.Load() {
		d.parent.keep()
	} else if d.marker && s.opts.DeleteDirs && s.opts.Shard.Owns(d.name) {
		s.emit(context.Background(), Item{Op: Rmdir, Dst: d.name})
	}
	d.parent.finish(s)
}

// dirList collects destination folders that only the destination has, to remove once emptied.
type dirList struct {
	mu    sync.Mutex
	names []string
}

func (d *dirList) add(name string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.names = append(d.names, name)
}

func (d *dirList) deepestFirst() []string {
	slices.SortFunc(d.names, func(a, b string) int {
		return strings.Count(b, "/") - strings.Count(a, "/")
	})
	return d.names
}
