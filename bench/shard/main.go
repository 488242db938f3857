// Command shard measures a sharded sync (--shard=K/N) on one machine against Azurite: the Blob list
// requests each shard makes and the wall time of N shards run at once, for N = 1, 2, 4.
//
//	npm ci && go run ./bench/shard                 # 200,000 files: about 15 minutes on 2 cores
//	go run ./bench/shard -top 10 -sub 20 -files 50 # 10,000 files, for a quick look
//
// The tree is TOP folders of SUB folders of FILES tiny files. Each shard talks to Azurite through
// its own counting proxy, so its list requests (comp=list) are its own. Measured: the upload of the
// tree into an empty container (the small upload tree: the first -upload-top folders), and a no-op
// re-sync of the whole tree, which lists and compares every entry and copies nothing.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

func main() {
	top := flag.Int("top", 100, "top-level folders")
	sub := flag.Int("sub", 40, "folders in each top-level folder")
	files := flag.Int("files", 50, "files in each of those")
	uploadTop := flag.Int("upload-top", 10, "top-level folders in the upload measurement's tree")
	work := flag.String("work", "bench/out/shard", "working folder (removed at the end)")
	flag.Parse()
	if err := run(*top, *sub, *files, *uploadTop, *work); err != nil {
		fmt.Fprintln(os.Stderr, "bench/shard:", err)
		os.Exit(1)
	}
}

func run(top, sub, files, uploadTop int, work string) error {
	ctx := context.Background()
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	defer os.RemoveAll(work)
	bin := filepath.Join(work, "azsync")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/azsync").CombinedOutput(); err != nil {
		return fmt.Errorf("building azsync: %v\n%s", err, out)
	}
	src := filepath.Join(work, "src")
	start := time.Now()
	if err := writeTree(src, top, sub, files); err != nil {
		return err
	}
	n := top * sub * files
	fmt.Printf("tree: %d files in %d folders (%d top-level), written in %s\n", n, top*sub+top, top, time.Since(start).Round(time.Second))

	az, err := testenv.StartAzurite(ctx)
	if err != nil {
		return err
	}
	defer az.Stop()
	sas, err := az.AccountSAS(time.Now().Add(24 * time.Hour))
	if err != nil {
		return err
	}
	b := bench{bin: bin, sas: sas, service: strings.TrimSuffix(az.Endpoint, "/"+testenv.DevAccount), logs: filepath.Join(work, "logs")}

	fmt.Println("\n| measurement | N | wall time (s) | list requests per shard | list requests, all shards |")
	fmt.Println("|---|---|---|---|---|")
	// The upload, on the first uploadTop folders, into a fresh container per N.
	up := filepath.Join(work, "up")
	if err := os.MkdirAll(up, 0o755); err != nil {
		return err
	}
	for i := range uploadTop {
		name := fmt.Sprintf("t%03d", i)
		if err := os.Rename(filepath.Join(src, name), filepath.Join(up, name)); err != nil {
			return err
		}
	}
	for _, shards := range []int{1, 2, 4} {
		r, err := b.sharded(ctx, up, fmt.Sprintf("up%d", shards), shards, uploadTop*sub*files)
		if err != nil {
			return err
		}
		r.print(fmt.Sprintf("upload %d files", uploadTop*sub*files), shards)
	}
	// The whole tree: uploaded once (4 shards), then no-op re-syncs.
	for i := range uploadTop {
		name := fmt.Sprintf("t%03d", i)
		if err := os.Rename(filepath.Join(up, name), filepath.Join(src, name)); err != nil {
			return err
		}
	}
	if _, err := b.sharded(ctx, src, "full", 4, n); err != nil {
		return err
	}
	for _, shards := range []int{1, 2, 4} {
		r, err := b.sharded(ctx, src, "full", shards, 0)
		if err != nil {
			return err
		}
		r.print(fmt.Sprintf("no-op re-sync of %d files", n), shards)
	}
	return nil
}

func writeTree(root string, top, sub, files int) error {
	for t := range top {
		for s := range sub {
			dir := filepath.Join(root, fmt.Sprintf("t%03d", t), fmt.Sprintf("s%03d", s))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for f := range files {
				name := fmt.Sprintf("f%03d.txt", f)
				if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

type bench struct {
	bin, sas, service, logs string
}

type result struct {
	wall  time.Duration
	lists []int
}

func (r result) print(what string, shards int) {
	total, per := 0, make([]string, len(r.lists))
	for i, l := range r.lists {
		total += l
		per[i] = fmt.Sprint(l)
	}
	fmt.Printf("| %s | %d | %.1f | %s | %d |\n", what, shards, r.wall.Seconds(), strings.Join(per, ", "), total)
}

// sharded runs N shards of `azsync sync src CONTAINER` at once, each through its own counting
// proxy, and checks that together they copied want files.
func (b bench) sharded(ctx context.Context, src, container string, shards, want int) (result, error) {
	res := result{lists: make([]int, shards)}
	copied := make([]int, shards)
	errs := make([]error, shards)
	var wg sync.WaitGroup
	start := time.Now()
	for k := range shards {
		var mu sync.Mutex
		proxy, err := testenv.NewFaultProxy(b.service, func(_ int, r *http.Request) testenv.Fault {
			if r.URL.Query().Get("comp") == "list" {
				mu.Lock()
				res.lists[k]++
				mu.Unlock()
			}
			return testenv.Pass
		})
		if err != nil {
			return res, err
		}
		defer proxy.Close()
		dst := proxy.URL + "/" + testenv.DevAccount + "/" + container + "?" + b.sas
		wg.Go(func() {
			copied[k], errs[k] = b.azsync(ctx, src, dst, k, shards)
		})
	}
	wg.Wait()
	res.wall = time.Since(start)
	total := 0
	for k := range shards {
		if errs[k] != nil {
			return res, fmt.Errorf("shard %d/%d: %w", k, shards, errs[k])
		}
		total += copied[k]
	}
	if total != want {
		return res, fmt.Errorf("%d shards copied %d files, want %d", shards, total, want)
	}
	return res, nil
}

// azsync runs one shard and returns how many files it copied, from its JSON summary.
func (b bench) azsync(ctx context.Context, src, dst string, k, n int) (int, error) {
	cmd := exec.CommandContext(ctx, b.bin, "sync", src, dst, "--from-to=LocalBlob", "--delete-destination=true",
		fmt.Sprintf("--shard=%d/%d", k, n), "--output-type=json", "--log-level=ERROR")
	cmd.Env = append(os.Environ(), "AZCOPY_LOG_LOCATION="+b.logs)
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("%v\n%s", err, tail(out))
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var env struct{ MessageType, MessageContent string }
		if json.Unmarshal(sc.Bytes(), &env) != nil || env.MessageType != "EndOfJob" {
			continue
		}
		var s struct {
			JobStatus          string
			TransfersCompleted int `json:",string"`
		}
		if err := json.Unmarshal([]byte(env.MessageContent), &s); err != nil {
			return 0, err
		}
		if s.JobStatus != "Completed" {
			return 0, fmt.Errorf("status %s\n%s", s.JobStatus, tail(out))
		}
		return s.TransfersCompleted, nil
	}
	return 0, fmt.Errorf("no summary in the output:\n%s", tail(out))
}

func tail(b []byte) string {
	s := string(b)
	return s[max(0, len(s)-2000):]
}
