// Package march pairs two listings of one directory, as rclone's fs/march does: it walks both in
// store.Key order and says, for each name, whether only the source has it, only the destination,
// or both. It decides nothing else: filtering, comparison and planning happen in the visitor.
package march

import (
	"fmt"
	"iter"

	"github.com/azsync/azsync/internal/store"
)

// Visitor receives the pairs in Key order.
type Visitor interface {
	SourceOnly(src store.Entry)
	DestinationOnly(dst store.Entry)
	Both(src, dst store.Entry)
}

// OrderError says a listing yielded a name out of Key order (or twice): pairing it would take present
// entries for missing ones, so the merge stops.
type OrderError struct {
	Source bool   // the source's listing, else the destination's
	Name   string // the entry out of place
}

func (e *OrderError) Error() string {
	side := "destination"
	if e.Source {
		side = "source"
	}
	return fmt.Sprintf("the %s's listing is not in name order at %q", side, e.Name)
}

// Merge walks src and dst together and calls v for every name in Key order. It stops at the first
// listing error (or OrderError) and returns it; entries before it have been visited.
func Merge(src, dst iter.Seq2[store.Entry, error], v Visitor) error {
	srcNext, srcStop := iter.Pull2(ordered(src, true))
	defer srcStop()
	dstNext, dstStop := iter.Pull2(ordered(dst, false))
	defer dstStop()

	se, serr, sok := srcNext()
	de, derr, dok := dstNext()
	for sok || dok {
		switch {
		case serr != nil:
			return serr
		case derr != nil:
			return derr
		case dok && (!sok || store.Key(de) < store.Key(se)):
			v.DestinationOnly(de)
			de, derr, dok = dstNext()
		case sok && (!dok || store.Key(se) < store.Key(de)):
			v.SourceOnly(se)
			se, serr, sok = srcNext()
		default:
			v.Both(se, de)
			se, serr, sok = srcNext()
			de, derr, dok = dstNext()
		}
	}
	return nil
}

// ordered passes a listing through, ending it with an OrderError at the first entry whose key is not
// greater than the one before.
func ordered(seq iter.Seq2[store.Entry, error], source bool) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		last := "" // no key is empty
		for e, err := range seq {
			if err == nil {
				if k := store.Key(e); k <= last {
					err = &OrderError{Source: source, Name: e.Name}
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
