package e2e

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/azsync/azsync/internal/testenv"
)

// TestBlobToBlobStreamsWhenServiceCannotReadSource: the destination answers every copy by URL
// (Put Blob From URL, Put Block From URL) with 403 CannotVerifyCopySource, as an account does when
// a firewall keeps it from the source. The first refusal switches the run to copying through
// azsync, said once; the copies complete with the source's bytes. With --s2s-copy=service the
// refusal fails the copies instead, saying what would get around it.
func TestBlobToBlobStreamsWhenServiceCannotReadSource(t *testing.T) {
	direct := strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount)
	var refused atomic.Int32
	proxy, err := testenv.NewFaultProxy(direct, func(_ int, r *http.Request) testenv.Fault {
		if r.Method == http.MethodPut && r.Header.Get("x-ms-copy-source") != "" {
			refused.Add(1)
			return testenv.CannotVerify
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	src := t.TempDir()
	want := writeFiles(t, src, map[string]int{"small.bin": 1000, "sub/big.bin": 700000, "sub/c.txt": 10})
	from := newContainerName(t)
	if out, code := run(t, "sync", src, containerURL(direct, from), "--from-to=LocalBlob", "--put-md5"); code != 0 {
		t.Fatalf("seeding: %s", out)
	}
	to := newContainerName(t)
	dst := containerURL(proxy.URL, to)
	out, code := run(t, "sync", containerURL(direct, from), dst, "--from-to=BlobBlob", "--s2s-copy=service")
	if code == 0 || !strings.Contains(out, "CannotVerifyCopySource") || !strings.Contains(out, "--s2s-copy=stream or auto copies through azsync instead") {
		t.Fatalf("--s2s-copy=service against CannotVerifyCopySource: exit %d, want 1 and the way around it\n%s", code, out)
	}

	refused.Store(0)
	out, code = run(t, "sync", containerURL(direct, from), dst, "--from-to=BlobBlob", "--block-size-mb=0.25")
	if code != 0 || !strings.Contains(out, "Number of Copy Transfers Completed: 3") {
		t.Fatalf("Blob→Blob through CannotVerifyCopySource: exit %d\n%s", code, out)
	}
	line := "the destination service cannot read the source (403 CannotVerifyCopySource): copying through azsync for the rest of the run"
	if n := strings.Count(out, line); n != 1 {
		t.Errorf("the switch is said %d times, want once:\n%s", n, out)
	}
	if refused.Load() == 0 {
		t.Error("no copy by URL was tried")
	}
	if out, code := run(t, "sync", containerURL(direct, from), dst, "--from-to=BlobBlob"); code != 0 || !strings.Contains(out, "Total Number of Copy Transfers: 0") {
		t.Errorf("a second run should copy nothing: exit %d\n%s", code, out)
	}
	down := t.TempDir()
	if out, code := run(t, "sync", containerURL(direct, to), down, "--from-to=BlobLocal", "--check-md5=FailIfDifferentOrMissing"); code != 0 {
		t.Fatalf("download: %s", out)
	}
	checkFiles(t, down, want)
}
