package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/shard"
	"github.com/azsync/azsync/internal/testenv"
)

// A sharded sync run by real engines (a Slurm job array, xargs -P) over a tree of a few thousand
// files ends where one run ends, writes every blob once, and a failed shard deletes nothing.

const shards = 4

// shardSourceFiles is how many files writeShardSource writes.
const shardSourceFiles = 20*5*20 + 3

// writeShardSource writes the tree every sharded test syncs: 2,000 files in 100 folders two levels
// deep, top-level files and one deep chain.
func writeShardSource(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	names := []string{"top0.txt", "top1.txt", "deep/a/b/c/d/e.txt"}
	for i := range 20 {
		for j := range 5 {
			for k := range 20 {
				names = append(names, fmt.Sprintf("d%d/s%d/f%d.txt", i, j, k))
			}
		}
	}
	for _, name := range names {
		if err := writeSmall(dir, name); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeSmall(root, name string) error {
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte("content of "+name+"\n"), 0o644)
}

// seedExtras puts blobs in c that the source does not have: beside source files, in source
// folders, and whole folders of their own.
func seedExtras(t *testing.T, c string) []string {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	cc := svc.NewContainerClient(c)
	if _, err := cc.Create(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	var names []string
	for i := range 20 {
		names = append(names, fmt.Sprintf("d%d/extra.txt", i), fmt.Sprintf("d%d/s%d/extra.txt", i, i%5))
	}
	for j := range 6 {
		names = append(names, fmt.Sprintf("gone%d/x/y.txt", j), fmt.Sprintf("extra%d.txt", j))
	}
	for _, name := range names {
		if _, err := cc.NewBlockBlobClient(name).UploadBuffer(context.Background(), []byte("extra"), nil); err != nil {
			t.Fatal(err)
		}
	}
	return names
}

// blobState is a blob as a user checks it: content hash and size, and the ETag that changes
// whenever it is written.
type blobState struct{ md5, etag string }

func listBlobs(t *testing.T, c string) map[string]blobState {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]blobState{}
	pager := svc.NewContainerClient(c).NewListBlobsFlatPager(&container.ListBlobsFlatOptions{})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			out[*b.Name] = blobState{hex.EncodeToString(b.Properties.ContentMD5) + fmt.Sprint(*b.Properties.ContentLength), string(*b.Properties.ETag)}
		}
	}
	return out
}

func contents(m map[string]blobState) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.md5
	}
	return out
}

// oneRun is the single-process sync every sharded run is compared with.
type oneRun struct {
	blobs           map[string]string
	copied, deleted int
	summary         string
}

var singleOnce struct {
	sync.Once
	r   oneRun
	err string
}

func single(t *testing.T) oneRun {
	t.Helper()
	singleOnce.Do(func() {
		src := writeShardSource(t)
		c := newContainerName(t)
		extras := seedExtras(t, c)
		out, code := run(t, "sync", src, directURL(c), "--from-to=LocalBlob", "--delete-destination=true")
		if code != 0 {
			singleOnce.err = "single run: " + out
			return
		}
		singleOnce.r = oneRun{blobs: contents(listBlobs(t, c)), copied: shardSourceFiles, deleted: len(extras), summary: out}
	})
	if singleOnce.err != "" {
		t.Fatal(singleOnce.err)
	}
	r := singleOnce.r
	for _, want := range []string{fmt.Sprintf("Number of Copy Transfers Completed: %d", r.copied), fmt.Sprintf("Number of Deletions at Destination: %d", r.deleted)} {
		if !strings.Contains(r.summary, want) {
			t.Fatalf("single run does not say %q:\n%s", want, r.summary)
		}
	}
	return r
}

func directURL(c string) string {
	return containerURL(strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount), c)
}

// shardRun is one sharded run's outputs: a folder of JSON outputs and a folder of logs.
type shardRun struct{ out, logs string }

func newShardRun(t *testing.T) shardRun {
	r := shardRun{out: filepath.Join(t.TempDir(), "out"), logs: filepath.Join(t.TempDir(), "logs")}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		t.Fatal(err)
	}
	return r
}

// env is what every shard's process needs: the test binary in its azsync role, and a log folder.
func (r shardRun) env(extra ...string) []string {
	return append(append(os.Environ(), "AZSYNC_E2E_MAIN=1", "AZSYNC_BIN="+os.Args[0],
		"AZCOPY_LOG_LOCATION="+r.logs, "AZCOPY_CONCURRENCY_VALUE=8"), extra...)
}

// copies reads the shards' logs: how many copies they made, and the destinations written more
// than once.
func (r shardRun) copies(t *testing.T) (int, []string) {
	t.Helper()
	logs, err := filepath.Glob(filepath.Join(r.logs, "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no shard logs in %s: %v", r.logs, err)
	}
	// "copied NAME (N bytes)", or "copied NAME as DST (N bytes)" when the names differ.
	line := regexp.MustCompile(`copied (\S+)(?: as (\S+))? \(\d+ bytes\)`)
	seen := map[string]int{}
	for _, log := range logs {
		data, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range line.FindAllSubmatch(data, -1) {
			if len(m[2]) > 0 {
				m[1] = m[2]
			}
			seen[string(m[1])]++
		}
	}
	var twice []string
	n := 0
	for dst, c := range seen {
		n += c
		if c > 1 {
			twice = append(twice, dst)
		}
	}
	return n, twice
}

// report runs `azsync report` on the run's outputs.
func (r shardRun) report(t *testing.T) (string, int) {
	t.Helper()
	return run(t, "report", r.out)
}

// checkLikeOneRun asserts that sharded runs (start runs one, all N shards) end where one run ends.
func checkLikeOneRun(t *testing.T, start func(t *testing.T, dst string, r shardRun)) {
	want := single(t)
	c := newContainerName(t)
	seedExtras(t, c)
	first := newShardRun(t)
	start(t, directURL(c), first)
	blobs := listBlobs(t, c)
	if got := contents(blobs); !maps.Equal(got, want.blobs) {
		t.Fatalf("the shards leave %d blobs, one run %d; first differences: %v", len(got), len(want.blobs), diffKeys(got, want.blobs))
	}
	if n, twice := first.copies(t); n != want.copied || len(twice) > 0 {
		t.Errorf("the shards copied %d files (one run %d); written more than once: %v", n, want.copied, twice)
	}
	out, code := first.report(t)
	for _, line := range []string{
		fmt.Sprintf("Files Scanned at Source: %d", want.copied),
		fmt.Sprintf("Number of Copy Transfers Completed: %d", want.copied),
		fmt.Sprintf("Number of Deletions at Destination: %d", want.deleted),
		"Final Job Status: Completed",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("report does not say %q:\n%s", line, out)
		}
	}
	if code != 0 {
		t.Errorf("report exit %d", code)
	}
	// Again: nothing is written, not one ETag changes.
	again := newShardRun(t)
	start(t, directURL(c), again)
	if after := listBlobs(t, c); !maps.Equal(after, blobs) {
		t.Errorf("a second sharded run changed blobs: %v", diffKeys(contentsETag(after), contentsETag(blobs)))
	}
	if out, code := again.report(t); code != 0 || !strings.Contains(out, "Total Number of Copy Transfers: 0") {
		t.Errorf("second run's report (exit %d):\n%s", code, out)
	}
}

func contentsETag(m map[string]blobState) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v.md5 + " " + v.etag
	}
	return out
}

func diffKeys(a, b map[string]string) []string {
	var d []string
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if b[k] != a[k] {
			d = append(d, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, ok := a[k]; !ok {
			d = append(d, "missing "+k)
		}
	}
	return d[:min(len(d), 10)]
}

// shardScript is one shard's command, for sh: $SRC to $DST, shard given by $SHARD (or the engine).
const shardScript = `exec "$AZSYNC_BIN" sync "$SRC" "$DST" --from-to=LocalBlob --delete-destination=true --output-type=json --shard="$SHARD" $EXTRA`

func TestShardedSyncWithXargs(t *testing.T) {
	if _, err := exec.LookPath("xargs"); err != nil {
		t.Skip("xargs is not installed")
	}
	src := writeShardSource(t)
	checkLikeOneRun(t, func(t *testing.T, dst string, r shardRun) {
		// The shard depth 2 here, 1 under Slurm: both must end the same.
		cmd := exec.Command("xargs", "-P", fmt.Sprint(shards), "-I{}", "sh", "-c", `SHARD={}/4; `+shardScript+` > "$OUT/{}.json"`)
		cmd.Stdin = strings.NewReader("0\n1\n2\n3\n")
		cmd.Env = r.env("SRC="+src, "DST="+dst, "OUT="+r.out, "EXTRA=--shard-depth=2")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("xargs: %v\n%s", err, out)
		}
	})
}

// The job array is deploy/slurm-sync.sh as the README shows it, with azsync on the PATH.
func TestShardedSyncWithSlurm(t *testing.T) {
	conf := os.Getenv("AZSYNC_SLURM_CONF")
	if conf == "" {
		why := os.Getenv("AZSYNC_SLURM_SKIP")
		if why == "" {
			why = "AZSYNC_SLURM_CONF is not set; .ci/run starts a single-node Slurm and sets it (or run .ci/slurm.sh up DIR)"
		}
		t.Skip("Slurm is not available: " + why)
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	src := writeShardSource(t)
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "azsync"), []byte("#!/bin/sh\nexec \"$AZSYNC_BIN\" \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	checkLikeOneRun(t, func(t *testing.T, dst string, r shardRun) {
		cmd := exec.Command("sbatch", fmt.Sprintf("--array=0-%d", shards-1), "--wait", "--quiet",
			"-o", filepath.Join(r.out, "shard-%a.json"), filepath.Join(root, "deploy", "slurm-sync.sh"),
			src, dst, "--from-to=LocalBlob", "--delete-destination=true")
		cmd.Dir = t.TempDir()
		cmd.Env = r.env("SLURM_CONF="+conf, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sbatch: %v\n%s", err, out)
		}
	})
}

// A shard whose copies fail holds back its own deletions; the others delete theirs and nothing of
// its part; report names it and fails.
func TestFailedShardDeletesNothingOutsideItsPart(t *testing.T) {
	src := writeShardSource(t)
	direct := strings.TrimSuffix(azurite.Endpoint, "/"+testenv.DevAccount)
	const failing = 1
	spec := shard.Spec{Count: shards, Depth: 1}
	proxy, err := testenv.NewFaultProxy(direct, func(_ int, r *http.Request) testenv.Fault {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/f7.txt") {
			return testenv.Forbidden
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	c := newContainerName(t)
	extras := seedExtras(t, c)
	r := newShardRun(t)
	var wg sync.WaitGroup
	for k := range shards {
		dst := directURL(c)
		if k == failing {
			dst = containerURL(proxy.URL, c)
		}
		wg.Go(func() {
			cmd := exec.Command("sh", "-c", shardScript+` > "$OUT/$K.json"`)
			cmd.Env = r.env("SRC="+src, "DST="+dst, "OUT="+r.out, fmt.Sprintf("K=%d", k), fmt.Sprintf("SHARD=%d/%d", k, shards))
			_ = cmd.Run() // the failing shard exits 1; report says so
		})
	}
	wg.Wait()
	if proxy.Count(testenv.Forbidden) == 0 {
		t.Fatal("no copy of the failing shard was refused: the test proves nothing")
	}
	blobs := listBlobs(t, c)
	for _, name := range extras {
		_, kept := blobs[name]
		switch owner := spec.Owner(name); {
		case owner == failing && !kept:
			t.Errorf("%s, of the failed shard's part, was deleted", name)
		case owner != failing && kept:
			t.Errorf("%s, of shard %d's part, was not deleted", name, owner)
		}
	}
	out, code := r.report(t)
	if code == 0 || !strings.Contains(out, fmt.Sprintf("Shard %d/%d: CompletedWithErrors", failing, shards)) ||
		!strings.Contains(out, "Final Job Status: CompletedWithErrors") {
		t.Errorf("report (exit %d):\n%s", code, out)
	}
	if bytes.Count([]byte(out), []byte(": Completed [")) != shards-1 {
		t.Errorf("report does not show the other shards completed:\n%s", out)
	}
}
