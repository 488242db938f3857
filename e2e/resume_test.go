package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/azsync/azsync/internal/testenv"
)

// TestInterruptedUploadResumesFromStagedBlocks: a sync whose large file is refused after 5 of its 8
// blocks fails that file and leaves nothing at the destination; the next sync of the unchanged
// file sends only the 3 missing blocks, and the blob downloads as the file.
func TestInterruptedUploadResumesFromStagedBlocks(t *testing.T) {
	const blocks, before = 8, 5
	gate, err := testenv.NewBlockGate(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount))
	if err != nil {
		t.Fatal(err)
	}
	defer gate.Close()
	gate.RefuseAfter.Store(before)
	src := t.TempDir()
	want := writeFiles(t, src, map[string]int{"big.bin": blocks*256<<10 - 1000})
	through := containerURL(gate.URL, newContainerName(t))
	flags := []string{"--from-to=LocalBlob", "--block-size-mb=0.25"}

	// One block at a time, so the blocks staged before the refusal are exactly the first five.
	out, code := runEnv(t, []string{"AZCOPY_CONCURRENCY_VALUE=1"}, append([]string{"sync", src, through}, flags...)...)
	if code != 1 || !strings.Contains(out, "Number of Copy Transfers Failed: 1") {
		t.Fatalf("the sync refused after %d blocks: exit %d\n%s", before, code, out)
	}
	if gate.Staged.Load() != before {
		t.Fatalf("the interrupted sync staged %d blocks, want %d", gate.Staged.Load(), before)
	}
	if out, code = run(t, "sync", through, t.TempDir(), "--from-to=BlobLocal"); code != 0 || !strings.Contains(out, "Number of Copy Transfers for Files: 0") {
		t.Fatalf("after the interrupted sync, a download finds something (exit %d):\n%s", code, out)
	}
	gate.RefuseAfter.Store(0)
	gate.Staged.Store(0)
	if out, code = run(t, append([]string{"sync", src, through}, flags...)...); code != 0 {
		t.Fatalf("the sync after the interruption: exit %d\n%s", code, out)
	}
	if got := gate.Staged.Load(); got != blocks-before {
		t.Errorf("the sync after the interruption staged %d blocks, want %d", got, blocks-before)
	}
	down := t.TempDir()
	if out, code = run(t, "sync", through, down, "--from-to=BlobLocal"); code != 0 {
		t.Fatalf("download: exit %d\n%s", code, out)
	}
	checkFiles(t, down, want)
	if entries, _ := os.ReadDir(down); len(entries) != 1 {
		t.Errorf("the download holds %d entries, want big.bin alone", len(entries))
	}
}
