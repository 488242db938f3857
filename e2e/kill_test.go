package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestKilledDownloadTemporariesRemoved: kill -9 during a download leaves its temporary file (nothing
// can clean up after SIGKILL); the next run removes it, counts it nowhere, and downloads the file.
func TestKilledDownloadTemporariesRemoved(t *testing.T) {
	data := pseudoRandom("killed.bin", interruptSize)
	cname, _ := newTestContainer(t, "killdl")
	uploadBlob(t, cname, "big.bin", data)
	src := azurite.Endpoint + "/" + cname + "?" + sas
	dst := t.TempDir()

	p := startAzsync(t, "sync", src, dst, "--from-to=BlobLocal", "--cap-mbps=40", "--block-size-mb=1")
	p.waitUntil(t, "a temporary download file has 4 MiB in it", func() bool { return partialWritten(dst, 4<<20) })
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if len(partials(dst)) == 0 {
		t.Fatal("no temporary file after kill -9: the test proves nothing")
	}

	// A dry run changes nothing, temporaries included.
	out, code := azsyncRun(t, nil, "sync", src, dst, "--from-to=BlobLocal", "--dry-run")
	expectRun(t, "dry run", out, code, map[string]int{})
	if len(partials(dst)) == 0 {
		t.Error("a dry run removed the temporary file")
	}
	out, code = azsyncRun(t, nil, "sync", src, dst, "--from-to=BlobLocal", "--delete-destination=true")
	expectRun(t, "re-run", out, code, map[string]int{"Number of Copy Transfers Completed": 1,
		"Files Scanned at Destination": 0, "Number of Deletions at Destination": 0})
	if p := partials(dst); len(p) > 0 {
		t.Errorf("temporary files left after the re-run: %v", p)
	}
	if got, err := os.ReadFile(filepath.Join(dst, "big.bin")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the re-run big.bin is not the blob (%d bytes, err %v)", len(got), err)
	}
}
