// Package syncer plans and runs a sync: a lock-step walk of both sides, directory by directory, that
// decides per entry (copy, skip, delete), and an executor that carries the plan out. A dry run is the
// same plan with a printer in place of the executor, so it is exact.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
)

// DeleteMode is --delete-destination.
type DeleteMode int

const (
	DeleteNever DeleteMode = iota
	DeleteAlways
	DeletePrompt
)

// Answer is the user's reply to a deletion prompt.
type Answer int

const (
	No Answer = iota
	Yes
	YesForAll
	NoForAll
)

// Observer is how the run talks to the user and the log.
type Observer interface {
	DryRunCopy(src, dst string)
	DryRunRemove(dst string)
	// PromptDelete asks whether to delete target (shown as is) from the destination dest.
	PromptDelete(target, dest string) (Answer, error)
	Infof(format string, args ...any)
	// Warn reports a condition of the whole run.
	Warn(msg string)
	// Failed reports one failed entry or listing; err carries the context.
	Failed(err error)
}

// Options select what the run does.
type Options struct {
	Recursive   bool
	Filter      *filter.Filter
	Compare     compare.Mode
	Delete      DeleteMode
	DryRun      bool
	Concurrency int // files in flight
	// ListParallelism bounds the directories listed at once.
	ListParallelism int
	// SpillDeletesAfter is how many pending deletions are kept in memory before spilling to disk.
	SpillDeletesAfter int
	// DeleteDirs removes destination-only directories that exist as objects (Entry.Marker) once the
	// deletions have emptied them: local folders, and directory stubs under DirectoryStubs.
	DeleteDirs bool
	// DirectoryStubs copies directories as objects of their own (--include-directory-stub): a
	// directory without a marker at the destination gets one.
	DirectoryStubs bool
}

// Single describes a sync of one file: SrcFile is relative to the source store's root and DstName to
// the destination's.
type Single struct {
	SrcFile store.Entry
	DstName string
}

// Syncer runs one sync.
type Syncer struct {
	src, dst store.Store
	opts     Options
	obs      Observer
	Stats    Stats

	copies  chan task
	deletes *deleteList
	dirs    dirList

	errMu   sync.Mutex
	listErr error // first listing error: deletions are held back
}

type task struct {
	src     store.Entry
	dstName string
}

// New prepares a sync from src to dst.
func New(src, dst store.Store, opts Options, obs Observer) *Syncer {
	opts.Concurrency = max(opts.Concurrency, 1)
	opts.ListParallelism = max(opts.ListParallelism, 1)
	if opts.SpillDeletesAfter <= 0 {
		opts.SpillDeletesAfter = 10000
	}
	return &Syncer{src: src, dst: dst, opts: opts, obs: obs, deletes: newDeleteList(opts.SpillDeletesAfter)}
}

// Outcome is how a run ended.
type Outcome int

const (
	Completed Outcome = iota
	CompletedWithErrors
	Failed
	Cancelled
)

// Run walks both trees (dstMissing says the destination root does not exist yet, so it is not listed)
// and carries out the plan; single, when set, replaces the walk by one file. The error is set when
// the run did not complete cleanly; the counters say how far it got.
func (s *Syncer) Run(ctx context.Context, single *Single, dstMissing bool) (Outcome, error) {
	defer s.deletes.close()
	s.copies = make(chan task, 4*s.opts.Concurrency)
	var execWG sync.WaitGroup
	for range s.opts.Concurrency {
		execWG.Add(1)
		go func() {
			defer execWG.Done()
			for t := range s.copies {
				s.execute(ctx, t)
			}
		}()
	}

	if single != nil {
		s.planSingle(ctx, *single, dstMissing)
	} else {
		s.walkTree(ctx, dstMissing)
	}
	s.Stats.ScanDone.Store(true)
	close(s.copies)
	execWG.Wait()

	if err := ctx.Err(); err != nil {
		s.Stats.DeletesHeldBack.Store(s.Stats.DeletesPlanned.Load())
		return Cancelled, err
	}
	listErr := s.listingError()
	if listErr != nil || s.Stats.CopiesFailed.Load() > 0 {
		if held := s.Stats.DeletesPlanned.Load(); held > 0 {
			s.Stats.DeletesHeldBack.Store(held)
			s.obs.Warn(fmt.Sprintf("%d %s held back because not every listing and copy succeeded; nothing was deleted",
				held, plural(held, "deletion was", "deletions were")))
		}
		if listErr != nil {
			return Failed, listErr
		}
		return CompletedWithErrors, fmt.Errorf("%d of %d copies failed", s.Stats.CopiesFailed.Load(), s.Stats.CopiesPlanned.Load())
	}
	if err := s.runDeletes(ctx); err != nil {
		if ctx.Err() != nil {
			return Cancelled, ctx.Err()
		}
		return CompletedWithErrors, err
	}
	if n := s.Stats.DeletesFailed.Load(); n > 0 {
		return CompletedWithErrors, fmt.Errorf("%d deletions failed", n)
	}
	return Completed, nil
}

func (s *Syncer) failListing(err error) {
	s.obs.Failed(err)
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.listErr == nil {
		s.listErr = err
	}
}

func (s *Syncer) listingError() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.listErr
}

func (s *Syncer) planSingle(ctx context.Context, one Single, dstMissing bool) {
	s.countSource(one.SrcFile)
	if !dstMissing {
		dst, err := s.dst.Stat(ctx, one.DstName)
		switch {
		case err == nil && dst.IsDir:
			s.failListing(fmt.Errorf("cannot sync file %s over the folder %s", s.src.Display(one.SrcFile.Name), s.dst.Display(one.DstName)))
			return
		case err == nil:
			s.Stats.DestinationFiles.Add(1)
			if !s.decide(ctx, one.SrcFile, dst) {
				return
			}
		case !store.IsNotExist(err):
			s.failListing(err)
			return
		}
	}
	s.planCopy(ctx, task{src: one.SrcFile, dstName: one.DstName})
}

func (s *Syncer) countSource(e store.Entry) {
	s.Stats.SourceFiles.Add(1)
	s.Stats.BytesEnumerated.Add(e.Size)
}

// decide applies the comparison rule to a pair present on both sides; it counts a skip.
func (s *Syncer) decide(ctx context.Context, src, dst store.Entry) bool {
	// A store that keeps coarser times (Azure Files: 100 ns) truncated the time it recorded: compare
	// at that precision, or a file copied there would look older than its source forever.
	prec := store.Precision(s.src, s.dst)
	srcSide := compare.Side{ModTime: src.ModTime.Truncate(prec), MD5: src.MD5}
	dstSide := compare.Side{ModTime: dst.ModTime.Truncate(prec), MD5: dst.MD5}
	if s.opts.Compare == compare.ByMD5 {
		srcSide.MD5 = s.hash(ctx, s.src, src)
		dstSide.MD5 = s.hash(ctx, s.dst, dst)
	}
	d := compare.Decide(s.opts.Compare, srcSide, dstSide)
	if !d.Copy {
		s.Stats.Skipped.Add(1)
	}
	return d.Copy
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

func (s *Syncer) planCopy(ctx context.Context, t task) {
	s.Stats.CopiesPlanned.Add(1)
	if t.src.IsDir {
		s.Stats.FoldersPlanned.Add(1)
	}
	s.Stats.BytesPlanned.Add(t.src.Size)
	select {
	case s.copies <- t:
	case <-ctx.Done():
	}
}

func (s *Syncer) execute(ctx context.Context, t task) {
	srcName, dstName := s.src.Display(t.src.Name), s.dst.Display(t.dstName)
	if s.opts.DryRun {
		s.obs.DryRunCopy(srcName, dstName)
		return
	}
	if ctx.Err() != nil {
		return
	}
	err := s.copyOne(ctx, t)
	if errors.Is(err, store.ErrSourceChanged) && ctx.Err() == nil {
		t, err = s.retryChanged(ctx, t, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return // a cancelled run is reported once, not per file
		}
		s.Stats.CopiesFailed.Add(1)
		s.Stats.addFailure(Failure{Src: srcName, Dst: dstName, Err: err})
		s.obs.Failed(fmt.Errorf("copying %s to %s: %w", srcName, dstName, err))
		return
	}
	s.Stats.CopiesDone.Add(1)
	s.Stats.BytesTransferred.Add(t.src.Size)
	s.obs.Infof("copied %s to %s (%d bytes)", srcName, dstName, t.src.Size)
}

// retryChanged copies once more an entry whose source changed while it was copied (a file saved
// during its upload), from its new state; a source that changes again fails the entry.
func (s *Syncer) retryChanged(ctx context.Context, t task, first error) (task, error) {
	now, err := s.src.Stat(ctx, t.src.Name)
	if err != nil {
		return t, fmt.Errorf("%w; looking at it again: %w", first, err)
	}
	s.obs.Infof("%s changed while it was being copied; copying it again", s.src.Display(t.src.Name))
	s.Stats.BytesPlanned.Add(now.Size - t.src.Size)
	t.src = now
	return t, s.copyOne(ctx, t)
}

func (s *Syncer) copyOne(ctx context.Context, t task) error {
	e := t.src
	e.Name = t.dstName
	if e.IsDir {
		return s.dst.Put(ctx, e, nil)
	}
	if copier, ok := s.dst.(store.ServerCopier); ok {
		if from, ok := s.src.(store.URLSource); ok {
			return copier.CopyFromURL(ctx, e, from.SourceURL(t.src.Name))
		}
	}
	src, err := s.src.Open(ctx, t.src)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := s.dst.Put(ctx, e, src); err != nil {
		return err
	}
	return s.checkUnchanged(ctx, t.src)
}

// checkUnchanged fails a copy whose source changed while it was read, which could have mixed two
// versions. Remote sources pin their version with If-Match (ETag); local files are looked at again.
// The next run copies the file again, since its time is now later than the one recorded.
func (s *Syncer) checkUnchanged(ctx context.Context, listed store.Entry) error {
	if listed.ETag != "" {
		return nil
	}
	now, err := s.src.Stat(ctx, listed.Name)
	if err != nil {
		return fmt.Errorf("checking the source after the copy: %w", err)
	}
	if now.Size != listed.Size || !now.ModTime.Equal(listed.ModTime) {
		return fmt.Errorf("%w; run the sync again", store.ErrSourceChanged)
	}
	return nil
}

func (s *Syncer) runDeletes(ctx context.Context) error {
	if s.deletes.len() == 0 && len(s.dirs.names) == 0 {
		return nil
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				s.deleteOne(ctx, name)
			}
		}()
	}
	err := s.feedDeletes(ctx, jobs)
	close(jobs)
	wg.Wait()
	if err != nil {
		return err
	}
	// Folders go last and deepest first, once their files are gone. One that still holds entries the
	// filters kept out (or the user chose to keep) stays.
	for _, dir := range s.dirs.deepestFirst() {
		if s.opts.DryRun {
			s.obs.DryRunRemove(s.dst.Display(dir))
			continue
		}
		if err := s.dst.Delete(ctx, dir, true); err == nil {
			s.obs.Infof("deleted folder %s", s.dst.Display(dir))
		}
	}
	return nil
}

func (s *Syncer) feedDeletes(ctx context.Context, jobs chan<- string) error {
	ask := s.opts.Delete == DeletePrompt && !s.opts.DryRun
	for name, err := range s.deletes.all() {
		if err != nil {
			return err
		}
		if ask {
			a, err := s.obs.PromptDelete(name, s.dst.Display(""))
			if err != nil {
				return fmt.Errorf("asking whether to delete %s: %w", s.dst.Display(name), err)
			}
			switch a {
			case NoForAll:
				return nil
			case No:
				continue
			case YesForAll:
				ask = false
			}
		}
		select {
		case jobs <- name:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *Syncer) deleteOne(ctx context.Context, name string) {
	display := s.dst.Display(name)
	if s.opts.DryRun {
		s.obs.DryRunRemove(display)
		return
	}
	if err := s.dst.Delete(ctx, name, false); err != nil && !errors.Is(err, store.ErrNotExist) {
		if ctx.Err() == nil {
			s.Stats.DeletesFailed.Add(1)
			s.Stats.addFailure(Failure{Dst: display, Err: err})
			s.obs.Failed(fmt.Errorf("deleting %s: %w", display, err))
		}
		return
	}
	s.Stats.Deleted.Add(1)
	s.obs.Infof("deleted %s", display)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
