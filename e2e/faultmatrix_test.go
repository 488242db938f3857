package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/testenv"
)

// The fault matrix (README "Fault matrix"): every pair azsync syncs, through the in-process fault
// proxy, under each kind of fault a network or a service shows. Each case ends with the destination
// holding exactly the source's names and bytes, after at most one re-run, with no temporary left,
// and with an exit status and a summary that say what happened. The trees are small (a handful of
// files and one file of several blocks) so that the whole matrix stays within the CI budget.

// side is where one end of a pair lives.
type side int

const (
	local side = iota
	blobSide
	filesSide
)

type pair struct {
	fromTo   string
	from, to side
}

var matrixPairs = []pair{
	{"LocalBlob", local, blobSide}, {"BlobLocal", blobSide, local}, {"BlobBlob", blobSide, blobSide},
	{"LocalFile", local, filesSide}, {"FileLocal", filesSide, local}, {"FileFile", filesSide, filesSide},
}

// remote is the side of the pair that is a service (both sides of a service-to-service pair are on
// the same one, and the proxy stands in front of it).
func (p pair) remote() side {
	if p.from != local {
		return p.from
	}
	return p.to
}

// matrixBlock is the block (and range) size of the matrix runs, so that big.bin takes 7 blocks.
const matrixBlock = "--block-size-mb=0.5"

var matrixTree = map[string]int{"a.txt": 100, "d1/b.txt": 2000, "d1/d2/c.bin": 70_000, "d3/e.txt": 10, "big.bin": 3<<20 + 12345}

// killTree is the larger tree of the kill -9 cases: 40 small files in four folders and big.bin.
func killTree() map[string]int {
	t := map[string]int{"big.bin": 4<<20 + 777}
	for i := range 40 {
		t[fmt.Sprintf("k%d/f%02d.dat", i%4, i)] = 1000 + 397*i
	}
	return t
}

// sources holds one copy of a tree on each side, written once and only read by the cases.
type sources struct {
	want      map[string][]byte
	dir       string // local
	container string // Blob, at the root of the container
	share     string // Files, at the root of the share
}

var (
	sourcesOnce sync.Once
	sourceSets  map[string]*sources
	sourcesErr  string
)

// matrixSources writes the matrix tree and the kill tree on every side, once for the package.
func matrixSources(t *testing.T) map[string]*sources {
	t.Helper()
	sourcesOnce.Do(func() {
		sets := map[string]*sources{}
		for name, tree := range map[string]map[string]int{"matrix": matrixTree, "kill": killTree()} {
			s, err := writeSources(t, name, tree)
			if err != nil {
				sourcesErr = err.Error()
				return
			}
			sets[name] = s
		}
		sourceSets = sets
	})
	if sourcesErr != "" {
		t.Fatal(sourcesErr)
	}
	return sourceSets
}

func writeSources(t *testing.T, name string, tree map[string]int) (*sources, error) {
	dir, err := os.MkdirTemp("", "azsync-src-")
	if err != nil {
		return nil, err
	}
	s := &sources{want: writeFiles(t, dir, tree), dir: dir,
		container: fmt.Sprintf("src%s%08x", name, rand.Uint32()), share: fmt.Sprintf("src%s%08x", name, rand.Uint32())}
	if err := testenv.CreateShare(context.Background(), filesEmu.URL, s.share); err != nil {
		return nil, err
	}
	for _, to := range []struct{ url, fromTo string }{
		{azurite.Endpoint + "/" + s.container + "?" + sas, "LocalBlob"},
		{filesEmu.URL + "/" + s.share + "?" + fsas, "LocalFile"},
	} {
		if out, code := run(t, "sync", dir, to.url, "--from-to="+to.fromTo, matrixBlock); code != 0 {
			return nil, fmt.Errorf("seeding the %s source: exit %d\n%s", to.fromTo, code, out)
		}
	}
	return s, nil
}

// serviceOf is the scheme://host:port of a side's service and the account's path on it.
func serviceOf(s side) (target, account string) {
	base := azurite.Endpoint
	if s == filesSide {
		base = filesEmu.URL
	}
	u, _ := url.Parse(base)
	return u.Scheme + "://" + u.Host, u.Path
}

// end is one end of a case: the URL (or folder) azsync is given and how to read what is there.
type end struct {
	arg  string
	read func(t *testing.T) map[string][]byte // every file, temporaries included
}

// sourceEnd is the source of a case, reached through the proxy at base when it is remote.
func sourceEnd(s side, src *sources, base string) end {
	_, account := serviceOf(s)
	switch s {
	case blobSide:
		return end{arg: base + account + "/" + src.container + "?" + sas}
	case filesSide:
		return end{arg: base + account + "/" + src.share + "?" + fsas}
	}
	return end{arg: src.dir}
}

// newDestination makes an empty destination on side s and returns it reached through base, and
// directly.
func newDestination(t *testing.T, s side, base string) (through, direct end) {
	t.Helper()
	target, account := serviceOf(s)
	switch s {
	case blobSide:
		name, _ := newTestContainer(t, "fm")
		svc, err := azurite.Service()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.NewContainerClient(name).Create(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		// A container SAS: Azurite serves the *FromURL operations only under one.
		csas, err := azurite.ContainerSAS(name, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		read := func(t *testing.T) map[string][]byte { return blobTree(t, name) }
		return end{base + account + "/" + name + "?" + csas, read}, end{target + account + "/" + name + "?" + csas, read}
	case filesSide:
		sc, _ := newTestShare(t, "fm")
		name := strings.TrimPrefix(sc.URL(), filesEmu.URL+"/")
		read := func(t *testing.T) map[string][]byte { return shareTree(t, sc) }
		return end{base + account + "/" + name + "?" + fsas, read}, end{target + account + "/" + name + "?" + fsas, read}
	}
	dir := t.TempDir()
	e := end{dir, func(t *testing.T) map[string][]byte { return readTree(t, dir) }}
	return e, e
}

// blobTree reads every blob of a container.
func blobTree(t *testing.T, name string) map[string][]byte {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	cc := svc.NewContainerClient(name)
	out := map[string][]byte{}
	for blobName := range blobNames(t, name) {
		resp, err := cc.NewBlobClient(blobName).DownloadStream(context.Background(), nil)
		if err != nil {
			t.Fatalf("reading blob %s: %v", blobName, err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("reading blob %s: %v", blobName, err)
		}
		out[blobName] = data
	}
	return out
}

// shareTree reads every file of a share, temporaries included, by '/'-separated path.
func shareTree(t *testing.T, sc *share.Client) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var walk func(dir string)
	walk = func(dir string) {
		dc := sc.NewRootDirectoryClient()
		if dir != "" {
			dc = sc.NewDirectoryClient(dir)
		}
		pager := dc.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{})
		for pager.More() {
			page, err := pager.NextPage(context.Background())
			if err != nil {
				t.Fatalf("listing %q: %v", dir, err)
			}
			for _, f := range page.Segment.Files {
				name := joinPath(dir, *f.Name)
				out[name] = readShareFile(t, sc, name)
			}
			for _, d := range page.Segment.Directories {
				walk(joinPath(dir, *d.Name))
			}
		}
	}
	walk("")
	return out
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// faultCase is one column of the matrix.
type faultCase struct {
	name string
	// rule picks each request's fault; it is called with the proxy's lock held.
	rule  func() func(n int, r *http.Request) testenv.Fault
	proof testenv.Fault // a fault the case must have injected, or it proves nothing
	note  string        // what the output shows of it, when the run retries it
	each  bool          // the note is shown for every fault injected
	env   []string
	// fails: the run cannot succeed (exit 1, deletions held back); a re-run without the fault
	// converges. The destination then starts with an extra file, and both runs delete extras.
	fails bool
}

// isData tells requests that move a file's bytes: block, range and whole-file writes and reads,
// and their server-side copies.
func isData(r *http.Request) bool {
	q := r.URL.Query()
	switch r.Method {
	case http.MethodGet:
		return q.Get("comp") == "" && q.Get("restype") == ""
	case http.MethodPut:
		return q.Get("comp") == "block" || q.Get("comp") == "range" ||
			q.Get("comp") == "" && q.Get("restype") == "" && (r.ContentLength > 0 || r.Header.Get("x-ms-copy-source") != "")
	}
	return false
}

func isList(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Get("comp") == "list"
}

// inD1 tells a listing of the folder d1 (Blob: its prefix; Files: its directory).
func inD1(r *http.Request) bool {
	return r.URL.Query().Get("prefix") == "d1/" || strings.HasSuffix(r.URL.Path, "/d1")
}

// firstTries answers f to the first k tries of every request (told apart by method, URL and
// range), so that each request meets the storm whatever the order they come in.
func firstTries(k int, f testenv.Fault) func() func(int, *http.Request) testenv.Fault {
	return func() func(int, *http.Request) testenv.Fault {
		seen := map[string]int{}
		return func(_ int, r *http.Request) testenv.Fault {
			key := r.Method + " " + r.URL.String() + " " + r.Header.Get("Range") + r.Header.Get("x-ms-range")
			seen[key]++
			if seen[key] <= k {
				return f
			}
			return testenv.Pass
		}
	}
}

func always(f testenv.Fault) func() func(int, *http.Request) testenv.Fault {
	return func() func(int, *http.Request) testenv.Fault {
		return func(int, *http.Request) testenv.Fault { return f }
	}
}

var faultCases = []faultCase{
	{name: "reset mid-body", proof: testenv.CutRequest, rule: func() func(int, *http.Request) testenv.Fault {
		// Every 4th request is cut: a body on its way up half sent, or an answer half received
		// after the service acted on the request (so its retry finds the work already done).
		return func(n int, r *http.Request) testenv.Fault {
			switch {
			case n%8 == 3:
				return testenv.CutRequest
			case n%8 == 7:
				return testenv.CutBody
			}
			return testenv.Pass
		}
	}},
	{name: "latency", proof: testenv.Slow, rule: always(testenv.Slow)},
	{name: "bandwidth squeeze", proof: testenv.Squeeze, rule: always(testenv.Squeeze)},
	{name: "503 storm", proof: testenv.Busy, note: "the service answered 503 ServerBusy", each: true, rule: firstTries(2, testenv.Busy)},
	{name: "503 storm with Retry-After", proof: testenv.BusyRetryAfter, note: "retrying in about 1.0 s", each: true, rule: firstTries(2, testenv.BusyRetryAfter)},
	{name: "500 on a quarter", proof: testenv.Internal, note: "the service answered 500 InternalError", rule: func() func(int, *http.Request) testenv.Fault {
		r := rand.New(rand.NewPCG(6, 500))
		return func(int, *http.Request) testenv.Fault {
			if r.IntN(4) == 0 {
				return testenv.Internal
			}
			return testenv.Pass
		}
	}},
	{name: "stall past the try timeout", proof: testenv.Stall, note: "context deadline exceeded", each: true, env: []string{"AZCOPY_REQUEST_TRY_TIMEOUT=0.05"},
		rule: func() func(int, *http.Request) testenv.Fault {
			// The first listing and the first data request hang until the client gives up.
			var list, data bool
			return func(_ int, r *http.Request) testenv.Fault {
				switch {
				case isList(r) && !list:
					list = true
					return testenv.Stall
				case isData(r) && !data:
					data = true
					return testenv.Stall
				}
				return testenv.Pass
			}
		}},
	{name: "listing pages fail once", proof: testenv.Internal, note: "the service answered 500 InternalError", rule: func() func(int, *http.Request) testenv.Fault {
		failed := 0
		return func(_ int, r *http.Request) testenv.Fault {
			if isList(r) && failed < 2 {
				failed++
				return testenv.Internal
			}
			return testenv.Pass
		}
	}},
	{name: "listing page cut short every time", proof: testenv.Truncate, fails: true, rule: func() func(int, *http.Request) testenv.Fault {
		return func(_ int, r *http.Request) testenv.Fault {
			if isList(r) && inD1(r) {
				return testenv.Truncate
			}
			return testenv.Pass
		}
	}},
}

// TestFaultMatrix runs every pair under every fault case.
func TestFaultMatrix(t *testing.T) {
	srcs := matrixSources(t)
	var cases []subtest
	for _, p := range matrixPairs {
		for _, fc := range faultCases {
			cases = append(cases, subtest{p.fromTo + "/" + fc.name, func(t *testing.T) { runFaultCase(t, p, fc, srcs["matrix"]) }})
		}
	}
	runConcurrently(t, cases)
}

type subtest struct {
	name string
	run  func(t *testing.T)
}

// matrixParallel is how many cases run at once. They mostly wait (on retries, stalls, a paced
// proxy), so more of them than the machine has cores keep the wall time down without loading it.
const matrixParallel = 8

// runConcurrently runs the subtests, up to matrixParallel at once (t.Parallel would stop at
// GOMAXPROCS).
func runConcurrently(t *testing.T, cases []subtest) {
	sem := make(chan struct{}, matrixParallel)
	var wg sync.WaitGroup
	for _, c := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			t.Run(c.name, c.run)
		}()
	}
	wg.Wait()
}

func runFaultCase(t *testing.T, p pair, fc faultCase, src *sources) {
	target, _ := serviceOf(p.remote())
	proxy, err := testenv.NewFaultProxy(target, fc.rule())
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	from := sourceEnd(p.from, src, proxy.URL)
	to, direct := newDestination(t, p.to, proxy.URL)
	args := []string{"sync", from.arg, to.arg, "--from-to=" + p.fromTo, matrixBlock}
	want := src.want
	if fc.fails {
		seedExtra(t, p, direct)
		args = append(args, "--delete-destination=true")
	}
	out, code := azsyncRun(t, fc.env, args...)
	if proxy.Count(fc.proof) == 0 {
		t.Fatalf("the proxy never injected the fault: the case proves nothing\n%s", tail(out))
	}
	noStackTrace(t, out)
	if n := strings.Count(out, fc.note); n == 0 || fc.each && n < proxy.Count(fc.proof) {
		t.Errorf("the output shows %d of the %d faults injected (%q)\n%s", n, proxy.Count(fc.proof), fc.note, tail(out))
	}
	if !fc.fails {
		expectRun(t, "through the fault", out, code, map[string]int{"Number of Copy Transfers for Files": len(want),
			"Number of Copy Transfers Failed": 0})
		expectStatus(t, out, "Completed")
		compareTrees(t, "the destination", want, to.read(t))
		return
	}
	if code != 1 || summaryValue(out, "Number of Deletions at Destination") != 0 || strings.Contains(out, "Final Job Status: Completed\n") ||
		!strings.Contains(out, "/d1: the answer was cut short 4 times") {
		t.Errorf("a run whose listing failed: exit %d, want 1, the listing named, no deletion and a status that says it failed\n%s", code, tail(out))
	}
	if strings.Contains(out, "*generated.") {
		t.Errorf("the output names the SDK's internal types\n%s", tail(out))
	}
	if _, ok := to.read(t)[extraName]; !ok {
		t.Errorf("the extra file was deleted although a listing failed")
	}
	rerun, code := azsyncRun(t, nil, "sync", sourceEnd(p.from, src, target).arg, direct.arg, "--from-to="+p.fromTo, matrixBlock, "--delete-destination=true")
	expectRun(t, "the re-run", rerun, code, map[string]int{"Number of Copy Transfers Failed": 0, "Number of Deletions at Destination": 1})
	expectStatus(t, rerun, "Completed")
	compareTrees(t, "the destination after the re-run", want, direct.read(t))
}

// extraName is a file at the destination that the source lacks, in the folder whose listing fails.
const extraName = "d1/extra.txt"

// seedExtra puts extraName at the destination, directly.
func seedExtra(t *testing.T, p pair, direct end) {
	t.Helper()
	seed := t.TempDir()
	writeFiles(t, seed, map[string]int{extraName: 7})
	if p.to == local {
		writeFiles(t, direct.arg, map[string]int{extraName: 7})
		return
	}
	fromTo := map[side]string{blobSide: "LocalBlob", filesSide: "LocalFile"}[p.to]
	if out, code := azsyncRun(t, nil, "sync", seed, direct.arg, "--from-to="+fromTo); code != 0 {
		t.Fatalf("seeding the extra file: exit %d\n%s", code, out)
	}
}

func expectStatus(t *testing.T, out, status string) {
	t.Helper()
	if !strings.Contains(out, "Final Job Status: "+status+"\n") {
		t.Errorf("the summary does not say %q:\n%s", status, tail(out))
	}
}

func noStackTrace(t *testing.T, out string) {
	t.Helper()
	if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic:") || strings.Contains(out, "<Error>") {
		t.Errorf("a stack trace or a raw service answer in the output:\n%s", tail(out))
	}
}

// TestKilledAtRandom: for every pair, kill -9 at a random request of a larger sync (the seed is
// in the log), then run again: what is under a real name is never wrong, and the re-run converges
// and leaves no temporary.
func TestKilledAtRandom(t *testing.T) {
	srcs := matrixSources(t)
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 9))
	var cases []subtest
	for _, p := range matrixPairs {
		killAt := 3 + r.IntN(38)
		cases = append(cases, subtest{p.fromTo, func(t *testing.T) {
			t.Logf("killed at request %d", killAt)
			runKilled(t, p, srcs["kill"], killAt)
		}})
	}
	runConcurrently(t, cases)
}

func runKilled(t *testing.T, p pair, src *sources, killAt int) {
	target, _ := serviceOf(p.remote())
	started := make(chan struct{})
	var victim atomic.Pointer[proc]
	var killed atomic.Bool
	proxy, err := testenv.NewFaultProxy(target, func(n int, _ *http.Request) testenv.Fault {
		if n != killAt {
			return testenv.Pass
		}
		<-started
		killed.Store(true)
		victim.Load().cmd.Process.Kill()
		return testenv.Stall
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	to, direct := newDestination(t, p.to, proxy.URL)
	pr := startAzsync(t, "sync", sourceEnd(p.from, src, proxy.URL).arg, to.arg, "--from-to="+p.fromTo, "--block-size-mb=0.25")
	victim.Store(pr)
	close(started)
	<-pr.done
	if !killed.Load() {
		t.Fatalf("the run ended before request %d: the case proves nothing\n%s", killAt, tail(pr.out.String()))
	}
	noWrongFile(t, src.want, direct.read(t))
	if p.to == filesSide {
		// The re-run removes the temporaries last written before it began, by the service's clock.
		sc, _ := share.NewClientWithNoCredential(strings.Split(direct.arg, "?")[0]+"?"+fsas, nil)
		waitServiceClockPast(t, sc, time.Now())
	}
	out, code := azsyncRun(t, nil, "sync", sourceEnd(p.from, src, target).arg, direct.arg, "--from-to="+p.fromTo, "--block-size-mb=0.25")
	expectRun(t, "the re-run", out, code, map[string]int{"Number of Copy Transfers Failed": 0})
	expectStatus(t, out, "Completed")
	compareTrees(t, "the destination after the re-run", src.want, direct.read(t))
}

// noWrongFile fails if a file under a real name (not a temporary) does not hold the source's bytes.
func noWrongFile(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	for name, data := range got {
		if isTempPath(name) {
			continue
		}
		if w, ok := want[name]; !ok || string(w) != string(data) {
			t.Errorf("after kill -9, %s (%d bytes) is not the source's", name, len(data))
		}
	}
}

func isTempPath(name string) bool {
	base := name[strings.LastIndexByte(name, '/')+1:]
	return strings.HasPrefix(base, ".azsync-") && strings.HasSuffix(base, ".partial")
}
