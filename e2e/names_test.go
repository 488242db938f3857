package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// Hostile name parts (SPEC §6: spaces, '%', '#', '?', '+', ';', '&', NFC and NFD, trailing dots, very
// long names and deep paths round-trip byte for byte).
var hostileParts = []string{
	"with space", " leading space", "trailing space ", "100%", "%41%2F%zz", "hash#tag", "what?", "a+b",
	"semi;colon", "amp&ersand", "eq=uals", "'single'", `"double"`, "[brackets]", "{braces}", "(parens)",
	"@at", "~tilde", "$dollar", "comma,", "!bang", "^caret", "`tick`",
	"caf\u00e9",  // NFC: é as one code point
	"cafe\u0301", // NFD: e + combining acute — a different name
	"\u00c5ngstr\u00f6m", "A\u030angstro\u0308m",
	"日本語のファイル", "Ελληνικά", "עברית", "emoji 😀🎉", "zwj 👩‍💻",
	"ｆｕｌｌｗｉｄｔｈ", "\ufb01ligature", "\ue000private", "\uffe9arrow",
	"trailing.", "dots...", "-dash", "--double-dash", "-",
	"x.", "..double-leading", ".hidden",
}

// hostileDirs are folder names (each may also be nested), chosen so that names sorting just before and
// after '/' sit next to a folder of the same stem: "a b", "a-b", "a.b" < "a/" < "a0".
var hostileDirs = []string{"a", "ｆｕｌｌ", "with space", "100%", "hash#tag", "what?", "dots..", "caf\u00e9", "cafe\u0301", "-dash", "😀"}

// buildHostileTree writes about n files under root and returns their contents by relative path.
func buildHostileTree(t *testing.T, root string, n int) map[string][]byte {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	files := map[string][]byte{}
	add := func(rel string) {
		if _, dup := files[rel]; dup {
			return
		}
		data := make([]byte, r.IntN(20<<10+1))
		for i := range data {
			data[i] = byte(r.UintN(256))
		}
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files[rel] = data
	}
	// Neighbours of the folder "a" around '/'.
	for _, name := range []string{"a b", "a-b", "a.b", "a!", "a0", "a~", "a/inner", "a/inner b", "a/inner/deeper"} {
		if name == "a/inner" {
			continue // "a/inner" is a folder below
		}
		add(name)
	}
	// The same neighbours one level down, inside a hostile folder.
	for _, name := range []string{"with space/x y", "with space/x", "with space/x/y", "with space/x-y", "with space/x.y"} {
		if name == "with space/x" {
			continue
		}
		add(name)
	}
	// Very long names (about 200 bytes: within the 255-byte limit of a Linux file name) and a deep path
	// (the blob name limit is 1024 characters).
	add(strings.Repeat("long name ", 20) + ".txt")
	add(strings.Repeat("é", 100)) // 200 bytes of two-byte characters
	deep := make([]string, 0, 30)
	for i := range 30 {
		deep = append(deep, fmt.Sprintf("d%02d %s", i, hostileParts[i%len(hostileParts)]))
	}
	add(strings.Join(deep, "/") + "/bottom.txt")
	add(strings.Join(deep[:15], "/") + "/middle.txt")
	// The rest: hostile parts in hostile folders, nested up to two deep.
	for i := 0; len(files) < n; i++ {
		depth := r.IntN(3)
		segs := make([]string, 0, depth+1)
		for range depth {
			segs = append(segs, hostileDirs[r.IntN(len(hostileDirs))])
		}
		part := hostileParts[r.IntN(len(hostileParts))]
		switch r.IntN(3) {
		case 0:
			part = strconv.Itoa(i) + " " + part
		case 1:
			part = part + " " + strconv.Itoa(i)
		default:
			part = part + strconv.Itoa(i) + "."
		}
		segs = append(segs, part)
		add(strings.Join(segs, "/"))
	}
	// Both Unicode forms of the same word as two distinct files, side by side.
	add("forms/caf\u00e9.txt")
	add("forms/cafe\u0301.txt")
	return files
}

// readTree returns the content of every regular file below root by relative path.
func readTree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	got, err := treeFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// treeFiles returns the content of every regular file below root by '/'-separated relative path.
func treeFiles(root string) (map[string][]byte, error) {
	got := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = data
		return nil
	})
	return got, err
}

// compareTrees fails unless got holds exactly want's names with want's bytes.
func compareTrees(t *testing.T, what string, want, got map[string][]byte) {
	t.Helper()
	var missing, extra, differ []string
	for name, data := range want {
		g, ok := got[name]
		switch {
		case !ok:
			missing = append(missing, strconv.Quote(name))
		case !bytes.Equal(g, data):
			differ = append(differ, strconv.Quote(name))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			extra = append(extra, strconv.Quote(name))
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	slices.Sort(differ)
	if len(missing)+len(extra)+len(differ) > 0 {
		t.Errorf("%s: %d missing, %d unexpected, %d with other content (of %d)\nmissing: %s\nunexpected: %s\ndiffer: %s",
			what, len(missing), len(extra), len(differ), len(want), head(missing), head(extra), head(differ))
	}
}

func head(s []string) string {
	if len(s) > 20 {
		return strings.Join(s[:20], " ") + " …"
	}
	return strings.Join(s, " ")
}

// azsyncRun runs azsync as a subprocess with its own log folder and returns its output (stdout and
// stderr together) and exit status.
func azsyncRun(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := azsyncCmd(args...)
	cmd.Env = append(cmd.Env, "AZCOPY_LOG_LOCATION="+t.TempDir(), "AZCOPY_CONCURRENCY_VALUE=32")
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil && cmd.ProcessState == nil {
		t.Fatal(err)
	}
	t.Logf("azsync %s: exit %d in %v", strings.Join(args[:min(len(args), 1)], " "), cmd.ProcessState.ExitCode(), time.Since(start).Round(time.Millisecond))
	return string(out), cmd.ProcessState.ExitCode()
}

// summaryValue returns the number on the summary line with the given label, or -1.
func summaryValue(out, label string) int {
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + `: (\d+)$`).FindStringSubmatch(out)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// expectRun fails unless the run exited 0 and its summary has the given values.
func expectRun(t *testing.T, what, out string, code int, want map[string]int) {
	t.Helper()
	if code != 0 {
		t.Fatalf("%s: exit status %d\n%s", what, code, tail(out))
	}
	for label, n := range want {
		if got := summaryValue(out, label); got != n {
			t.Errorf("%s: %q is %d, want %d\n%s", what, label, got, n, tail(out))
		}
	}
}

// tail keeps the end of a long output for a failure message.
func tail(s string) string {
	if len(s) > 6000 {
		return "…" + s[len(s)-6000:]
	}
	return s
}

func newTestContainer(t *testing.T, prefix string) (name, url string) {
	t.Helper()
	name = fmt.Sprintf("%s%08x", prefix, rand.Uint32())
	return name, azurite.Endpoint + "/" + name + "?" + sas
}

// blobNames lists every blob of a container.
func blobNames(t *testing.T, name string) map[string]bool {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	pager := svc.NewContainerClient(name).NewListBlobsFlatPager(nil)
	names := map[string]bool{}
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			names[*b.Name] = true
		}
	}
	return names
}

// TestHostileNamesRoundTrip uploads a tree of about 3000 files with hostile names, checks the blob
// names, downloads it to a new folder and compares every name and byte; then a second run each way
// transfers and deletes nothing.
func TestHostileNamesRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("about 30 s against Azurite: skipped with -short")
	}
	src, down := filepath.Join(t.TempDir(), "src"), filepath.Join(t.TempDir(), "down")
	want := buildHostileTree(t, src, 3000)
	cname, url := newTestContainer(t, "names")

	out, code := azsyncRun(t, nil, "sync", src, url, "--from-to=LocalBlob")
	expectRun(t, "upload", out, code, map[string]int{
		"Files Scanned at Source":            len(want),
		"Number of Copy Transfers Completed": len(want),
		"Number of Copy Transfers Failed":    0,
	})

	// Blob names are the relative paths, byte for byte.
	got := blobNames(t, cname)
	var missing, extra []string
	for name := range want {
		if !got[name] {
			missing = append(missing, strconv.Quote(name))
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			extra = append(extra, strconv.Quote(name))
		}
	}
	if len(missing)+len(extra) > 0 {
		t.Errorf("blob names: %d missing, %d unexpected\nmissing: %s\nunexpected: %s", len(missing), len(extra), head(missing), head(extra))
	}

	// Right away, nothing to transfer and — the merge walk pairing every name with itself — nothing to
	// delete.
	out, code = azsyncRun(t, nil, "sync", src, url, "--from-to=LocalBlob", "--delete-destination=true")
	expectRun(t, "second upload", out, code, map[string]int{
		"Number of Copy Transfers for Files": 0,
		"Number of Deletions at Destination": 0,
		"Files Scanned at Destination":       len(want),
	})

	out, code = azsyncRun(t, nil, "sync", url, down, "--from-to=BlobLocal")
	expectRun(t, "download", out, code, map[string]int{"Number of Copy Transfers Completed": len(want)})
	compareTrees(t, "download", want, readTree(t, down))

	out, code = azsyncRun(t, nil, "sync", url, down, "--from-to=BlobLocal", "--delete-destination=true")
	expectRun(t, "second download", out, code, map[string]int{
		"Number of Copy Transfers for Files": 0,
		"Number of Deletions at Destination": 0,
	})
	compareTrees(t, "after the second download", want, readTree(t, down))
}

// TestLargeFileRoundTrip moves a 24 MiB file in 4 MiB blocks both ways.
func TestLargeFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	data := pseudoRandom("large.bin", 24<<20)
	if err := os.WriteFile(filepath.Join(dir, "large.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cname, url := newTestContainer(t, "large")
	out, code := azsyncRun(t, nil, "sync", dir, url, "--from-to=LocalBlob", "--block-size-mb=4", "--put-md5")
	expectRun(t, "upload", out, code, map[string]int{
		"Number of Copy Transfers Completed": 1,
		"Total Number of Bytes Transferred":  len(data),
	})

	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	bl, err := svc.NewContainerClient(cname).NewBlockBlobClient("large.bin").GetBlockList(context.Background(), blockblob.BlockListTypeCommitted, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(bl.CommittedBlocks); n != 6 {
		t.Errorf("committed blocks: %d, want 6", n)
	}
	for _, b := range bl.CommittedBlocks {
		if *b.Size != 4<<20 {
			t.Errorf("block of %d bytes, want %d", *b.Size, 4<<20)
		}
	}

	down := filepath.Join(t.TempDir(), "down")
	out, code = azsyncRun(t, nil, "sync", url, down, "--from-to=BlobLocal", "--block-size-mb=4", "--check-md5=FailIfDifferentOrMissing")
	expectRun(t, "download", out, code, map[string]int{"Number of Copy Transfers Completed": 1})
	got, err := os.ReadFile(filepath.Join(down, "large.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("downloaded content differs (%d bytes, want %d)", len(got), len(data))
	}

	// And with the default sizes (one 8 MiB range after another) too.
	down2 := filepath.Join(t.TempDir(), "down2")
	out, code = azsyncRun(t, nil, "sync", url, down2, "--from-to=BlobLocal")
	expectRun(t, "default download", out, code, map[string]int{"Number of Copy Transfers Completed": 1})
	if got, err := os.ReadFile(filepath.Join(down2, "large.bin")); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("default-size download differs (err %v)", err)
	}
}

// TestBackslashInLocalName: on Linux '\' is an ordinary character of a file name, but the Blob
// service (and Azurite) turn it into '/': the file "back\slash.txt" is stored as the blob
// "back/slash.txt". Either azsync refuses such a name with a clear error for that entry, or the name
// must come back as itself — in no case may a run report success while the destination lacks the
// file, and a second run right after must transfer and delete nothing (SPEC §3).
//
// (It once stored "back/slash.txt" and reported success; a second run with --delete-destination=true
// then uploaded it again and deleted it as an extra, every time.)
func TestBackslashInLocalName(t *testing.T) {
	src := t.TempDir()
	content := []byte("a file whose name has a backslash\n")
	if err := os.WriteFile(filepath.Join(src, `back\slash.txt`), content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "plain.txt"), []byte("plain\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cname, url := newTestContainer(t, "backslash")
	out, code := azsyncRun(t, nil, "sync", src, url, "--from-to=LocalBlob", "--delete-destination=true")
	if code != 0 {
		// Refused: the error must name the entry.
		if !strings.Contains(out, "slash.txt") {
			t.Errorf("the run failed without naming the entry:\n%s", tail(out))
		}
		return
	}
	out, code = azsyncRun(t, nil, "sync", src, url, "--from-to=LocalBlob", "--delete-destination=true")
	expectRun(t, "second upload", out, code, map[string]int{
		"Number of Copy Transfers for Files": 0,
		"Number of Deletions at Destination": 0,
	})
	// The content is still in the container, under whatever name.
	found := false
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	cc := svc.NewContainerClient(cname)
	for name := range blobNames(t, cname) {
		resp, err := cc.NewBlobClient(name).DownloadStream(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(resp.Body)
		resp.Body.Close()
		found = found || bytes.Equal(b.Bytes(), content)
	}
	if !found {
		t.Errorf("after two successful runs the container has no blob with the content of back\\slash.txt: %v", blobNames(t, cname))
	}
}
