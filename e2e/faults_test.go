package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

// writeFiles creates files of pseudo-random content (seeded by name) and returns their contents.
func writeFiles(t *testing.T, root string, sizes map[string]int) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, size := range sizes {
		data := make([]byte, size)
		r := rand.New(rand.NewPCG(uint64(len(name)), uint64(size)))
		for i := range data {
			data[i] = byte(r.IntN(256))
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	return out
}

// checkFiles asserts that root holds exactly want's bytes under want's names.
func checkFiles(t *testing.T, root string, want map[string][]byte) {
	t.Helper()
	for name, data := range want {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !bytes.Equal(got, data) {
			t.Errorf("%s: content differs (%d bytes, want %d)", name, len(got), len(data))
		}
	}
}

// run runs azsync and returns its combined output and exit status.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	return runEnv(t, nil, args...)
}

// runEnv is run with more environment variables.
func runEnv(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := azsyncCmd(args...)
	cmd.Env = append(cmd.Env, "AZCOPY_LOG_LOCATION="+t.TempDir(), "AZCOPY_CONCURRENCY_VALUE=8")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	return string(out), cmd.ProcessState.ExitCode()
}

func containerURL(base, container string) string {
	return base + "/" + testenv.DevAccount + "/" + container + "?" + sas
}

func newContainerName(t *testing.T) string {
	return fmt.Sprintf("faults%d", rand.Uint32())
}

func TestTransientFaultsAreRetried(t *testing.T) {
	// Every 7th request is throttled, every 13th connection reset, every 17th an internal error.
	proxy, err := testenv.NewFaultProxy(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount), func(n int, _ *http.Request) testenv.Fault {
		switch {
		case n%7 == 0:
			return testenv.Busy
		case n%13 == 0:
			return testenv.Reset
		case n%17 == 0:
			return testenv.Internal
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	sizes := map[string]int{"big.bin": 3 << 20}
	for i := range 30 {
		sizes[fmt.Sprintf("dir%d/file%d.txt", i%3, i)] = 100 + i*37
	}
	src := t.TempDir()
	want := writeFiles(t, src, sizes)
	c := newContainerName(t)
	through := containerURL(proxy.URL, c)

	out, code := run(t, "sync", src, through, "--from-to=LocalBlob", "--block-size-mb=0.5")
	if code != 0 {
		t.Fatalf("upload through faults: exit %d\n%s", code, out)
	}
	down := t.TempDir()
	if out, code = run(t, "sync", through, down, "--from-to=BlobLocal", "--block-size-mb=0.5"); code != 0 {
		t.Fatalf("download through faults: exit %d\n%s", code, out)
	}
	checkFiles(t, down, want)
	for _, f := range []testenv.Fault{testenv.Busy, testenv.Reset, testenv.Internal} {
		if proxy.Count(f) == 0 {
			t.Errorf("fault %d was never injected: the test proves nothing about it", f)
		}
	}
	// And the direct view agrees: nothing left to do.
	if out, code = run(t, "sync", src, containerURL(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount), c), "--from-to=LocalBlob"); code != 0 || !strings.Contains(out, "Number of Copy Transfers for Files: 0") {
		t.Fatalf("re-sync after faulty upload: exit %d\n%s", code, out)
	}
}

func TestPermanentFailureHoldsBackDeletions(t *testing.T) {
	direct := strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount)
	c := newContainerName(t)
	// The destination has an extra blob that a clean run would delete.
	seed := t.TempDir()
	writeFiles(t, seed, map[string]int{"extra.txt": 10})
	if out, code := run(t, "sync", seed, containerURL(direct, c), "--from-to=LocalBlob"); code != 0 {
		t.Fatalf("seeding: %s", out)
	}
	// Writing bad.txt is refused for good.
	proxy, err := testenv.NewFaultProxy(direct, func(_ int, r *http.Request) testenv.Fault {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/bad.txt") {
			return testenv.Forbidden
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	src := t.TempDir()
	writeFiles(t, src, map[string]int{"good.txt": 10, "bad.txt": 10})
	out, code := run(t, "sync", src, containerURL(proxy.URL, c), "--from-to=LocalBlob", "--delete-destination=true")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"Number of Copy Transfers Failed: 1", "Number of Copy Transfers Completed: 1", "Number of Deletions at Destination: 0", "Final Job Status: CompletedWithErrors", "held back"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<Error>") || strings.Contains(out, "RESPONSE") {
		t.Errorf("raw service response shown to the user:\n%s", out)
	}
	down := t.TempDir()
	if out, code := run(t, "sync", containerURL(direct, c), down, "--from-to=BlobLocal"); code != 0 {
		t.Fatalf("download: %s", out)
	}
	for _, name := range []string{"extra.txt", "good.txt"} {
		if _, err := os.Stat(filepath.Join(down, name)); err != nil {
			t.Errorf("%s should be in the container: %v", name, err)
		}
	}
}

// isPutBlobFromURL tells Put Blob From URL (a PUT naming a copy source, no comp=) from the rest.
func isPutBlobFromURL(r *http.Request) bool {
	return r.Method == http.MethodPut && r.Header.Get("x-ms-copy-source") != "" && r.URL.Query().Get("comp") == ""
}

// TestBlobToBlobRetriesTransientPutBlobFromURL: a throttled or cut Put Blob From URL is tried again
// (Azurite then answers that it does not support it, and the copy takes the block path): transient
// faults never fail the file, and only "not supported" leads to blocks.
func TestBlobToBlobRetriesTransientPutBlobFromURL(t *testing.T) {
	direct := strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount)
	var seen atomic.Int32
	proxy, err := testenv.NewFaultProxy(direct, func(_ int, r *http.Request) testenv.Fault {
		if !isPutBlobFromURL(r) {
			return testenv.Pass
		}
		switch seen.Add(1) {
		case 1:
			return testenv.Busy
		case 2:
			return testenv.Reset
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	src := t.TempDir()
	want := writeFiles(t, src, map[string]int{"small.bin": 1000})
	from := newContainerName(t)
	if out, code := run(t, "sync", src, containerURL(direct, from), "--from-to=LocalBlob"); code != 0 {
		t.Fatalf("seeding: %s", out)
	}
	to := newContainerName(t)
	if out, code := run(t, "sync", t.TempDir(), containerURL(direct, to), "--from-to=LocalBlob"); code != 0 {
		t.Fatalf("making the destination container: %s", out)
	}
	toSAS, err := azurite.ContainerSAS(to, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// Both through the proxy: Azurite copies only from a source URL on its own host.
	out, code := run(t, "sync", containerURL(proxy.URL, from), proxy.URL+"/"+testenv.DevAccount+"/"+to+"?"+toSAS, "--from-to=BlobBlob")
	if code != 0 || !strings.Contains(out, "Number of Copy Transfers Completed: 1") {
		t.Fatalf("Blob→Blob through a 503 and a reset on Put Blob From URL: exit %d\n%s", code, out)
	}
	if n := seen.Load(); n != 3 {
		t.Errorf("Put Blob From URL was sent %d times, want 3 (a 503, a reset, then Azurite's refusal)", n)
	}
	down := t.TempDir()
	if out, code := run(t, "sync", containerURL(direct, to), down, "--from-to=BlobLocal"); code != 0 {
		t.Fatalf("download: %s", out)
	}
	checkFiles(t, down, want)
}

// TestExpiredSASSaysSo: a SAS past its expiry is named as such, with its time, and its signature is
// never shown.
func TestExpiredSASSaysSo(t *testing.T) {
	expired, err := azurite.AccountSAS(time.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	writeFiles(t, src, map[string]int{"a.txt": 10})
	out, code := run(t, "sync", src, azurite.Endpoint+"/"+newContainerName(t)+"?"+expired, "--from-to=LocalBlob")
	if code != 1 || !strings.Contains(out, "the destination SAS expired at ") {
		t.Fatalf("exit %d, want 1 and the expiry named:\n%s", code, out)
	}
	q, _ := url.ParseQuery(expired)
	if strings.Contains(out, q.Get("sig")) {
		t.Errorf("the signature is shown:\n%s", out)
	}
}

// TestRefusedConnectionGivesUpSoon: nothing listens at the URL's port; the run shows each retry as it
// happens, gives up after a few, and says what to check.
func TestRefusedConnectionGivesUpSoon(t *testing.T) {
	port, err := testenv.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	writeFiles(t, src, map[string]int{"a.txt": 10})
	out, code := run(t, "sync", src, fmt.Sprintf("http://127.0.0.1:%d/%s/c?%s", port, testenv.DevAccount, sas), "--from-to=LocalBlob")
	if code != 1 || !strings.Contains(out, "connection refused (nothing answers at that address") {
		t.Fatalf("exit %d, want 1 and the refusal explained:\n%s", code, out)
	}
	if n := strings.Count(out, "retrying in about"); n != 2 {
		t.Errorf("%d retries shown, want 2 (three tries):\n%s", n, out)
	}
}

// isListing tells a List Blobs request for the given prefix.
func isListing(r *http.Request, prefix string) bool {
	q := r.URL.Query()
	return r.Method == http.MethodGet && q.Get("comp") == "list" && q.Get("prefix") == prefix
}

// TestCutListing: a listing page whose answer ends half-way (a proxy that closed it cleanly: no
// transport error, which the client's retries would take care of) is fetched again; one that is cut
// every time fails the run with the real cause, the files scanned so far counted, nothing deleted.
func TestCutListing(t *testing.T) {
	direct := strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount)
	src := t.TempDir()
	sizes := map[string]int{}
	for i := range 12 {
		sizes[fmt.Sprintf("d%d/f%d.txt", i%3, i)] = 50 + i
	}
	want := writeFiles(t, src, sizes)
	c := newContainerName(t)
	if out, code := run(t, "sync", src, containerURL(direct, c), "--from-to=LocalBlob"); code != 0 {
		t.Fatalf("seeding: %s", out)
	}
	extra := t.TempDir()
	writeFiles(t, extra, map[string]int{"d2/extra.txt": 5})
	if out, code := run(t, "sync", extra, containerURL(direct, c), "--from-to=LocalBlob"); code != 0 {
		t.Fatalf("seeding the extra blob: %s", out)
	}
	for _, always := range []bool{false, true} {
		var cuts atomic.Int32
		proxy, err := testenv.NewFaultProxy(direct, func(_ int, r *http.Request) testenv.Fault {
			if isListing(r, "d2/") && (always || cuts.Load() == 0) {
				cuts.Add(1)
				return testenv.Truncate
			}
			return testenv.Pass
		})
		if err != nil {
			t.Fatal(err)
		}
		out, code := run(t, "sync", src, containerURL(proxy.URL, c), "--from-to=LocalBlob", "--delete-destination=true")
		proxy.Close()
		if cuts.Load() == 0 {
			t.Fatal("no listing was cut: the test proves nothing")
		}
		if !always {
			if code != 0 || !strings.Contains(out, "Number of Deletions at Destination: 1") || !strings.Contains(out, "Files Scanned at Destination: 13") {
				t.Fatalf("listing cut once: exit %d, want 0 with the extra blob deleted\n%s", code, out)
			}
			continue
		}
		if code != 1 || !strings.Contains(out, "the answer was cut short") {
			t.Errorf("listing cut every time: exit %d, want 1 with the cause\n%s", code, out)
		}
		if !strings.Contains(out, "Files Scanned at Destination: 8") || !strings.Contains(out, "Number of Deletions at Destination: 0") {
			t.Errorf("listing cut every time: the summary does not tell what was scanned and deleted\n%s", out)
		}
	}
	down := t.TempDir()
	if out, code := run(t, "sync", containerURL(direct, c), down, "--from-to=BlobLocal"); code != 0 {
		t.Fatalf("download: %s", out)
	}
	checkFiles(t, down, want)
}
