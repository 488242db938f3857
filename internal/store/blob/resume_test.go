package blob

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/testenv"
	"github.com/azsync/azsync/internal/transfer"
)

const (
	resumeBlock  = 64 << 10
	resumeBlocks = 8
	resumeStaged = 5 // blocks the interrupted upload gets in
)

// blockCounter is a testenv.BlockGate in front of Azurite that makes stores reaching Azurite through it.
type blockCounter struct{ *testenv.BlockGate }

func newBlockCounter(t *testing.T) *blockCounter {
	t.Helper()
	g, err := testenv.NewBlockGate(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return &blockCounter{g}
}

// store is the blob store of container name reached through the proxy, moving one block at a time
// (so the blocks an interrupted upload staged are exactly the first ones) or four.
func (bc *blockCounter) store(t *testing.T, cc *container.Client, sas string, parallel int) *Store {
	t.Helper()
	u := bc.URL + "/" + testenv.DevAccount + "/" + containerName(cc)
	if sas != "" {
		u += "?" + sas
	}
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{
		Retry:            policy.RetryOptions{MaxRetries: 1, RetryDelay: time.Millisecond},
		PerRetryPolicies: []policy.Policy{transfer.FreshBodies{}},
	}}
	var through *container.Client
	var err error
	if sas != "" {
		through, err = container.NewClientWithNoCredential(u, opts)
	} else {
		var cred *container.SharedKeyCredential
		if cred, err = container.NewSharedKeyCredential(testenv.DevAccount, testenv.DevKey); err == nil {
			through, err = container.NewClientWithSharedKeyCredential(u, cred, opts)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return New(through, "", Options{Engine: transfer.NewEngine(parallel, 0, 0), BlockSize: resumeBlock, PutMD5: true})
}

func containerName(cc *container.Client) string {
	u := cc.URL()
	return u[strings.LastIndexByte(u, '/')+1:]
}

// putFile uploads the local file name of dir to bs under the same name.
func putFile(t *testing.T, bs *Store, dir, name string) error {
	t.Helper()
	e, src := openLocal(t, dir, name)
	return bs.Put(context.Background(), e, src)
}

// downloaded is the committed content of blob name.
func downloaded(t *testing.T, cc *container.Client, name string) []byte {
	t.Helper()
	resp, err := cc.NewBlobClient(name).DownloadStream(context.Background(), nil)
	if err != nil {
		t.Fatalf("downloading %s: %v", name, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestInterruptedUploadResumes: an upload refused after 5 of its 8 blocks leaves nothing visible;
// the next upload of the unchanged file stages only the 3 missing blocks and commits the right
// bytes. A file whose time or size changed in between stages every block again.
func TestInterruptedUploadResumes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(path string, data []byte) []byte // the source's change between the runs
		want   int32                                 // blocks the second upload stages
	}{
		{"unchanged", func(string, []byte) []byte { return nil }, resumeBlocks - resumeStaged},
		{"new time", touch, resumeBlocks},
		{"new size", grow, resumeBlocks + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "big.bin")
			data := make([]byte, resumeBlocks*resumeBlock-100)
			for i := range data {
				data[i] = byte(rand.IntN(256))
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			cc := newContainer(t)
			bc := newBlockCounter(t)
			bc.RefuseAfter.Store(resumeStaged)
			if err := putFile(t, bc.store(t, cc, "", 1), dir, "big.bin"); err == nil {
				t.Fatal("the upload refused after 5 blocks succeeded")
			}
			if bc.Staged.Load() != resumeStaged {
				t.Fatalf("the interrupted upload staged %d blocks, want %d", bc.Staged.Load(), resumeStaged)
			}
			if _, err := New(cc, "", Options{}).Stat(context.Background(), "big.bin"); !store.IsNotExist(err) {
				t.Fatalf("after the interrupted upload the blob is visible (err %v)", err)
			}
			if changed := tc.change(path, data); changed != nil {
				data = changed
			}
			bc.RefuseAfter.Store(0)
			bc.Staged.Store(0)
			if err := putFile(t, bc.store(t, cc, "", 4), dir, "big.bin"); err != nil {
				t.Fatal(err)
			}
			if got := bc.Staged.Load(); got != tc.want {
				t.Errorf("the second upload staged %d blocks, want %d", got, tc.want)
			}
			if got := downloaded(t, cc, "big.bin"); !bytes.Equal(got, data) {
				t.Errorf("the blob's %d bytes are not the file's %d", len(got), len(data))
			}
		})
	}
}

// touch gives the file a later modification time, its content unchanged.
func touch(path string, _ []byte) []byte {
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		panic(err)
	}
	return nil
}

// grow appends one block's worth of bytes and returns the new content.
func grow(path string, data []byte) []byte {
	data = append(data, bytes.Repeat([]byte{7}, resumeBlock)...)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		panic(err)
	}
	return data
}

// TestInterruptedBlobCopyResumes: a Blob → Blob copy by blocks refused after 5 of its 8 blocks is
// finished by the next copy of the same source version with the 3 missing blocks.
func TestInterruptedBlobCopyResumes(t *testing.T) {
	data := make([]byte, resumeBlocks*resumeBlock)
	for i := range data {
		data[i] = byte(rand.IntN(256))
	}
	cc := newContainer(t)
	if _, err := cc.NewBlockBlobClient("src.bin").UploadBuffer(context.Background(), data, nil); err != nil {
		t.Fatal(err)
	}
	sas, err := azurite.ContainerSAS(containerName(cc), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	bc := newBlockCounter(t)
	copyOnce := func(parallel int) error {
		// Azurite copies only from its own host: the source is read through the proxy too.
		bs := bc.store(t, cc, sas, parallel)
		e, err := bs.Stat(context.Background(), "src.bin")
		if err != nil {
			t.Fatal(err)
		}
		e.Name = "dst.bin"
		return bs.CopyFromURL(context.Background(), e, bs.SourceURL("src.bin"))
	}
	bc.RefuseAfter.Store(resumeStaged)
	if err := copyOnce(1); err == nil {
		t.Fatal("the copy refused after 5 blocks succeeded")
	}
	if bc.Staged.Load() != resumeStaged {
		t.Fatalf("the interrupted copy staged %d blocks, want %d", bc.Staged.Load(), resumeStaged)
	}
	bc.RefuseAfter.Store(0)
	bc.Staged.Store(0)
	if err := copyOnce(4); err != nil {
		t.Fatal(err)
	}
	if got := bc.Staged.Load(); got != resumeBlocks-resumeStaged {
		t.Errorf("the second copy staged %d blocks, want %d", got, resumeBlocks-resumeStaged)
	}
	if got := downloaded(t, cc, "dst.bin"); !bytes.Equal(got, data) {
		t.Errorf("the copy's %d bytes are not the source's %d", len(got), len(data))
	}
	list, err := cc.NewBlockBlobClient("dst.bin").GetBlockList(context.Background(), blockblob.BlockListTypeAll, nil)
	if err != nil || len(list.CommittedBlocks) != resumeBlocks || len(list.UncommittedBlocks) != 0 {
		t.Errorf("block list after the copy: %d committed, %d uncommitted (err %v)", len(list.CommittedBlocks), len(list.UncommittedBlocks), err)
	}
}

// Block IDs keep the destination's name across a new SAS, and tell apart two local files whose
// paths differ only after a '?' (a path is no URL: nothing in it is a query).
func TestUploadKeyNamesWhatDecidesTheBlocks(t *testing.T) {
	e := store.Entry{Size: 10, ModTime: time.Unix(1, 0)}
	const blob = "https://a.blob.core.windows.net/c/x"
	if string(uploadKey(blob+"?sig=one", "/d/f", e, 4)) != string(uploadKey(blob+"?sig=two", "/d/f", e, 4)) {
		t.Error("a new SAS on the destination changes the block IDs")
	}
	if string(uploadKey(blob, "/d/f?1", e, 4)) == string(uploadKey(blob, "/d/f?2", e, 4)) {
		t.Error(`local files "/d/f?1" and "/d/f?2" share block IDs`)
	}
}
