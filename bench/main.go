// Command bench is the performance judge of SPEC §7: against one Azurite it starts itself, it moves the
// same datasets with azsync and with a straightforward Azure SDK loop, verifies every download byte
// for byte, and prints a Markdown table of wall time, throughput, CPU time and peak memory.
//
//	npm ci && go run ./bench           # full run (1 GiB file, 10,000 small files, 20,000-file tree, hash, resume, latency, scale)
//	npm ci && go run ./bench -quick    # about two minutes
//
// See bench/README.md for how to read the table.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/azsync/azsync/internal/cli"
	"github.com/azsync/azsync/internal/testenv"
)

func main() {
	// The benchmark re-executes itself for the measured SDK loops (so that they are measured the way
	// azsync is: a process of their own) and, with -profile, for azsync run in-process under pprof.
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case sdkWorkerCmd:
			os.Exit(sdkWorkerMain(os.Args[2:]))
		case profiledWorkerCmd:
			os.Exit(profiledMain(os.Args[2:]))
		}
	}
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench: FAILED:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	began, load0 := time.Now(), loadAverage()

	root, err := testenv.RepoRoot()
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp(cfg.tmpDir, "azsync-bench-*")
	if err != nil {
		return err
	}
	if cfg.keep {
		logf("working folder (kept): %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	outDir := filepath.Join(root, "bench", "out")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	logf("building azsync")
	bin, err := buildAzsync(ctx, root, work)
	if err != nil {
		return err
	}

	env, err := newBenchEnv(work, bin, self, cfg)
	if err != nil {
		return err
	}
	env.load0 = load0
	defer env.stopAzurite()
	if cfg.profile {
		env.profDir = filepath.Join(outDir, "profiles-"+began.Format("20060102-150405"))
		if err := os.MkdirAll(env.profDir, 0o755); err != nil {
			return err
		}
		logf("azsync runs in-process under pprof; CPU profiles go to %s", env.profDir)
	}

	res, err := runParts(ctx, cfg, env, root, work)
	if err != nil {
		return err
	}
	report := renderReport(cfg, env, res, time.Since(began))
	fmt.Println()
	fmt.Print(report)
	name := filepath.Join(outDir, "results-"+began.Format("2006-01-02-150405")+cfg.suffix()+".md")
	if err := os.WriteFile(name, []byte(report), 0o644); err != nil {
		return err
	}
	logf("results written to %s (total %s)", name, time.Since(began).Round(time.Second))
	return nil
}

// results is what the parts measured; a part not run leaves its field empty.
type results struct {
	rows     []row
	flat     *flatResult
	hash     *hashResult
	resumed  *resumeResult
	lat      []latRow
	filesMem *filesMemResult
	scale    []scaleRow
}

// runParts runs the parts -only selects, in order, each against an emulator of its own (see
// startAzurite) but for the files-mem part and the scale run, which need none.
func runParts(ctx context.Context, cfg config, env *benchEnv, root, work string) (results, error) {
	var res results
	timed := func(name string, fn func() error) error {
		if !cfg.wants(name) {
			return nil
		}
		start := time.Now()
		defer func() { logf("part %s took %s", name, time.Since(start).Round(time.Second)) }()
		return fn()
	}
	part := func(name string, fn func() error) error {
		return timed(name, func() error {
			if err := env.startAzurite(ctx); err != nil {
				return err
			}
			defer env.stopAzurite()
			return fn()
		})
	}
	measureDataset := func(name string, make func() (*dataset, error), withSDKPlain bool) error {
		return part(name, func() error {
			d, err := make()
			if err != nil {
				return err
			}
			defer os.RemoveAll(d.dir)
			r, err := benchDataset(ctx, env, d, withSDKPlain)
			res.rows = append(res.rows, r...)
			return err
		})
	}
	src := filepath.Join(work, "src")
	steps := []func() error{
		func() error {
			return measureDataset("large", func() (*dataset, error) { return makeLargeDataset(src, cfg.largeSize) }, true)
		},
		// Put Blob costs Azurite the same with or without Content-MD5 (it always computes the MD5),
		// so the SDK run without MD5 is only worth its time on the large file, sent in blocks.
		func() error {
			return measureDataset("small", func() (*dataset, error) { return makeSmallDataset(src, cfg.smallFiles, cfg.smallDirs) }, false)
		},
		func() (err error) {
			return part("flat", func() error { res.flat, err = flatnessProbe(ctx, env, cfg.flatFiles, cfg.flatDirs); return err })
		},
		func() (err error) {
			return part("hash", func() error { res.hash, err = hashPart(ctx, env, cfg.hashSize, 1024); return err })
		},
		func() (err error) {
			return part("resume", func() error { res.resumed, err = resumePart(ctx, env, cfg.largeSize); return err })
		},
		func() (err error) { res.lat, err = latencyPart(ctx, env, part); return err },
		func() (err error) {
			return timed("files-mem", func() error { res.filesMem, err = filesMemPart(ctx, root, cfg.filesMemFiles); return err })
		},
		func() (err error) {
			return timed("scale", func() error { res.scale, err = scalePart(ctx, env); return err })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return res, err
		}
	}
	return res, nil
}

// config is what the flags select.
type config struct {
	quick      bool
	keep       bool
	profile    bool
	only       map[string]bool
	tmpDir     string
	largeSize  int64
	smallFiles int
	smallDirs  int
	flatFiles  int
	flatDirs   int
	conc       int
	runs       int
	// The latency part.
	rtts          []time.Duration
	latSmallFiles int
	latNoopFiles  int
	latLargeSize  int64
	latConcs      []int
	scaleFiles    []int
	hashSize      int64
	filesMemFiles int
}

func (c config) wants(part string) bool { return len(c.only) == 0 || c.only[part] }

func (c config) suffix() string {
	var s string
	if c.quick {
		s += "-quick"
	}
	if c.profile {
		s += "-profile"
	}
	return s
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var c config
	var only string
	var largeMiB int64
	fs.BoolVar(&c.quick, "quick", false, "small datasets: 257 MiB file, 2,000 small files, 10,000-file tree (about 2 minutes)")
	fs.BoolVar(&c.keep, "keep", false, "keep the working folder (datasets, downloads, the azsync binary)")
	fs.BoolVar(&c.profile, "profile", false, "run azsync in-process under pprof and save a CPU profile of every azsync run to bench/out/profiles-*/")
	fs.StringVar(&only, "only", "", "comma-separated parts to run: large,small,flat,hash,resume,lat-small,lat-files,lat-noop,lat-large,files-mem,scale; latency = the four lat-* (default: all)")
	fs.StringVar(&c.tmpDir, "tmp", "", "folder for the working files (default $TMPDIR); needs about 3× the large file free")
	fs.Int64Var(&largeMiB, "large-mib", 0, "size of the large file in MiB (default 1024, 256 with -quick)")
	fs.IntVar(&c.smallFiles, "small-files", 0, "number of small files (default 10000, 2000 with -quick)")
	fs.IntVar(&c.flatFiles, "flat-files", 0, "files in the memory-flatness tree, 100 per folder (default 20000, 10000 with -quick)")
	fs.IntVar(&c.conc, "sdk-concurrency", 32, "goroutines / block concurrency of the SDK baseline")
	fs.IntVar(&c.runs, "runs", 1, "take every dataset measurement this many times and keep the median")
	var rtts, latConcs string
	var latLargeMiB int64
	fs.StringVar(&rtts, "rtt", "20ms,80ms", "round-trip times the latency part's proxy adds, comma-separated")
	fs.IntVar(&c.latSmallFiles, "lat-small-files", 0, "latency part: small files up and down (default 5000, 1000 with -quick)")
	fs.IntVar(&c.latNoopFiles, "lat-noop-files", 0, "latency part: zero-byte files in the no-change sync (default 50000, 10000 with -quick)")
	fs.Int64Var(&latLargeMiB, "lat-large-mib", 0, "latency part: size of the large file in MiB (default 1024, 257 with -quick)")
	var scaleFiles string
	var hashMiB int64
	fs.Int64Var(&hashMiB, "hash-mib", 0, "hash part: size of the tree of 1,024 files in MiB (default 1024, 256 with -quick)")
	fs.StringVar(&scaleFiles, "scale-files", "", "scale run: entries in each no-change sync, comma-separated (default 1000000,10000000; 100000,1000000 with -quick)")
	fs.IntVar(&c.filesMemFiles, "files-mem-files", 0, "files-mem part: 1 KiB files written into the Files emulator (default 50000, 10000 with -quick)")
	fs.StringVar(&latConcs, "lat-sdk-conc", "32,128", "latency part: concurrencies of the SDK loop (and of azsync via AZCOPY_CONCURRENCY_VALUE) for small files")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if only != "" {
		c.only = map[string]bool{}
		for p := range strings.SplitSeq(only, ",") {
			switch p = strings.TrimSpace(p); p {
			case "large", "small", "flat", "hash", "resume", "lat-small", "lat-files", "lat-noop", "lat-large", "files-mem", "scale":
				c.only[p] = true
			case "latency":
				c.only["lat-small"], c.only["lat-files"], c.only["lat-noop"], c.only["lat-large"] = true, true, true, true
			default:
				return c, fmt.Errorf("-only: unknown part %q (large, small, flat, hash, resume, lat-small, lat-files, lat-noop, lat-large, files-mem, latency, scale)", p)
			}
		}
	}
	def := func(v *int, full, quick int) {
		if *v == 0 {
			*v = full
			if c.quick {
				*v = quick
			}
		}
	}
	def(&c.smallFiles, 10000, 2000)
	// Azurite answers each hierarchical listing by scanning every blob it holds, and uploads about
	// 400 tiny files a second on two cores: 20,000 files keep the probe near a minute and a half.
	def(&c.flatFiles, 20000, 10000)
	if largeMiB == 0 {
		largeMiB = 1024
		if c.quick {
			// Not 256: the SDK's UploadFile sends files up to 256 MiB in one Put Blob whatever
			// BlockSize says, which would not be the same job as azsync's parallel blocks.
			largeMiB = 257
		}
	}
	c.largeSize = largeMiB << 20
	def(&c.latSmallFiles, 5000, 1000)
	def(&c.latNoopFiles, 50000, 10000)
	def(&c.filesMemFiles, 50000, 10000)
	if latLargeMiB == 0 {
		latLargeMiB = largeMiB
	}
	c.latLargeSize = latLargeMiB << 20
	if hashMiB == 0 {
		hashMiB = 1024
		if c.quick {
			hashMiB = 256
		}
	}
	c.hashSize = hashMiB << 20
	for v := range strings.SplitSeq(rtts, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil || d < 0 {
			return c, fmt.Errorf("-rtt: %q is not a duration such as 20ms", v)
		}
		c.rtts = append(c.rtts, d)
	}
	var err error
	if c.latConcs, err = positiveList("-lat-sdk-conc", latConcs); err != nil {
		return c, err
	}
	if scaleFiles == "" {
		scaleFiles = "1000000,10000000"
		if c.quick {
			scaleFiles = "100000,1000000"
		}
	}
	if c.scaleFiles, err = positiveList("-scale-files", scaleFiles); err != nil {
		return c, err
	}
	c.smallDirs = max(c.smallFiles/100, 1)
	c.flatDirs = max(c.flatFiles/100, 10)
	if c.smallFiles < 1 || c.flatFiles < 10 || c.largeSize < 1 || c.conc < 1 || c.runs < 1 {
		return c, errors.New("sizes and concurrency must be positive (and -flat-files at least 10)")
	}
	return c, nil
}

// positiveList reads a comma-separated list of positive numbers.
func positiveList(flag, list string) ([]int, error) {
	var out []int
	for v := range strings.SplitSeq(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: %q is not a positive number", flag, v)
		}
		out = append(out, n)
	}
	return out, nil
}

// azsyncConcurrency is azsync's default AZCOPY_CONCURRENCY_VALUE on this machine, for the report.
func azsyncConcurrency() int { return cli.DefaultConcurrency(runtime.NumCPU()) }

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
