package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// blob-meta CONTAINER NAME: the blob's metadata, one "key=value" per line (keys in lower case),
// sorted.
func cmdBlobMeta(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: blob-meta CONTAINER NAME")
	}
	props, err := containerClient(ts, args[0]).NewBlobClient(args[1]).GetProperties(context.Background(), nil)
	ts.Check(err)
	md := map[string]string{}
	for k, v := range props.Metadata {
		md[strings.ToLower(k)] = deref(v)
	}
	for _, k := range slices.Sorted(maps.Keys(md)) {
		fmt.Fprintf(ts.Stdout(), "%s=%s\n", k, md[k])
	}
}

// fstat FILE: the local file's permission bits (octal), atime and mtime (RFC 3339, UTC), owner and
// group.
func cmdFstat(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: fstat FILE")
	}
	info, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	st := info.Sys().(*syscall.Stat_t)
	fmt.Fprintf(ts.Stdout(), "mode=%04o atime=%s mtime=%s uid=%d gid=%d\n", st.Mode&0o7777,
		time.Unix(st.Atim.Unix()).UTC().Format(time.RFC3339Nano), info.ModTime().UTC().Format(time.RFC3339Nano), st.Uid, st.Gid)
}

// myids: sets $MYUID and $MYGID to the test's user and group IDs.
func cmdMyIDs(ts *testscript.TestScript, neg bool, args []string) {
	ts.Setenv("MYUID", strconv.Itoa(os.Getuid()))
	ts.Setenv("MYGID", strconv.Itoa(os.Getgid()))
}

// blob-setmeta CONTAINER NAME KEY=VALUE...: replaces the blob's metadata, as another tool would
// have written it.
func cmdBlobSetMeta(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: blob-setmeta CONTAINER NAME KEY=VALUE...")
	}
	md := map[string]*string{}
	for _, kv := range args[2:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("blob-setmeta: %q is not KEY=VALUE", kv)
		}
		md[k] = &v
	}
	_, err := containerClient(ts, args[0]).NewBlobClient(args[1]).SetMetadata(context.Background(), md, nil)
	ts.Check(err)
}
