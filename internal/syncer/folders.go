package syncer

import (
	"context"
	"fmt"

	"github.com/azsync/azsync/internal/filter"
	"github.com/azsync/azsync/internal/store"
)

// fileIn reports whether the file e takes part in the sync: the filters on its path, then on its
// attributes (--include-attributes, --exclude-attributes). A file whose store keeps no attributes
// (a local destination) cannot be judged by them and is left out: never deleted, never counted.
func (s *Syncer) fileIn(e store.Entry) bool {
	return s.opts.Filter.File(e.Name) && s.attributesPass(e)
}

func (s *Syncer) attributesPass(e store.Entry) bool {
	f := s.opts.Filter
	if !f.ByAttributes() {
		return true
	}
	return e.SMB != nil && f.Matches(filter.SMBAttrs(e.SMB.Attributes))
}

// carriesFolders reports whether directories' properties take part: not under a filter that
// applies to files only (name patterns, attributes), as the reference's manual says.
func (s *Syncer) carriesFolders() bool { return !s.opts.Filter.FileOnly() }

// syncFolder plans giving a directory present on both sides the source's properties, where the
// destination's directories carry properties and they differ (a SetProps item, carried out by
// the executor like a copy).
func (s *Syncer) syncFolder(ctx context.Context, src, dst store.Entry) {
	fp, ok := s.dst.(store.FolderProperties)
	if !ok || !s.carriesFolders() {
		return
	}
	differ, err := fp.FolderDiffers(ctx, src, dst)
	if err != nil {
		s.failPlanned(Failure{Src: s.src.Display(src.Name), Dst: s.dst.Display(dst.Name), Err: err},
			fmt.Errorf("comparing the properties of %s and %s: %w", s.src.Display(src.Name), s.dst.Display(dst.Name), err))
		return
	}
	if differ {
		s.emit(ctx, Item{Op: SetProps, Src: src, Dst: dst.Name})
	}
}

// syncRoot plans the root directory's own properties (--include-root): the walk covers what is
// below the roots, never the roots themselves. A destination root that does not exist yet is
// created bare before the walk (or, in a dry run, not at all) and takes them.
func (s *Syncer) syncRoot(ctx context.Context, dstMissing bool) {
	from, ok := s.src.(store.FolderProperties)
	_, ok2 := s.dst.(store.FolderProperties)
	if !s.opts.IncludeRoot || !ok || !ok2 || !s.opts.Shard.Owns("") {
		return
	}
	src, err := from.Folder(ctx, "")
	if err != nil {
		s.failListing(err)
		return
	}
	if dstMissing {
		s.emit(ctx, Item{Op: SetProps, Src: src, Dst: ""})
		return
	}
	dst, err := s.dst.(store.FolderProperties).Folder(ctx, "")
	if err != nil {
		s.failListing(err)
		return
	}
	s.syncFolder(ctx, src, dst)
}

// failPlanned counts an entry that fails before it is carried out as a planned, failed transfer,
// so that the run reports it and holds deletions back.
func (s *Syncer) failPlanned(f Failure, err error) {
	s.Stats.CopiesPlanned.Add(1)
	s.Stats.CopiesFailed.Add(1)
	s.Stats.addFailure(f)
	s.obs.Failed(err)
}
