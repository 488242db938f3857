// Package syncer plans and runs a sync. The walk lists both sides directory by directory and pairs
// the listings with march.Merge; the planner behind it filters, checks names, compares (hashing in a
// bounded pool of checkers for --compare-hash) and emits plan items: copy, mkdir, delete, rmdir,
// skip. An executor carries the items out: copies as they come, deletions and folder removals only
// once every listing and copy succeeded. A dry run is the same plan with a printer in place of the
// executor, so it is exact by construction.
package syncer

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/azsync/azsync/internal/compare"
	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/output"
	"github.com/azsync/azsync/internal/shard"
	"github.com/azsync/azsync/internal/store"
)

// DeleteMode is --delete-destination.
type DeleteMode int

const (
	DeleteNever DeleteMode = iota
	DeleteAlways
	DeletePrompt
)

// Answer is the user's reply to a deletion prompt: the reporter's own type, so that the answer
// reaches the executor as the prompt read it.
type Answer = output.Answer

const (
	No        = output.No
	Yes       = output.Yes
	YesForAll = output.YesForAll
	NoForAll  = output.NoForAll
)

// Observer is how the run talks to the user and the log.
type Observer interface {
	// DryRunCopy and DryRunRemove print one step of a dry run's plan; folder says it is a directory.
	DryRunCopy(src, dst string, folder bool)
	DryRunRemove(dst string, folder bool)
	// PromptDelete asks whether to delete target (shown as is) from the destination dest.
	PromptDelete(ctx context.Context, target, dest string) (Answer, error)
	Infof(format string, args ...any)
	// Warn reports a condition of the whole run.
	Warn(msg string)
	// Failed reports one failed entry or listing; err carries the context.
	Failed(err error)
}

// Options select what the run does.
type Options struct {
	Recursive bool
	Filter    *filter.Filter
	Compare   compare.Mode
	Delete    DeleteMode
	// DryRun prints the plan instead of carrying it out.
	DryRun      bool
	Concurrency int // files in flight
	// Checkers bounds the pairs hashed at once for --compare-hash (default 8, as rclone's --checkers).
	Checkers int
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
	// IncludeRoot gives the destination root the source root's properties (--include-root), where
	// both stores' directories carry properties (store.FolderProperties).
	IncludeRoot bool
	// Shard, when set, is the part of the job this run does (--shard): it lists, copies, compares,
	// counts and deletes only what the partition gives it (see package shard).
	Shard shard.Spec
	// S2S says how entries go between two services that can copy by URL (--s2s-copy).
	S2S S2SMode
}

// S2SMode is --s2s-copy: how an entry goes from one service to another.
type S2SMode int

const (
	// S2SAuto has the service copy, until it cannot read a source: then the rest of the run streams.
	S2SAuto S2SMode = iota
	// S2SService has the service copy every entry (the bytes never pass through azsync).
	S2SService
	// S2SStream copies every entry through azsync: read from the source, written to the destination.
	S2SStream
)

// ParseS2S reads --s2s-copy.
func ParseS2S(v string) (S2SMode, error) {
	switch strings.ToLower(v) {
	case "auto":
		return S2SAuto, nil
	case "service":
		return S2SService, nil
	case "stream":
		return S2SStream, nil
	}
	return S2SAuto, fmt.Errorf("invalid --s2s-copy %q: valid values are auto, service and stream", v)
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
	exec     executor
	Stats    Stats

	copies  chan Item // Copy, Mkdir and SetProps items on their way to the executor
	checks  chan pair // pairs waiting for a checker (--compare-hash)
	deletes *deleteList
	dirs    dirList

	// realDirs: both sides keep directories of their own, so the destination gets every source
	// directory, empty ones included (see markDir).
	realDirs bool

	errMu   sync.Mutex
	listErr error // first listing error: deletions are held back
}

// New prepares a sync from src to dst.
func New(src, dst store.Store, opts Options, obs Observer) *Syncer {
	opts.Concurrency = max(opts.Concurrency, 1)
	opts.ListParallelism = max(opts.ListParallelism, 1)
	if opts.Checkers <= 0 {
		opts.Checkers = 8
	}
	if opts.SpillDeletesAfter <= 0 {
		opts.SpillDeletesAfter = 10000
	}
	s := &Syncer{src: src, dst: dst, opts: opts, obs: obs, deletes: newDeleteList(opts.SpillDeletesAfter)}
	_, srcReal := src.(store.RealDirs)
	_, dstReal := dst.(store.RealDirs)
	s.realDirs = srcReal && dstReal
	if opts.DryRun {
		s.exec = printer{s}
	} else {
		s.exec = &applier{s: s}
	}
	return s
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
	s.planAndCopy(ctx, single, dstMissing)
	if err := ctx.Err(); err != nil {
		s.Stats.DeletesHeldBack.Store(s.Stats.DeletesPlanned.Load())
		return Cancelled, err
	}
	if s.listingError() == nil {
		s.removeLeftovers(ctx)
	}
	if out, err, unclean := s.holdBack(); unclean {
		return out, err
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

// planAndCopy runs the planner and, alongside it, the executor's copy workers, until both are done.
func (s *Syncer) planAndCopy(ctx context.Context, single *Single, dstMissing bool) {
	s.copies = make(chan Item, 4*s.opts.Concurrency)
	var execWG sync.WaitGroup
	for range s.opts.Concurrency {
		execWG.Go(func() {
			for it := range s.copies {
				s.exec.copy(ctx, it)
			}
		})
	}
	waitCheckers := s.startCheckers(ctx)
	if single != nil {
		s.planSingle(ctx, *single, dstMissing)
	} else {
		s.walkTree(ctx, dstMissing)
	}
	waitCheckers()
	s.Stats.ScanDone.Store(true)
	close(s.copies)
	execWG.Wait()
}

// holdBack keeps every deletion from running when a listing or a copy failed, and says how the run
// ended then (unclean set).
func (s *Syncer) holdBack() (out Outcome, err error, unclean bool) {
	listErr := s.listingError()
	if listErr == nil && s.Stats.CopiesFailed.Load() == 0 {
		return Completed, nil, false
	}
	if held := s.Stats.DeletesPlanned.Load(); held > 0 {
		s.Stats.DeletesHeldBack.Store(held)
		s.obs.Warn(fmt.Sprintf("%d %s held back because not every listing and copy succeeded; nothing was deleted",
			held, plural(held, "deletion was", "deletions were")))
	}
	if listErr != nil {
		return Failed, listErr, true
	}
	return CompletedWithErrors, fmt.Errorf("%d of %d copies failed", s.Stats.CopiesFailed.Load(), s.Stats.CopiesPlanned.Load()), true
}

// removeLeftovers deletes the temporaries an interrupted run left at the destination, which the
// (complete) listings skipped. A failure is worth a warning, not a failed run: they are not data.
func (s *Syncer) removeLeftovers(ctx context.Context) {
	r, ok := s.dst.(store.LeftoverRemover)
	if !ok || s.opts.DryRun {
		return
	}
	n, err := r.RemoveLeftovers(ctx)
	if err != nil {
		s.obs.Warn(err.Error())
	}
	if n > 0 {
		s.obs.Infof("removed %d %s left by an interrupted run", n, plural(int64(n), "temporary file", "temporary files"))
	}
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

// runDeletes carries out the held deletions, asking first when the executor says so, then removes
// the folders they emptied, deepest first.
func (s *Syncer) runDeletes(ctx context.Context) error {
	if s.deletes.len() == 0 && len(s.dirs.names) == 0 {
		return nil
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Go(func() {
			for name := range jobs {
				s.exec.remove(ctx, name)
			}
		})
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
		s.exec.rmdir(ctx, dir)
	}
	return nil
}

func (s *Syncer) feedDeletes(ctx context.Context, jobs chan<- string) error {
	ask := true
	for name, err := range s.deletes.all() {
		if err != nil {
			return err
		}
		if ask {
			a, err := s.exec.confirm(ctx, name)
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

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
