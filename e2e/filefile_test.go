package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
)

type readSeekNopCloser struct{ *bytes.Reader }

func (readSeekNopCloser) Close() error { return nil }

// TestFileFileSparse: a sparse source keeps its holes: only the ranges that hold data are copied,
// and the copy reads back byte for byte.
func TestFileFileSparse(t *testing.T) {
	src, srcURL := newTestShare(t, "sparsesrc")
	dst, dstURL := newTestShare(t, "sparsedst")
	const size = 20 << 20
	a, b := pseudoRandom("sparse-a", 1<<20), pseudoRandom("sparse-b", 10)
	fc := src.NewRootDirectoryClient().NewFileClient("sparse.bin")
	if _, err := fc.Create(context.Background(), size, nil); err != nil {
		t.Fatal(err)
	}
	for off, data := range map[int64][]byte{8 << 20: a, 16 << 20: b} {
		if _, err := fc.UploadRange(context.Background(), off, readSeekNopCloser{bytes.NewReader(data)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	out, code := azsyncRun(t, nil, "sync", srcURL, dstURL, "--from-to=FileFile")
	expectRun(t, "copy", out, code, map[string]int{"Number of Copy Transfers Completed": 1})
	if got, want := readShareFile(t, dst, "sparse.bin"), readShareFile(t, src, "sparse.bin"); !bytes.Equal(got, want) {
		t.Fatalf("the copy differs from the sparse source (%d bytes, want %d)", len(got), len(want))
	}
	// The service keeps ranges in 512-byte pages: the copy holds exactly the source's.
	if n, want := written(dst, "sparse.bin"), written(src, "sparse.bin"); n != want || n > 2<<20 {
		t.Errorf("the copy holds %d bytes of ranges, the source %d: holes were filled", n, want)
	}
}

// TestFileFileSourceChangedMidCopy: a source rewritten while it is being copied is never committed
// as a mix of two versions: the copy that saw the change is not renamed into place, and what ends
// up under the real name is the source as it is now.
func TestFileFileSourceChangedMidCopy(t *testing.T) {
	src, srcURL := newTestShare(t, "chgsrc")
	dst, dstURL := newTestShare(t, "chgdst")
	data := pseudoRandom("changed-mid-copy", 32<<20)
	writeShareFile(t, src, "big.bin", data, time.Now().Add(-time.Hour))
	p := startAzsync(t, "sync", srcURL, dstURL, "--from-to=FileFile", "--cap-mbps=40")
	p.waitUntil(t, "4 MiB are in a file of the destination", holds4MiB(t, dst))
	edit := pseudoRandom("the edit", 1<<20)
	fc := src.NewRootDirectoryClient().NewFileClient("big.bin")
	if _, err := fc.UploadRange(context.Background(), 0, readSeekNopCloser{bytes.NewReader(edit)}, nil); err != nil {
		t.Fatal(err)
	}
	<-p.done
	now := readShareFile(t, src, "big.bin")
	files := listShareRoot(t, dst)
	if _, ok := files["big.bin"]; ok {
		if got := readShareFile(t, dst, "big.bin"); !bytes.Equal(got, now) {
			t.Fatalf("the destination is neither absent nor the source as it is now (a mix of versions)")
		}
	} else if p.cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("exit 0 but nothing under the real name:\n%s", p.out.String())
	}
	if tmp := temporaries(files); len(tmp) > 0 {
		t.Errorf("temporaries left: %v", tmp)
	}
}

// smbOf reads what --preserve-info and --preserve-permissions carry of a file or directory.
type smbOf struct {
	attrs   string
	created time.Time
	sddl    string
}

// readSMB reads them of the file or directory name ("" is the share's root directory).
func readSMB(t *testing.T, sc *share.Client, name string, dir bool) smbOf {
	t.Helper()
	var attrs, key *string
	var created *time.Time
	if dir {
		d := sc.NewRootDirectoryClient()
		if name != "" {
			d = sc.NewDirectoryClient(name)
		}
		p, err := d.GetProperties(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		attrs, created, key = p.FileAttributes, p.FileCreationTime, p.FilePermissionKey
	} else {
		p, err := sc.NewRootDirectoryClient().NewFileClient(name).GetProperties(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		attrs, created, key = p.FileAttributes, p.FileCreationTime, p.FilePermissionKey
	}
	perm, err := sc.GetPermission(context.Background(), *key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return smbOf{attrs: *attrs, created: *created, sddl: *perm.Permission}
}

// TestFileFilePreserve: --preserve-info carries attributes (ReadOnly included) and creation times
// of files and directories, --preserve-permissions their security descriptors; the next run has
// nothing to do, and a touched source replaces its read-only copy without failing.
func TestFileFilePreserve(t *testing.T) {
	src, srcURL := newTestShare(t, "presrc")
	dst, dstURL := newTestShare(t, "predst")
	ctx := context.Background()
	key := func(sddl string) *string {
		resp, err := src.CreatePermission(ctx, sddl, nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.FilePermissionKey
	}
	dirCreated := time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC)
	if _, err := src.NewDirectoryClient("d").Create(ctx, &directory.CreateOptions{
		FileSMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{Hidden: true}, CreationTime: &dirCreated},
		FilePermissions:   &file.Permissions{PermissionKey: key("O:BAG:SYD:(A;;FA;;;BA)")},
	}); err != nil {
		t.Fatal(err)
	}
	fileCreated := time.Date(2021, 6, 7, 8, 9, 10, 987654300, time.UTC)
	writeShareFile(t, src, "d/f.txt", []byte("read-only content\n"), time.Now().Add(-time.Hour))
	fc := src.NewRootDirectoryClient().NewFileClient("d/f.txt")
	if _, err := fc.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{
		SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true, Archive: true}, CreationTime: &fileCreated},
		Permissions:   &file.Permissions{PermissionKey: key("O:SYG:SYD:(A;;FR;;;WD)")},
	}); err != nil {
		t.Fatal(err)
	}

	out, code := azsyncRun(t, nil, "sync", srcURL, dstURL, "--from-to=FileFile", "--preserve-info", "--preserve-smb-permissions")
	expectRun(t, "copy", out, code, map[string]int{"Number of Copy Transfers Completed": 2})
	for _, c := range []struct {
		name string
		dir  bool
	}{{"d", true}, {"d/f.txt", false}} {
		if got, want := readSMB(t, dst, c.name, c.dir), readSMB(t, src, c.name, c.dir); got != want {
			t.Errorf("%s: the copy has %+v, the source %+v", c.name, got, want)
		}
	}
	again, code := azsyncRun(t, nil, "sync", srcURL, dstURL, "--from-to=FileFile", "--preserve-info", "--preserve-permissions")
	expectRun(t, "second run", again, code, map[string]int{"Total Number of Copy Transfers": 0})

	writeShareFile(t, src, "d/f.txt", []byte("new content\n"), time.Now())
	third, code := azsyncRun(t, nil, "sync", srcURL, dstURL, "--from-to=FileFile")
	expectRun(t, "over a read-only copy", third, code, map[string]int{"Number of Copy Transfers Completed": 1})
	if got := readShareFile(t, dst, "d/f.txt"); string(got) != "new content\n" {
		t.Errorf("the read-only copy was not replaced: %q", got)
	}
}
