package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"
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
