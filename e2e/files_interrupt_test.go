package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
	"github.com/azsync/azsync/internal/testenv"
)

// newTestShare creates a share on the Files emulator and returns its client (Shared Key) and the URL
// azsync is given (with the account SAS).
func newTestShare(t *testing.T, prefix string) (*share.Client, string) {
	t.Helper()
	name := fmt.Sprintf("%s%08x", prefix, rand.Uint32())
	if err := testenv.CreateShare(context.Background(), filesEmu.URL, name); err != nil {
		t.Fatal(err)
	}
	cred, err := share.NewSharedKeyCredential(filesemu.DevAccount, filesemu.DevKey)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := share.NewClientWithSharedKeyCredential(filesEmu.URL+"/"+name, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc, filesEmu.URL + "/" + name + "?" + fsas
}

// shareFile is one file in a share's root directory as a listing shows it, temporaries included.
type shareFile struct {
	size     int64
	modified time.Time // Last-Modified, by the service's clock
}

func listShareRoot(t *testing.T, sc *share.Client) map[string]shareFile {
	t.Helper()
	out := map[string]shareFile{}
	pager := sc.NewRootDirectoryClient().NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
		Include: directory.ListFilesInclude{Timestamps: true},
	})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page.Segment.Files {
			out[*f.Name] = shareFile{size: *f.Properties.ContentLength, modified: *f.Properties.LastModified}
		}
	}
	return out
}

// written is how many bytes of a file's ranges hold data.
func written(sc *share.Client, name string) int64 {
	resp, err := sc.NewRootDirectoryClient().NewFileClient(name).GetRangeList(context.Background(), nil)
	if err != nil {
		return 0
	}
	var n int64
	for _, r := range resp.Ranges {
		n += *r.End - *r.Start + 1
	}
	return n
}

// holds4MiB reports whether a file in the share's root, under any name, has 4 MiB of data.
func holds4MiB(t *testing.T, sc *share.Client) func() bool {
	return func() bool {
		for name := range listShareRoot(t, sc) {
			if written(sc, name) >= 4<<20 {
				return true
			}
		}
		return false
	}
}

func readShareFile(t *testing.T, sc *share.Client, name string) []byte {
	t.Helper()
	resp, err := sc.NewRootDirectoryClient().NewFileClient(name).DownloadStream(context.Background(), nil)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return data
}

func writeShareFile(t *testing.T, sc *share.Client, name string, data []byte, lastWrite time.Time) {
	t.Helper()
	fc := sc.NewRootDirectoryClient().NewFileClient(name)
	if _, err := fc.Create(context.Background(), int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
	if err := fc.UploadBuffer(context.Background(), data, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := fc.SetHTTPHeaders(context.Background(), &file.SetHTTPHeadersOptions{
		SMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(lastWrite)},
	}); err != nil {
		t.Fatal(err)
	}
}

func temporaries(files map[string]shareFile) []string {
	var names []string
	for name := range files {
		if strings.HasPrefix(name, ".azsync-") && strings.HasSuffix(name, ".partial") {
			names = append(names, name)
		}
	}
	return names
}

// waitServiceClockPast waits until the share's service clock (the Date of its answers, to the
// second, like Last-Modified) is later than t, so that a run started now sees what was written
// until t as older than itself.
func waitServiceClockPast(tt *testing.T, sc *share.Client, t time.Time) {
	tt.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := sc.NewRootDirectoryClient().GetProperties(context.Background(), nil)
		if err != nil {
			tt.Fatal(err)
		}
		if resp.Date.After(t) {
			return
		}
		if time.Now().After(deadline) {
			tt.Fatalf("the service clock did not pass %v", t)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKilledFilesUpload: kill -9 during a local → Files upload of large files, one new and one
// replacing an older version, never leaves a file under its real name whose content is not the
// source's (today's bug: the right size and last-write time, zeros from where the upload stopped).
// The re-run converges byte for byte and removes the temporaries the killed run left.
func TestKilledFilesUpload(t *testing.T) {
	dir := t.TempDir()
	fresh := pseudoRandom("killed-files-new.bin", interruptSize)
	newer := pseudoRandom("killed-files-upd.bin", interruptSize)
	for name, data := range map[string][]byte{"new.bin": fresh, "upd.bin": newer} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, url := newTestShare(t, "killed")
	killedSyncConverges(t, sc, fresh, newer, dir, url, "--from-to=LocalFile")
}

// killedSyncConverges runs azsync sync src dst args (a source holding new.bin = fresh and
// upd.bin = newer, the share dst holding an old upd.bin written here), kills it with -9 once a
// file of the share holds 4 MiB, and checks what issue 6 asks of Azure Files: no file under
// its real name whose content is not the source's, and one re-run that converges byte for byte,
// removes the temporaries and leaves the next run nothing to do.
func killedSyncConverges(t *testing.T, dst *share.Client, fresh, newer []byte, src, dstURL string, args ...string) {
	t.Helper()
	old := []byte("the old version of upd.bin, which must stay whole until the new one is\n")
	writeShareFile(t, dst, "upd.bin", old, time.Now().Add(-time.Hour))
	run := append([]string{"sync", src, dstURL}, args...)
	p := startAzsync(t, append(run, "--cap-mbps=40", "--block-size-mb=1")...)
	p.waitUntil(t, "4 MiB are in a file of the share", holds4MiB(t, dst))
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done

	after := listShareRoot(t, dst)
	if f, ok := after["new.bin"]; ok {
		if got := readShareFile(t, dst, "new.bin"); !bytes.Equal(got, fresh) {
			t.Errorf("after kill -9, new.bin has %d bytes (listed size %d) that are not the source's", len(got), f.size)
		}
	}
	if got := readShareFile(t, dst, "upd.bin"); !bytes.Equal(got, old) && !bytes.Equal(got, newer) {
		t.Errorf("after kill -9, upd.bin (%d bytes) is neither the old version nor the new one", len(got))
	}
	var lastWrite time.Time
	for _, f := range after {
		if f.modified.After(lastWrite) {
			lastWrite = f.modified
		}
	}
	waitServiceClockPast(t, dst, lastWrite)

	rerun, code := azsyncRun(t, nil, run...)
	expectRun(t, "re-run", rerun, code, map[string]int{"Number of Copy Transfers Failed": 0})
	for name, data := range map[string][]byte{"new.bin": fresh, "upd.bin": newer} {
		if got := readShareFile(t, dst, name); !bytes.Equal(got, data) {
			t.Errorf("after the re-run %s is not the source (%d bytes)", name, len(got))
		}
	}
	final := listShareRoot(t, dst)
	if tmp := temporaries(final); len(tmp) > 0 {
		t.Errorf("temporaries left after the re-run: %v", tmp)
	}
	if len(final) != 2 {
		t.Errorf("the share holds %d files after the re-run, want 2", len(final))
	}
	again, code := azsyncRun(t, nil, run...)
	expectRun(t, "third run", again, code, map[string]int{"Number of Copy Transfers for Files": 0, "Files Scanned at Destination": 2})
}

// TestInterruptedFilesUpload: Ctrl-C during a local → Files upload stops cleanly and leaves
// neither a wrong file under the real name nor a temporary.
func TestInterruptedFilesUpload(t *testing.T) {
	dir := t.TempDir()
	data := pseudoRandom("interrupted-files.bin", interruptSize)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sc, url := newTestShare(t, "intfiles")
	p := startAzsync(t, "sync", dir, url, "--from-to=LocalFile", "--cap-mbps=40", "--block-size-mb=1")
	p.waitUntil(t, "4 MiB are in a file of the share", holds4MiB(t, sc))
	code, out := p.interrupt(t)
	checkInterrupted(t, code, out)
	left := listShareRoot(t, sc)
	if _, ok := left["big.bin"]; ok {
		t.Errorf("big.bin exists after the interrupted upload")
	}
	if tmp := temporaries(left); len(tmp) > 0 {
		t.Errorf("temporaries left after Ctrl-C: %v", tmp)
	}
}
