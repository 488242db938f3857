package e2e

// Extra testscript commands for the flag and safety scripts, registered in TestScripts' Cmds map
// (script_test.go).

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/rogpeppe/go-internal/testscript"
)

// mkfile PATH SIZE: writes SIZE bytes of deterministic pseudo-random content (seeded by PATH's base
// name, so two files of the same name and size are equal). SIZE is a byte count with an optional
// K or M suffix (KiB, MiB).
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: mkfile PATH SIZE")
	}
	size, err := parseSize(args[1])
	ts.Check(err)
	p := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(p), 0o755))
	ts.Check(os.WriteFile(p, pseudoRandom(filepath.Base(p), size), 0o644))
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// pseudoRandom returns size bytes from a ChaCha8 stream seeded by seed.
func pseudoRandom(seed string, size int64) []byte {
	key := sha256.Sum256([]byte(seed))
	r := rand.NewChaCha8(key)
	buf := make([]byte, size)
	var word [8]byte
	for i := int64(0); i < size; i += 8 {
		binary.LittleEndian.PutUint64(word[:], r.Uint64())
		copy(buf[i:], word[:])
	}
	return buf
}

// sigValue is the signature of the package's SAS, as it appears in the query string.
func sigValue(ts *testscript.TestScript) string {
	q, err := url.ParseQuery(sas)
	ts.Check(err)
	sig := q.Get("sig")
	if len(sig) < 16 {
		ts.Fatalf("the test SAS has no usable sig")
	}
	return sig
}

// nosig FILE|DIR...: fails if the SAS signature (raw, query-escaped or path-escaped) appears in any
// of the files, or any file below the folders. "stdout"/"stderr" name the last command's output.
func cmdNoSig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: nosig FILE|DIR...")
	}
	sig := sigValue(ts)
	forms := []string{sig, url.QueryEscape(sig), url.PathEscape(sig)}
	check := func(name, content string) {
		for _, f := range forms {
			if strings.Contains(content, f) {
				ts.Fatalf("the SAS signature appears in %s", name)
			}
		}
	}
	checked := 0
	for _, a := range args {
		if a == "stdout" || a == "stderr" {
			check(a, ts.ReadFile(a))
			checked++
			continue
		}
		files, err := treeFiles(ts.MkAbs(a))
		ts.Check(err)
		for name, data := range files {
			check(name, string(data))
			checked++
		}
	}
	fmt.Fprintf(ts.Stdout(), "checked %d files\n", checked)
}

// plan FILE: the "DRYRUN: " lines of FILE ("stdout" for the last command's), sorted.
func cmdPlan(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: plan FILE")
	}
	var lines []string
	for line := range strings.Lines(ts.ReadFile(args[0])) {
		if strings.HasPrefix(line, "DRYRUN: ") {
			lines = append(lines, strings.TrimRight(line, "\n"))
		}
	}
	printSorted(ts, lines)
}

var (
	logRoots   = regexp.MustCompile(`INFO: names below are relative to (.*) \(source\) and (.*) \(destination\)$`)
	logCopied  = regexp.MustCompile(`INFO: copied (.*?)(?: as (.*))? \(\d+ bytes\)$`)
	logCreated = regexp.MustCompile(`INFO: created folder (.*)$`)
	logDeleted = regexp.MustCompile(`INFO: deleted (?:folder )?(.*)$`)
)

// logplan DIR: what the runs logged in DIR's *.log files did, as the dry run would have announced it
// ("DRYRUN: copy SRC to DST", "DRYRUN: remove DST"), sorted. The log names each entry relative to the
// roots it names once; the dry run shows them in full.
func cmdLogPlan(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: logplan DIR")
	}
	var lines []string
	for _, content := range readLogs(ts, args[0]) {
		var src, dst string
		for line := range strings.Lines(content) {
			line = strings.TrimRight(line, "\n")
			if m := logRoots.FindStringSubmatch(line); m != nil {
				src, dst = m[1], m[2]
			} else if m := logCopied.FindStringSubmatch(line); m != nil {
				to := m[1]
				if m[2] != "" {
					to = m[2]
				}
				lines = append(lines, "DRYRUN: copy "+underRoot(src, m[1])+" to "+underRoot(dst, to))
			} else if m := logCreated.FindStringSubmatch(line); m != nil {
				lines = append(lines, "DRYRUN: copy "+underRoot(src, m[1])+" to "+underRoot(dst, m[1]))
			} else if m := logDeleted.FindStringSubmatch(line); m != nil {
				lines = append(lines, "DRYRUN: remove "+underRoot(dst, m[1]))
			}
		}
	}
	printSorted(ts, lines)
}

// underRoot is how the dry run shows a relative name under a root: a URL path or a local path.
func underRoot(root, name string) string {
	if strings.Contains(root, "://") {
		return strings.TrimSuffix(root, "/") + "/" + name
	}
	return filepath.Join(root, filepath.FromSlash(name))
}

func printSorted(ts *testscript.TestScript, lines []string) {
	slices.Sort(lines)
	w := bufio.NewWriter(ts.Stdout())
	for _, l := range lines {
		w.WriteString(l + "\n")
	}
	w.Flush()
}

// readLogs returns the content of every *.log file in dir, in name order.
func readLogs(ts *testscript.TestScript, dir string) []string {
	files, err := filepath.Glob(filepath.Join(ts.MkAbs(dir), "*.log"))
	ts.Check(err)
	slices.Sort(files)
	var out []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		ts.Check(err)
		out = append(out, string(data))
	}
	return out
}

var jobStarted = regexp.MustCompile(`(?m)^Job ([0-9a-f-]{36}) has started$`)

// joblog DIR: takes the job ID from the last command's "Job <id> has started" line and prints the
// log file DIR/<id>.log, which must exist.
func cmdJobLog(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: joblog DIR")
	}
	m := jobStarted.FindStringSubmatch(ts.ReadFile("stdout"))
	if m == nil {
		ts.Fatalf("no 'Job <id> has started' line in stdout")
	}
	data, err := os.ReadFile(filepath.Join(ts.MkAbs(args[0]), m[1]+".log"))
	ts.Check(err)
	ts.Stdout().Write(data)
}

// catlogs DIR: the content of every *.log file in DIR.
func cmdCatLogs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: catlogs DIR")
	}
	for _, c := range readLogs(ts, args[0]) {
		ts.Stdout().Write([]byte(c))
	}
}

// lsdir DIR: the names in DIR (files and folders, folders with a trailing /), one per line, sorted.
// Hidden names are listed too: it is how scripts look for leftover temporary files.
func cmdLsDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lsdir DIR")
	}
	ents, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	var lines []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			n += "/"
		}
		lines = append(lines, n)
	}
	printSorted(ts, lines)
}

// blob-find CONTAINER PREFIX: the names of the blobs under PREFIX (a virtual directory, given
// without its trailing slash), relative to it, one per line in name order.
func cmdBlobFind(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: blob-find CONTAINER PREFIX")
	}
	prefix := args[1] + "/"
	pager := containerClient(ts, args[0]).NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
	var names []string
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		ts.Check(err)
		for _, b := range page.Segment.BlobItems {
			names = append(names, strings.TrimPrefix(*b.Name, prefix))
		}
	}
	printSorted(ts, names)
}

// files DIR: the relative paths of the regular files below DIR, one per line, sorted.
func cmdFiles(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: files DIR")
	}
	root := ts.MkAbs(args[0])
	var names []string
	ts.Check(filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		names = append(names, filepath.ToSlash(rel))
		return nil
	}))
	printSorted(ts, names)
}

// blob-setmd5 CONTAINER NAME HEX: overwrites an existing blob's stored Content-MD5 (keeping its
// content type), to make a blob whose MD5 is wrong. (blob-put -md5 cannot: Azurite checks the MD5 of
// a Put Blob against the body and answers 400 Md5Mismatch.)
func cmdBlobSetMD5(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: blob-setmd5 CONTAINER NAME HEX")
	}
	sum, err := hex.DecodeString(args[2])
	ts.Check(err)
	bc := containerClient(ts, args[0]).NewBlobClient(args[1])
	ctx := context.Background()
	props, err := bc.GetProperties(ctx, nil)
	ts.Check(err)
	_, err = bc.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentMD5: sum, BlobContentType: props.ContentType}, nil)
	ts.Check(err)
}
