package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"
)

// shards N OUTDIR ARGS…: runs `azsync ARGS… --shard=K/N --output-type=json` for K = 0…N-1, one after
// the other, saving each shard's stdout as OUTDIR/K.json. It fails if a shard exits non-zero (unless
// negated: then it fails only if all of them succeed).
func cmdShards(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: shards N OUTDIR ARGS…")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	out := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(out, 0o755))
	failed := 0
	for k := range n {
		err := ts.Exec("azsync", append(args[2:], fmt.Sprintf("--shard=%d/%d", k, n), "--output-type=json")...)
		ts.Check(os.WriteFile(filepath.Join(out, strconv.Itoa(k)+".json"), []byte(ts.ReadFile("stdout")), 0o644))
		if err != nil {
			failed++
			if !neg {
				ts.Fatalf("shard %d/%d: %v\n%s", k, n, err, ts.ReadFile("stdout"))
			}
		}
	}
	if neg && failed == 0 {
		ts.Fatalf("every shard succeeded")
	}
}
