package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/azsync/azsync/internal/store"
)

// executor carries out plan items. The applier changes the destination; the printer, for a dry
// run, only says what the applier would do. Neither decides anything: the plan is the same.
type executor interface {
	copy(ctx context.Context, it Item) bool // a Copy, Mkdir or SetProps item; reports whether it succeeded
	remove(ctx context.Context, name string)
	rmdir(ctx context.Context, name string)
	// confirm is asked before each deletion until it answers YesForAll (or NoForAll).
	confirm(ctx context.Context, name string) (Answer, error)
}

// printer is the dry run's executor.
type printer struct{ s *Syncer }

func (p printer) copy(_ context.Context, it Item) bool {
	p.s.obs.DryRunCopy(p.s.src.Display(it.Src.Name), p.s.dst.Display(it.Dst), it.Op == Mkdir)
	return true
}

// remove counts the deletion as done, so that the dry run's summary says how many the plan holds.
func (p printer) remove(_ context.Context, name string) {
	p.s.Stats.Deleted.Add(1)
	p.s.obs.DryRunRemove(p.s.dst.Display(name), false)
}

// rmdir counts a folder removal as a deletion, as the run would.
func (p printer) rmdir(_ context.Context, name string) {
	p.s.Stats.Deleted.Add(1)
	p.s.obs.DryRunRemove(p.s.dst.Display(name), true)
}

// confirm: a dry run asks nothing and lists every deletion the plan holds.
func (p printer) confirm(context.Context, string) (Answer, error) { return YesForAll, nil }

// applier is the executor that changes the destination.
type applier struct {
	s *Syncer
	// streaming is set once the destination service could not read a source (S2SAuto): from then
	// on copies go through azsync.
	streaming atomic.Bool
}

func (a *applier) confirm(ctx context.Context, name string) (Answer, error) {
	if a.s.opts.Delete != DeletePrompt {
		return YesForAll, nil
	}
	return a.s.obs.PromptDelete(ctx, name, a.s.dst.Display(""))
}

func (a *applier) copy(ctx context.Context, it Item) bool {
	s := a.s
	if ctx.Err() != nil {
		return false
	}
	err := a.copyOne(ctx, it)
	if errors.Is(err, store.ErrSourceChanged) && ctx.Err() == nil {
		it, err = a.retryChanged(ctx, it, err)
	}
	if err != nil {
		if ctx.Err() != nil {
			return false // a cancelled run is reported once, not per file
		}
		srcName, dstName := s.src.Display(it.Src.Name), s.dst.Display(it.Dst)
		s.Stats.CopiesFailed.Add(1)
		s.Stats.addFailure(Failure{Src: srcName, Dst: dstName, Err: err})
		s.obs.Failed(fmt.Errorf("copying %s to %s: %w", srcName, dstName, err))
		return false
	}
	s.Stats.CopiesDone.Add(1)
	s.Stats.BytesTransferred.Add(it.Src.Size)
	// One compact line per file, relative to the roots the log names at the start: at a million
	// files, full URLs made the log 147 MB. Display names are only built for failures.
	switch {
	case it.Op == Mkdir:
		s.obs.Infof("created folder %s", it.Dst)
	case it.Dst == it.Src.Name:
		s.obs.Infof("copied %s (%d bytes)", it.Src.Name, it.Src.Size)
	default:
		s.obs.Infof("copied %s as %s (%d bytes)", it.Src.Name, it.Dst, it.Src.Size)
	}
	return true
}

// retryChanged copies once more an entry whose source changed while it was copied (a file saved
// during its upload), from its new state; a source that changes again fails the entry.
func (a *applier) retryChanged(ctx context.Context, it Item, first error) (Item, error) {
	s := a.s
	now, err := s.src.Stat(ctx, it.Src.Name)
	if err != nil {
		return it, fmt.Errorf("%w; looking at it again: %w", first, err)
	}
	s.obs.Infof("%s changed while it was being copied; copying it again", it.Src.Name)
	s.Stats.BytesPlanned.Add(now.Size - it.Src.Size)
	it.Src = now
	return it, a.copyOne(ctx, it)
}

func (a *applier) copyOne(ctx context.Context, it Item) error {
	s := a.s
	e := it.Src
	e.Name = it.Dst
	switch it.Op {
	case Mkdir:
		return s.dst.Put(ctx, e, nil)
	case SetProps:
		return s.dst.(store.FolderProperties).SetFolder(ctx, e)
	}
	if copier, from, ok := a.serverCopy(); ok {
		err := copier.CopyFromURL(ctx, e, from.SourceURL(it.Src.Name))
		var unreachable *store.SourceUnreachableError
		switch {
		case !errors.As(err, &unreachable):
			return err
		case s.opts.S2S == S2SService:
			return fmt.Errorf("%w (--s2s-copy=stream or auto copies through azsync instead)", err)
		}
		if a.streaming.CompareAndSwap(false, true) {
			s.obs.Infof("%s: %v", it.Src.Name, err)
			s.obs.Warn(fmt.Sprintf("the destination service cannot read the source (%s): copying through azsync for the rest of the run (the bytes now pass through this machine)", unreachable.Why))
		}
	}
	return a.stream(ctx, it, e)
}

// serverCopy returns the stores when the service is to copy the entry itself: the destination can
// copy from a URL the source gives, and the run does not stream (S2SStream, or since a failure).
func (a *applier) serverCopy() (store.ServerCopier, store.URLSource, bool) {
	copier, ok1 := a.s.dst.(store.ServerCopier)
	from, ok2 := a.s.src.(store.URLSource)
	return copier, from, ok1 && ok2 && a.s.opts.S2S != S2SStream && !a.streaming.Load()
}

// stream copies an entry through azsync: ranged reads from the source, Put to the destination.
func (a *applier) stream(ctx context.Context, it Item, e store.Entry) error {
	s := a.s
	src, err := s.src.Open(ctx, it.Src)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := s.dst.Put(ctx, e, src); err != nil {
		return err
	}
	return a.checkUnchanged(ctx, it.Src, src)
}

// checkUnchanged fails a copy whose source changed while it was read, which could have mixed two
// versions. Remote sources pin their version with If-Match (ETag); local files are looked at again,
// through the source still open (store.Verifier), which need not stat the file a second time when
// the destination checked it after the last read. The next run copies the file again, since its
// time is now later than the one recorded.
func (a *applier) checkUnchanged(ctx context.Context, listed store.Entry, src store.Source) error {
	if listed.ETag != "" {
		return nil
	}
	var err error
	if v, ok := src.(store.Verifier); ok {
		err = v.Unchanged(ctx)
	} else {
		err = a.statUnchanged(ctx, listed)
	}
	if errors.Is(err, store.ErrSourceChanged) {
		return fmt.Errorf("%w; run the sync again", store.ErrSourceChanged)
	}
	if err != nil {
		return fmt.Errorf("checking the source after the copy: %w", err)
	}
	return nil
}

// statUnchanged looks at the source again by name: the check for a source that cannot tell itself.
func (a *applier) statUnchanged(ctx context.Context, listed store.Entry) error {
	now, err := a.s.src.Stat(ctx, listed.Name)
	if err != nil {
		return err
	}
	if now.Size != listed.Size || !now.ModTime.Equal(listed.ModTime) {
		return store.ErrSourceChanged
	}
	return nil
}

func (a *applier) remove(ctx context.Context, name string) {
	s := a.s
	if err := s.dst.Delete(ctx, name, false); err != nil {
		if ctx.Err() == nil {
			display := s.dst.Display(name)
			s.Stats.DeletesFailed.Add(1)
			s.Stats.addFailure(Failure{Dst: display, Err: err})
			s.obs.Failed(fmt.Errorf("deleting %s: %w", display, err))
		}
		return
	}
	s.Stats.Deleted.Add(1)
	s.obs.Infof("deleted %s", name)
}

// rmdir removes a folder the deletions emptied, counted as a deletion (as the reference counts
// it); one that still holds something stays, quietly.
func (a *applier) rmdir(ctx context.Context, name string) {
	if err := a.s.dst.Delete(ctx, name, true); err == nil {
		a.s.Stats.Deleted.Add(1)
		a.s.obs.Infof("deleted folder %s", name)
	}
}
