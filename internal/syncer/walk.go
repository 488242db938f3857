package syncer

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/azsync/azsync/internal/store"
)

// walkTree merges both trees directory by directory. Sub-directories are walked in parallel up to
// ListParallelism; past that a walker descends inline, so what is held in memory is bounded by the
// directories in flight (one listing page each) and never grows with the size of the tree.
func (s *Syncer) walkTree(ctx context.Context, dstMissing bool) {
	var g errgroup.Group
	g.SetLimit(s.opts.ListParallelism)
	w := &walker{s: s, g: &g}
	w.dir(ctx, "", true, !dstMissing)
	g.Wait()
}

type walker struct {
	s *Syncer
	g *errgroup.Group
}

func (w *walker) descend(ctx context.Context, dir string, onSrc, onDst bool) {
	if !w.g.TryGo(func() error { w.dir(ctx, dir, onSrc, onDst); return nil }) {
		w.dir(ctx, dir, onSrc, onDst)
	}
}

// dir merges the listings of dir on both sides (a side where it does not exist is empty).
func (w *walker) dir(ctx context.Context, dir string, onSrc, onDst bool) {
	s := w.s
	if ctx.Err() != nil {
		return
	}
	srcNext, srcStop := iter.Pull2(sorted(s.src, prefetch(ctx, listing(ctx, s.src, dir, onSrc))))
	defer srcStop()
	dstNext, dstStop := iter.Pull2(sorted(s.dst, prefetch(ctx, listing(ctx, s.dst, dir, onDst))))
	defer dstStop()

	se, serr, sok := srcNext()
	de, derr, dok := dstNext()
	for sok || dok {
		if serr != nil || derr != nil {
			s.failListing(firstErr(serr, derr))
			return
		}
		switch {
		case dok && (!sok || store.Key(de) < store.Key(se)):
			w.destinationOnly(ctx, de)
			de, derr, dok = dstNext()
		case sok && (!dok || store.Key(se) < store.Key(de)):
			w.sourceOnly(ctx, se)
			se, serr, sok = srcNext()
		default:
			w.both(ctx, se, de)
			se, serr, sok = srcNext()
			de, derr, dok = dstNext()
		}
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func listing(ctx context.Context, st store.Store, dir string, exists bool) iter.Seq2[store.Entry, error] {
	if !exists {
		return func(func(store.Entry, error) bool) {}
	}
	return st.List(ctx, dir)
}

// sorted passes a listing through, failing it if it goes out of Key order or yields a name that is
// not a plain relative path: the merge would otherwise take present entries for missing ones, and
// a name like "../x" would lead outside the destination.
func sorted(st store.Store, seq iter.Seq2[store.Entry, error]) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		last := ""
		for e, err := range seq {
			if err == nil {
				if k := store.Key(e); k <= last {
					err = fmt.Errorf("listing of %s is not in name order at %q; nothing will be deleted", st.Display(""), e.Name)
				} else {
					last = k
				}
			}
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// prefetch runs a listing ahead of the merge in its own goroutine, so both sides' next pages are
// fetched while the current ones are compared.
func prefetch(ctx context.Context, seq iter.Seq2[store.Entry, error]) iter.Seq2[store.Entry, error] {
	type item struct {
		e   store.Entry
		err error
	}
	return func(yield func(store.Entry, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		ch := make(chan item, 256)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(ch)
			for e, err := range seq {
				select {
				case ch <- item{e, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
		defer wg.Wait()
		defer cancel()
		for it := range ch {
			if !yield(it.e, it.err) {
				return
			}
		}
	}
}

// ValidName reports why a listed name cannot be synced: an empty, "." or ".." segment, or a NUL byte.
// Such names exist in Blob storage ("a//b", "../x", "/abs") but have no safe place on a file system.
func ValidName(name string) error {
	if strings.IndexByte(name, 0) >= 0 {
		return fmt.Errorf("name %q holds a NUL byte", name)
	}
	for seg := range strings.SplitSeq(name, "/") {
		switch seg {
		case "", ".", "..":
			return fmt.Errorf("name %q has an empty, '.' or '..' segment and would not stay inside the destination", name)
		}
	}
	return nil
}

func (w *walker) sourceOnly(ctx context.Context, e store.Entry) {
	s := w.s
	if !w.valid(e, s.src) {
		return
	}
	if e.IsDir {
		if s.opts.Recursive && s.opts.Filter.Dir(e.Name) {
			w.markDir(ctx, e, store.Entry{})
			w.descend(ctx, e.Name, true, false)
		}
		return
	}
	if !s.opts.Filter.File(e.Name) {
		return
	}
	s.countSource(e)
	s.planCopy(ctx, task{src: e, dstName: e.Name})
}

func (w *walker) destinationOnly(ctx context.Context, e store.Entry) {
	s := w.s
	if s.opts.Delete == DeleteNever || !w.valid(e, s.dst) {
		if !e.IsDir && s.opts.Filter.File(e.Name) {
			s.Stats.DestinationFiles.Add(1)
		}
		return
	}
	if e.IsDir {
		if s.opts.Recursive && s.opts.Filter.Dir(e.Name) {
			if s.opts.DeleteDirs && e.Marker {
				s.dirs.add(e.Name)
			}
			w.descend(ctx, e.Name, false, true)
		}
		return
	}
	if !s.opts.Filter.File(e.Name) {
		return
	}
	s.Stats.DestinationFiles.Add(1)
	s.Stats.DeletesPlanned.Add(1)
	s.deletes.add(e.Name)
}

func (w *walker) both(ctx context.Context, src, dst store.Entry) {
	s := w.s
	if !w.valid(src, s.src) {
		return
	}
	if src.IsDir {
		if s.opts.Recursive && s.opts.Filter.Dir(src.Name) {
			w.markDir(ctx, src, dst)
			w.descend(ctx, src.Name, true, true)
		}
		return
	}
	if !s.opts.Filter.File(src.Name) {
		return
	}
	s.countSource(src)
	s.Stats.DestinationFiles.Add(1)
	if s.decide(ctx, src, dst) {
		s.planCopy(ctx, task{src: src, dstName: dst.Name})
	}
}

// markDir plans a directory's marker when directories are copied as objects and the destination
// has none (dst is the zero Entry when the directory is missing there).
func (w *walker) markDir(ctx context.Context, src, dst store.Entry) {
	if w.s.opts.DirectoryStubs && !dst.Marker {
		w.s.planCopy(ctx, task{src: src, dstName: src.Name})
	}
}

// valid fails an entry whose name cannot be synced safely, counting it as a failed transfer so that
// the run reports it and holds deletions back.
func (w *walker) valid(e store.Entry, st store.Store) bool {
	err := ValidName(e.Name)
	if err == nil {
		return true
	}
	w.s.Stats.CopiesFailed.Add(1)
	w.s.Stats.addFailure(Failure{Src: st.Display(e.Name), Err: err})
	w.s.obs.Failed(fmt.Errorf("skipping %s: %w", st.Display(e.Name), err))
	return false
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
