package local_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/local"
	"github.com/azsync/azsync/internal/store/storetest"
	"github.com/azsync/azsync/internal/transfer"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) store.Store {
		return local.New(t.TempDir(), local.Options{Engine: transfer.NewEngine(4, 0, 0), BlockSize: storetest.ChunkSize})
	}})
}

// A source vouches for the bytes read: a check with no read since the last one that passed keeps its
// answer (so the copy's final check costs no second stat), a read after a change is caught.
func TestUnchangedCoversTheBytesRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := local.New(dir, local.Options{Engine: transfer.NewEngine(4, 0, 0)})
	e, err := s.Stat(ctx, "a.txt")
	if err != nil {
		t.Fatal(err)
	}
	src, err := s.Open(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	buf := make([]byte, e.Size)
	if err := src.ReadAt(ctx, buf, 0); err != nil {
		t.Fatal(err)
	}
	v := src.(store.Verifier)
	if err := v.Unchanged(ctx); err != nil {
		t.Fatalf("unchanged file: %v", err)
	}
	later := e.ModTime.Add(time.Hour)
	if err := os.Chtimes(p, later, later); err != nil {
		t.Fatal(err)
	}
	if err := v.Unchanged(ctx); err != nil {
		t.Errorf("changed after the last read, nothing read since: %v; want the bytes read vouched for", err)
	}
	if err := src.ReadAt(ctx, buf, 0); err != nil {
		t.Fatal(err)
	}
	if err := v.Unchanged(ctx); !errors.Is(err, store.ErrSourceChanged) {
		t.Errorf("read after a change: %v; want ErrSourceChanged", err)
	}
}

// BenchmarkList lists a folder of 100 empty files, the shape of a no-change sync's local side.
func BenchmarkList(b *testing.B) {
	root := b.TempDir()
	for i := range 100 {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("f%05d.bin", i)), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	s := local.New(root, local.Options{})
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range s.List(context.Background(), "") {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
