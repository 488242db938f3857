package e2e

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/azsync/azsync/internal/testenv"
)

// cpkRecorder is a proxy that notes which blob requests carried the customer-provided-key and
// encryption-scope headers, and strips them before Azurite (which does not serve them over http).
type cpkRecorder struct {
	mu   sync.Mutex
	seen map[string][]string // "METHOD kind" -> header values seen, "" for a request without
}

func (c *cpkRecorder) rule(_ int, r *http.Request) testenv.Fault {
	q := r.URL.Query()
	kind := "blob"
	if q.Get("restype") != "" || q.Get("comp") == "list" {
		kind = "container"
	}
	key := r.Method + " " + kind
	v := r.Header.Get("x-ms-encryption-key") + "|" + r.Header.Get("x-ms-encryption-key-sha256") + "|" +
		r.Header.Get("x-ms-encryption-algorithm") + "|" + r.Header.Get("x-ms-encryption-scope")
	for _, h := range []string{"x-ms-encryption-key", "x-ms-encryption-key-sha256", "x-ms-encryption-algorithm", "x-ms-encryption-scope"} {
		r.Header.Del(h)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[key] = append(c.seen[key], v)
	return testenv.Pass
}

func (c *cpkRecorder) check(t *testing.T, key, want string, atLeastOne bool) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if atLeastOne && len(c.seen[key]) == 0 {
		t.Errorf("no %s request went through the proxy", key)
	}
	for _, v := range c.seen[key] {
		if v != want {
			t.Errorf("%s carried %q, want %q", key, v, want)
		}
	}
}

func TestCPKHeadersOnEveryBlobReadAndWrite(t *testing.T) {
	rec := &cpkRecorder{seen: map[string][]string{}}
	proxy, err := testenv.NewFaultProxy(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount), rec.rule)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	src := t.TempDir()
	want := writeFiles(t, src, map[string]int{"small.txt": 100, "big.bin": 3 << 20})
	through := containerURL(proxy.URL, newContainerName(t))
	env := []string{"CPK_ENCRYPTION_KEY=a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=", "CPK_ENCRYPTION_KEY_SHA256=c2hhc2hhc2hh"}
	if out, code := runEnv(t, env, "sync", src, through, "--from-to=LocalBlob", "--block-size-mb=1", "--put-blob-size-mb=1", "--cpk-by-value"); code != 0 {
		t.Fatalf("upload: exit %d\n%s", code, out)
	}
	down := t.TempDir()
	if out, code := runEnv(t, env, "sync", through, down, "--from-to=BlobLocal", "--block-size-mb=1", "--cpk-by-value"); code != 0 {
		t.Fatalf("download: exit %d\n%s", code, out)
	}
	checkFiles(t, down, want)
	withKey := "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U=|c2hhc2hhc2hh|AES256|"
	rec.check(t, "PUT blob", withKey, true)
	rec.check(t, "GET blob", withKey, true)
	rec.check(t, "GET container", "|||", true)

	// --cpk-by-name: the scope on every write; reads need none.
	rec.mu.Lock()
	rec.seen = map[string][]string{}
	rec.mu.Unlock()
	writeFiles(t, src, map[string]int{"more.txt": 10})
	if out, code := run(t, "sync", src, through, "--from-to=LocalBlob", "--cpk-by-name=myscope"); code != 0 {
		t.Fatalf("upload with a scope: exit %d\n%s", code, out)
	}
	rec.check(t, "PUT blob", "|||myscope", true)
}
