package blob

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/local"
	"github.com/azsync/azsync/internal/testenv"
	"github.com/azsync/azsync/internal/transfer"
)

var azurite *testenv.Azurite

func TestMain(m *testing.M) {
	// Fuzzing (FuzzListing) needs no emulator, and every fuzz worker would start its own.
	flag.Parse()
	if f := flag.Lookup("test.fuzz"); f != nil && f.Value.String() != "" || flag.Lookup("test.fuzzworker").Value.String() == "true" {
		os.Exit(m.Run())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	var err error
	azurite, err = testenv.StartAzurite(ctx)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "blob tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	azurite.Stop()
	os.Exit(code)
}

var containers atomic.Int32

// newContainer creates an empty container and returns a Shared Key client for it.
func newContainer(t *testing.T) *container.Client {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	cc := svc.NewContainerClient(fmt.Sprintf("blobtest%d", containers.Add(1)))
	if _, err := cc.Create(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return cc
}

// editingSource is a local file's source that rewrites the file (same size, other bytes, later time)
// once a read past `at` is done, as a user saving a file during its upload would.
type editingSource struct {
	store.Source
	path string
	size int64
	at   int64
	done atomic.Bool
}

func (s *editingSource) ReadAt(ctx context.Context, p []byte, off int64) error {
	err := s.Source.ReadAt(ctx, p, off)
	if off+int64(len(p)) > s.at && !s.done.Swap(true) {
		later := time.Now().Add(time.Hour)
		if werr := os.WriteFile(s.path, bytes.Repeat([]byte{1}, int(s.size)), 0o644); werr != nil {
			panic(werr)
		}
		if werr := os.Chtimes(s.path, later, later); werr != nil {
			panic(werr)
		}
	}
	return err
}

func (s *editingSource) Unchanged(ctx context.Context) error { return store.Unchanged(ctx, s.Source) }

func TestSourceChangedDuringUploadIsNotCommitted(t *testing.T) {
	const block = 64 << 10
	for _, tc := range []struct {
		name string
		size int64
	}{{"put blob", block / 2}, {"blocks", 4*block + 10}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.bin")
			if err := os.WriteFile(path, make([]byte, tc.size), 0o644); err != nil {
				t.Fatal(err)
			}
			listed, src := openLocal(t, dir, "f.bin")
			cc := newContainer(t)
			bs := New(cc, "", Options{Engine: transfer.NewEngine(4, 0, 0), BlockSize: block})
			err := bs.Put(context.Background(), listed, &editingSource{Source: src, path: path, size: tc.size, at: tc.size / 2})
			if !errors.Is(err, store.ErrSourceChanged) {
				t.Fatalf("Put of a file edited while read: %v, want ErrSourceChanged", err)
			}
			if _, err := bs.Stat(context.Background(), "f.bin"); !store.IsNotExist(err) {
				t.Fatalf("the blob of a changed source exists (err %v): it was committed", err)
			}
			list, err := cc.NewBlockBlobClient("f.bin").GetBlockList(context.Background(), blockblob.BlockListTypeCommitted, nil)
			if err == nil && len(list.CommittedBlocks) > 0 {
				t.Fatalf("committed blocks: %d", len(list.CommittedBlocks))
			}
		})
	}
}

// openLocal lists and opens the local file name of dir; the source closes with the test.
func openLocal(t *testing.T, dir, name string) (store.Entry, store.Source) {
	t.Helper()
	ls := local.New(dir, local.Options{})
	e, err := ls.Stat(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	src, err := ls.Open(context.Background(), e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return e, src
}
