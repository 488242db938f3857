package e2e

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
)

// TestLocalFileOverReadOnly: a local → Files sync replaces a share file whose ReadOnly attribute
// is set, with or without the reference's --force-if-read-only (which azsync always does).
func TestLocalFileOverReadOnly(t *testing.T) {
	for _, flags := range [][]string{nil, {"--force-if-read-only"}} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("new content\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		sc, url := newTestShare(t, "readonly")
		writeShareFile(t, sc, "a.txt", []byte("old content\n"), time.Now().Add(-time.Hour))
		if _, err := sc.NewRootDirectoryClient().NewFileClient("a.txt").SetHTTPHeaders(context.Background(), &file.SetHTTPHeadersOptions{
			SMBProperties: &file.SMBProperties{Attributes: &file.NTFSFileAttributes{ReadOnly: true}},
		}); err != nil {
			t.Fatal(err)
		}
		out, code := azsyncRun(t, nil, append([]string{"sync", dir, url, "--from-to=LocalFile"}, flags...)...)
		expectRun(t, "over a read-only file", out, code, map[string]int{"Number of Copy Transfers Completed": 1, "Number of Copy Transfers Failed": 0})
		if got := readShareFile(t, sc, "a.txt"); string(got) != "new content\n" {
			t.Errorf("with %v the read-only share file was not replaced: %q", flags, got)
		}
	}
}
