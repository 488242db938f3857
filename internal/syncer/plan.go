package syncer

import (
	"context"
	"fmt"
	"sync"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/store"
)

// Op is what one plan item asks for.
type Op int

const (
	// Copy copies a source file to the destination.
	Copy Op = iota
	// Mkdir creates a directory's marker at the destination (--include-directory-stub).
	Mkdir
	// Delete deletes a destination file; it waits until every listing and copy succeeded.
	Delete
	// Rmdir removes a destination directory once the deletions have emptied it.
	Rmdir
	// Skip leaves a pair present on both sides as it is; Reason says why.
	Skip
	// SetProps gives a directory present on both sides the source's properties
	// (store.FolderProperties): a folder-property transfer, as Mkdir is.
	SetProps
)

// Item is one step of the plan. The planner emits items as the walk finds them; the executor (or,
// for a dry run, the printer) carries them out.
type Item struct {
	Op Op
	// Src is the source entry of a Copy, Mkdir or SetProps. Its MD5 is the one a checker computed for
	// --compare-hash, so that the upload need not hash the content again.
	Src    store.Entry
	Dst    string // destination name
	Reason string // Skip: why
}

// emit routes an item: copies to the executor as they come, deletions and folder removals to the
// lists held until the end, skips to the counters.
func (s *Syncer) emit(ctx context.Context, it Item) {
	switch it.Op {
	case Copy, Mkdir, SetProps:
		s.countCopy(it)
		select {
		case s.copies <- it:
		case <-ctx.Done():
		}
	case Delete:
		s.Stats.DeletesPlanned.Add(1)
		s.deletes.add(it.Dst)
	case Rmdir:
		s.Stats.DeletesPlanned.Add(1)
		s.dirs.add(it.Dst)
	case Skip:
		s.Stats.Skipped.Add(1)
	}
}

// countCopy counts a planned Copy, Mkdir or SetProps.
func (s *Syncer) countCopy(it Item) {
	s.Stats.CopiesPlanned.Add(1)
	if it.Op == Mkdir || it.Op == SetProps {
		s.Stats.FoldersPlanned.Add(1)
	}
	s.Stats.BytesPlanned.Add(it.Src.Size)
}

func (s *Syncer) planSingle(ctx context.Context, one Single, dstMissing bool) {
	if !s.opts.Shard.Owns("") {
		return // a single file is above any shard depth: shard 0's
	}
	if !s.attributesPass(one.SrcFile) {
		return
	}
	s.countSource(one.SrcFile)
	if !dstMissing {
		dst, err := s.dst.Stat(ctx, one.DstName)
		switch {
		case err == nil && dst.IsDir:
			s.failListing(fmt.Errorf("cannot sync file %s over the folder %s", s.src.Display(one.SrcFile.Name), s.dst.Display(one.DstName)))
			return
		case err == nil:
			s.Stats.DestinationFiles.Add(1)
			s.compare(ctx, one.SrcFile, dst)
			return
		case !store.IsNotExist(err):
			s.failListing(err)
			return
		}
	}
	s.emit(ctx, Item{Op: Copy, Src: one.SrcFile, Dst: one.DstName})
}

func (s *Syncer) countSource(e store.Entry) {
	s.Stats.SourceFiles.Add(1)
	s.Stats.BytesEnumerated.Add(e.Size)
}

// compare plans a file present on both sides: a Copy or a Skip. Comparing by hash may read
// content, so those pairs go to the bounded pool of checkers instead of holding up the walk.
func (s *Syncer) compare(ctx context.Context, src, dst store.Entry) {
	if s.opts.Compare != compare.ByMD5 {
		s.emit(ctx, s.decide(ctx, src, dst))
		return
	}
	select {
	case s.checks <- pair{src, dst}:
	case <-ctx.Done():
	}
}

type pair struct{ src, dst store.Entry }

// startCheckers runs the pool that hashes and decides pairs for --compare-hash; the returned
// function closes the queue and waits for the pool.
func (s *Syncer) startCheckers(ctx context.Context) (wait func()) {
	s.checks = make(chan pair, s.opts.Checkers)
	var wg sync.WaitGroup
	for range s.opts.Checkers {
		wg.Go(func() {
			for p := range s.checks {
				s.emit(ctx, s.decide(ctx, p.src, p.dst))
			}
		})
	}
	return func() {
		close(s.checks)
		wg.Wait()
	}
}

// decide applies the comparison rule to a pair present on both sides.
func (s *Syncer) decide(ctx context.Context, src, dst store.Entry) Item {
	// A store that keeps coarser times (Azure Files: 100 ns) truncated the time it recorded: compare
	// at that precision, or a file copied there would look older than its source forever.
	prec := store.Precision(s.src, s.dst)
	srcSide := compare.Side{ModTime: src.ModTime.Truncate(prec), MD5: src.MD5}
	dstSide := compare.Side{ModTime: dst.ModTime.Truncate(prec), MD5: dst.MD5}
	if s.opts.Compare == compare.ByMD5 {
		srcSide.MD5 = s.hash(ctx, s.src, src)
		dstSide.MD5 = s.hash(ctx, s.dst, dst)
		src.MD5 = srcSide.MD5 // travels with the copy: the upload stores it without hashing again
	}
	d := compare.Decide(s.opts.Compare, srcSide, dstSide)
	if !d.Copy {
		return Item{Op: Skip, Src: src, Dst: dst.Name, Reason: d.Reason}
	}
	return Item{Op: Copy, Src: src, Dst: dst.Name}
}

// hash returns an entry's MD5, reading local content when the listing had none. A failed read is
// logged and treated as unknown, which the rule handles.
func (s *Syncer) hash(ctx context.Context, st store.Store, e store.Entry) []byte {
	if e.MD5 != nil {
		return e.MD5
	}
	h, ok := st.(store.Hasher)
	if !ok {
		return nil
	}
	sum, err := h.HashMD5(ctx, e.Name)
	if err != nil {
		s.obs.Failed(fmt.Errorf("hashing %s: %w", st.Display(e.Name), err))
		return nil
	}
	return sum
}
