package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/azsync/azsync/filesemu"
)

// The latency part: the same jobs as a user on a real network does them, through a latencyProxy at
// each round-trip time of -rtt (20 ms within a region, 80 ms across regions). With a round trip per
// request, the number of requests and how many are in flight decide the time, which an emulator on
// loopback hides. Every row also reports the requests the tool sent, by kind, and per file.

// latRow is one measurement through the proxy.
type latRow struct {
	row
	rtt time.Duration
}

// latencyPart runs the latency scenarios, each against an emulator of its own.
func latencyPart(ctx context.Context, e *benchEnv, part func(name string, fn func() error) error) ([]latRow, error) {
	var rows []latRow
	root := filepath.Join(e.work, "latency")
	defer os.RemoveAll(root)
	err := part("lat-small", func() error {
		d, err := makeSmallDataset(root, e.cfg.latSmallFiles, max(e.cfg.latSmallFiles/100, 1))
		if err != nil {
			return err
		}
		defer os.RemoveAll(d.dir)
		r, err := latencySmall(ctx, e, d)
		rows = append(rows, r...)
		return err
	})
	if err != nil {
		return rows, err
	}
	err = part("lat-files", func() error {
		// A fifth of the small files: enough for the requests per file, and the run stays short.
		n := max(e.cfg.latSmallFiles/5, 1)
		d, err := makeSmallDataset(root, n, max(n/100, 1))
		if err != nil {
			return err
		}
		defer os.RemoveAll(d.dir)
		r, err := latencyFiles(ctx, e, d)
		rows = append(rows, r...)
		return err
	})
	if err != nil {
		return rows, err
	}
	err = part("lat-noop", func() error {
		r, err := latencyNoop(ctx, e, root)
		rows = append(rows, r...)
		return err
	})
	if err != nil {
		return rows, err
	}
	err = part("lat-large", func() error {
		d, err := makeLargeDataset(root, e.cfg.latLargeSize)
		if err != nil {
			return err
		}
		defer os.RemoveAll(d.dir)
		r, err := latencyLarge(ctx, e, d)
		rows = append(rows, r...)
		return err
	})
	return rows, err
}

// latGroup measures contenders through a proxy at rtt and turns them into rows; the fastest of the
// baselines is the reference (the "best rate" the targets speak of).
func latGroup(e *benchEnv, p *latencyProxy, d *dataset, op string, bytes int64, files int, cs []contender) ([]latRow, error) {
	for i := range cs {
		run := cs[i].run
		cs[i].run = func(n int) (measurement, error) {
			p.take()
			m, err := run(n)
			m.reqs = p.take()
			return m, err
		}
	}
	ms, err := measureGroup(e.cfg.runs, cs)
	if err != nil {
		return nil, err
	}
	var rows []latRow
	best := -1
	for _, c := range cs {
		r := latRow{row{dataset: d.title, op: op, tool: c.tool, bytes: bytes, files: files, m: ms[c.tool]}, p.rtt}
		if !isAzsync(c.tool) && (best < 0 || r.m.wall < rows[best].m.wall) {
			best = len(rows)
		}
		rows = append(rows, r)
	}
	if best >= 0 {
		rows[best].ref = true
	}
	for _, r := range rows {
		logf("  %3d ms %-30s %-14s %-14s %8.2f s  %s  CPU %.2f s  %.2f req/file  (%s)", r.rtt.Milliseconds(), d.title, op, r.tool,
			r.m.wall.Seconds(), rate(r.row), r.m.cpu.Seconds(), float64(r.m.reqs.total())/float64(max(files, 1)), r.m.reqs)
	}
	return rows, nil
}

func isAzsync(tool string) bool {
	return len(tool) >= len(toolAzsync) && tool[:len(toolAzsync)] == toolAzsync
}

// azsyncAt is azsync's row name at a given AZCOPY_CONCURRENCY_VALUE (0: the default).
func azsyncAt(conc int) string {
	if conc == 0 {
		return toolAzsync
	}
	return fmt.Sprintf("%s c=%d", toolAzsync, conc)
}

func concEnv(conc int) []string {
	if conc == 0 {
		return nil
	}
	return []string{"AZCOPY_CONCURRENCY_VALUE=" + strconv.Itoa(conc)}
}

// withProxies runs fn once per round-trip time, with a proxy to the current emulator.
func withProxies(e *benchEnv, fn func(p *latencyProxy) error) error {
	return withProxiesTo(e, e.az.Endpoint, fn)
}

// withProxiesTo runs fn once per round-trip time, with a proxy to target.
func withProxiesTo(e *benchEnv, target string, fn func(p *latencyProxy) error) error {
	for _, rtt := range e.cfg.rtts {
		p, err := startLatencyProxy(target, rtt)
		if err != nil {
			return err
		}
		err = fn(p)
		p.close()
		if err != nil {
			return err
		}
	}
	return nil
}

// latencySmall uploads and downloads the small files: azsync with its default concurrency and at each
// of -lat-sdk-conc, the SDK loop at each of -lat-sdk-conc.
func latencySmall(ctx context.Context, e *benchEnv, d *dataset) ([]latRow, error) {
	if err := e.warmUp(ctx); err != nil {
		return nil, err
	}
	concs := append([]int{0}, e.cfg.latConcs...)
	var rows []latRow
	err := withProxies(e, func(p *latencyProxy) error {
		ms := p.rtt.Milliseconds()
		var up []contender
		uploaded := ""
		for _, c := range concs {
			if c == azsyncConcurrency() {
				continue // the default already
			}
			name := fmt.Sprintf("lat%d-azsync-%d", ms, c)
			up = append(up, contender{azsyncAt(c), false, func(i int) (measurement, error) {
				ct := fmt.Sprintf("%s-%d", name, i)
				if err := e.createContainer(ctx, ct); err != nil {
					return measurement{}, err
				}
				if c == 0 && uploaded == "" {
					uploaded = ct // the downloads read this one
				} else {
					defer e.deleteContainer(context.WithoutCancel(ctx), ct)
				}
				m, s, err := e.runAzsyncEnv(ctx, name+"-upload", concEnv(c), d.dir, p.rewrite(e.containerURL(ct, "")), "--from-to=LocalBlob")
				if err == nil && s.transfers != int64(d.files) {
					err = fmt.Errorf("azsync upload of %s copied %d files, want %d", d.title, s.transfers, d.files)
				}
				return m, err
			}})
		}
		for _, c := range e.cfg.latConcs {
			name := fmt.Sprintf("lat%d-sdk-%d", ms, c)
			up = append(up, contender{fmt.Sprintf("%s c=%d", toolSDKMD5, c), false, func(i int) (measurement, error) {
				ct := fmt.Sprintf("%s-%d", name, i)
				if err := e.createContainer(ctx, ct); err != nil {
					return measurement{}, err
				}
				defer e.deleteContainer(context.WithoutCancel(ctx), ct)
				return e.runSDK(ctx, sdkJob{op: "upload", url: p.rewrite(e.containerURL(ct, "")), local: d.dir, md5: true, conc: c})
			}})
		}
		r, err := latGroup(e, p, d, opUpload, d.bytes, d.files, up)
		rows = append(rows, r...)
		if err != nil {
			return err
		}
		defer e.deleteContainer(context.WithoutCancel(ctx), uploaded)
		src := p.rewrite(e.containerURL(uploaded, ""))
		var down []contender
		for _, c := range concs {
			if c == azsyncConcurrency() {
				continue
			}
			down = append(down, contender{azsyncAt(c), false, e.freshDownload(d, fmt.Sprintf("lat%d-azsync-%d", ms, c), func(dir string) (measurement, error) {
				m, _, err := e.runAzsyncEnv(ctx, fmt.Sprintf("lat%d-azsync-%d-download", ms, c), concEnv(c), src, dir, "--from-to=BlobLocal")
				return m, err
			})})
		}
		for _, c := range e.cfg.latConcs {
			down = append(down, contender{fmt.Sprintf("%s c=%d", toolSDK, c), false, e.freshDownload(d, fmt.Sprintf("lat%d-sdk-%d", ms, c), func(dir string) (measurement, error) {
				return e.runSDK(ctx, sdkJob{op: "download", url: src, local: dir, conc: c})
			})})
		}
		r, err = latGroup(e, p, d, opDownload, d.bytes, d.files, down)
		rows = append(rows, r...)
		return err
	})
	return rows, err
}

// freshDownload downloads into a fresh folder and checks every byte.
func (e *benchEnv) freshDownload(d *dataset, name string, run func(dir string) (measurement, error)) func(int) (measurement, error) {
	return func(i int) (measurement, error) {
		dir := filepath.Join(e.work, "down", fmt.Sprintf("%s-%d", name, i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return measurement{}, err
		}
		defer os.RemoveAll(dir)
		m, err := run(dir)
		if err == nil {
			if err = verifyTree(dir, d); err != nil {
				err = fmt.Errorf("%s download: %w", name, err)
			}
		}
		return m, err
	}
}

// latencyNoop is the no-change sync of many zero-byte files, Local → Blob, against the synthetic Blob
// service of the scale run (scale.go) rather than Azurite: Azurite tests every blob of a container
// against the prefix of each listing, so each of the 501 folder listings of 50,000 blobs costs it
// 60–80 ms of CPU and it, not the round trip, sets the time (bench/README.md, "Latency"). The
// synthetic service answers in microseconds with the same XML Azurite writes, so what remains is the
// round trip, the requests in flight and the tools' own work. The local tree has the service's names,
// dated before the time the service records for every blob.
func latencyNoop(ctx context.Context, e *benchEnv, root string) ([]latRow, error) {
	n := e.cfg.latNoopFiles
	const perDir = 100
	dir := filepath.Join(root, "noop")
	start := time.Now()
	if err := makeSynthTree(dir, n, perDir); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	svc, err := startSynthBlobs(n, perDir)
	if err != nil {
		return nil, err
	}
	defer svc.close()
	logf("generated %d zero-byte files in %d folders, and the service that lists them, in %s", n, svc.dirs(), time.Since(start).Round(time.Millisecond))
	d := &dataset{key: "noop", title: fmt.Sprintf("%d zero-byte files in %d folders", n, svc.dirs()), files: n}
	var rows []latRow
	err = withProxiesTo(e, svc.URL, func(p *latencyProxy) error {
		u := p.rewrite(svc.URL + "/noop?sv=2025-01-05&sig=synthetic")
		r, err := latGroup(e, p, d, opNoop, 0, n, []contender{
			{toolAzsync, false, func(int) (measurement, error) {
				m, s, err := e.runAzsync(ctx, fmt.Sprintf("lat%d-noop", p.rtt.Milliseconds()), dir, u, "--from-to=LocalBlob")
				if err == nil && s.transfers != 0 {
					err = fmt.Errorf("the no-op re-sync copied %d files, want none", s.transfers)
				}
				return m, err
			}},
			{toolSDKPls, false, func(int) (measurement, error) {
				return e.runSDK(ctx, sdkJob{op: "plist", url: u, local: dir, conc: e.cfg.conc})
			}},
		})
		rows = append(rows, r...)
		return err
	})
	return rows, err
}

// makeSynthTree writes the local side of a synthBlobs listing of n blobs, perDir to a folder: the
// same names, zero bytes, dated a day before synthTime so that the service's copies are newer.
func makeSynthTree(root string, n, perDir int) error {
	past := synthTime.Add(-24 * time.Hour)
	for i := range n {
		d, f := i/perDir, i%perDir
		p := filepath.Join(root, filepath.FromSlash(fmt.Sprintf(synthName, d, f)))
		if f == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(p, past, past); err != nil {
			return err
		}
	}
	return nil
}

// latencyLarge uploads and downloads the large file.
func latencyLarge(ctx context.Context, e *benchEnv, d *dataset) ([]latRow, error) {
	if err := e.warmUp(ctx); err != nil {
		return nil, err
	}
	var rows []latRow
	err := withProxies(e, func(p *latencyProxy) error {
		ms := p.rtt.Milliseconds()
		ct := fmt.Sprintf("lat%d-large", ms)
		up := func(tool string, run func(url string) (measurement, error)) func(int) (measurement, error) {
			return func(i int) (measurement, error) {
				c := fmt.Sprintf("%s-%s-%d", ct, tool, i)
				if err := e.createContainer(ctx, c); err != nil {
					return measurement{}, err
				}
				if tool != "azsync" {
					defer e.deleteContainer(context.WithoutCancel(ctx), c)
				}
				return run(p.rewrite(e.containerURL(c, "")))
			}
		}
		r, err := latGroup(e, p, d, opUpload, d.bytes, 1, []contender{
			{toolAzsync, false, up("azsync", func(u string) (measurement, error) {
				m, _, err := e.runAzsync(ctx, ct+"-upload", d.dir, u, "--from-to=LocalBlob")
				return m, err
			})},
			{toolSDKMD5, false, up("sdk", func(u string) (measurement, error) {
				return e.runSDK(ctx, sdkJob{op: "upload", url: u, local: d.dir, md5: true, conc: e.cfg.conc})
			})},
		})
		rows = append(rows, r...)
		if err != nil {
			return err
		}
		// The downloads read the blob azsync uploaded (the last run's, with -runs).
		az := fmt.Sprintf("%s-azsync-%d", ct, e.cfg.runs-1)
		defer func() {
			for i := range e.cfg.runs {
				e.deleteContainer(context.WithoutCancel(ctx), fmt.Sprintf("%s-azsync-%d", ct, i))
			}
		}()
		src := p.rewrite(e.containerURL(az, ""))
		r, err = latGroup(e, p, d, opDownload, d.bytes, 1, []contender{
			{toolAzsync, false, e.freshDownload(d, ct+"-azsync", func(dir string) (measurement, error) {
				m, _, err := e.runAzsync(ctx, ct+"-download", src, dir, "--from-to=BlobLocal")
				return m, err
			})},
			{toolSDK, false, e.freshDownload(d, ct+"-sdk", func(dir string) (measurement, error) {
				return e.runSDK(ctx, sdkJob{op: "download", url: src, local: dir, conc: e.cfg.conc})
			})},
		})
		rows = append(rows, r...)
		return err
	})
	return rows, err
}

// latencyTargets are the targets that the latency part measures.
func latencyTargets(rows []latRow) []string {
	var out []string
	find := func(rtt time.Duration, op, dataset string, pick func(latRow) bool) (latRow, bool) {
		i := slices.IndexFunc(rows, func(r latRow) bool {
			return r.rtt == rtt && r.op == op && (dataset == "" || r.dataset == dataset) && pick(r)
		})
		if i < 0 {
			return latRow{}, false
		}
		return rows[i], true
	}
	for _, rtt := range uniqueRTTs(rows) {
		for _, op := range []string{opUpload, opDownload} {
			ref, ok := find(rtt, op, "", func(r latRow) bool { return r.ref && r.files > 1 })
			if !ok {
				continue
			}
			az, ok := find(rtt, op, ref.dataset, func(r latRow) bool { return r.tool == toolAzsync })
			if !ok {
				continue
			}
			v := ref.m.wall.Seconds() / az.m.wall.Seconds()
			out = append(out, fmt.Sprintf("small files %s at %d ms: azsync (default concurrency) at **%.2f ×** the SDK loop's best rate (%s, %s files/s) — %s",
				op, rtt.Milliseconds(), v, ref.tool, filesPerSec(ref.row), targetAt(rtt, "≥ 0.9", v >= 0.9)))
		}
		if az, ok := find(rtt, opNoop, "", func(r latRow) bool { return r.tool == toolAzsync }); ok {
			if ref, ok := find(rtt, opNoop, "", func(r latRow) bool { return r.tool == toolSDKPls }); ok {
				v := az.m.wall.Seconds() / ref.m.wall.Seconds()
				out = append(out, fmt.Sprintf("no-change sync of %d at %d ms: azsync takes **%.2f ×** the SDK's parallel listing; CPU %.1f µs per entry — %s",
					az.files, rtt.Milliseconds(), v, az.m.cpu.Seconds()*1e6/float64(az.files), targetAt(rtt, "≤ 1.25 ×", v <= 1.25)))
			}
		}
	}
	return out
}

func uniqueRTTs(rows []latRow) []time.Duration {
	var out []time.Duration
	for _, r := range rows {
		if !slices.Contains(out, r.rtt) {
			out = append(out, r.rtt)
		}
	}
	return out
}

// targetAt says whether a latency figure clears its bar: the target is set at 20 ms; at another
// round trip the same bar is only a reading.
func targetAt(rtt time.Duration, bar string, cleared bool) string {
	if rtt == 20*time.Millisecond {
		return fmt.Sprintf("target %s at 20 ms: %s", bar, verdict(cleared))
	}
	word := "clears"
	if !cleared {
		word = "misses"
	}
	return fmt.Sprintf("the target is set at 20 ms; this %s the same bar (%s)", word, bar)
}

func verdict(met bool) string {
	if met {
		return "met"
	}
	return "**not met**"
}

// latencyFiles uploads and downloads the small files to an Azure Files share on the Files emulator
// (in this process) through the proxy, then copies them File → File: azsync only, for the requests
// each file costs there.
func latencyFiles(ctx context.Context, e *benchEnv, d *dataset) ([]latRow, error) {
	em, err := filesemu.Start(ctx, filesemu.Options{}, "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer em.Close()
	var rows []latRow
	for _, rtt := range e.cfg.rtts {
		p, err := startLatencyProxy(em.URL, rtt)
		if err != nil {
			return rows, err
		}
		share := fmt.Sprintf("lat%d", rtt.Milliseconds())
		if err := em.CreateShare(share); err != nil {
			p.close()
			return rows, err
		}
		u := p.rewrite(em.ShareURL(share)) + "?" + em.ShareSAS(share, time.Now().Add(24*time.Hour))
		var r []latRow
		r, err = latGroup(e, p, d, opUpload, d.bytes, d.files, []contender{{toolAzsync + " → Files", false, func(int) (measurement, error) {
			m, s, err := e.runAzsync(ctx, share+"-files-upload", d.dir, u, "--from-to=LocalFile")
			if err == nil && s.transfers != int64(d.files) {
				err = fmt.Errorf("azsync upload to Files copied %d files, want %d", s.transfers, d.files)
			}
			return m, err
		}}})
		rows = append(rows, r...)
		if err == nil {
			r, err = latGroup(e, p, d, opDownload, d.bytes, d.files, []contender{{toolAzsync + " ← Files", false,
				e.freshDownload(d, share+"-files", func(dir string) (measurement, error) {
					m, _, err := e.runAzsync(ctx, share+"-files-download", u, dir, "--from-to=FileLocal")
					return m, err
				})}})
			rows = append(rows, r...)
		}
		if err == nil {
			r, err = latencyFileFile(ctx, e, p, d, em, share, u)
			rows = append(rows, r...)
		}
		p.close()
		if err != nil {
			return rows, err
		}
	}
	return rows, nil
}

// latencyFileFile copies the share the upload filled to a fresh share of the same emulator, File
// → File through the proxy: the service (the emulator) reads each source by its URL, through the
// proxy too, so each copy pays its round trips as it would between two real shares.
func latencyFileFile(ctx context.Context, e *benchEnv, p *latencyProxy, d *dataset, em *filesemu.Running, share, srcURL string) ([]latRow, error) {
	return latGroup(e, p, d, opCopy, d.bytes, d.files, []contender{{toolAzsync + " Files → Files", false, func(i int) (measurement, error) {
		dst := fmt.Sprintf("%s-copy%d", share, i)
		if err := em.CreateShare(dst); err != nil {
			return measurement{}, err
		}
		v := p.rewrite(em.ShareURL(dst)) + "?" + em.ShareSAS(dst, time.Now().Add(24*time.Hour))
		m, s, err := e.runAzsync(ctx, dst, srcURL, v, "--from-to=FileFile")
		if err == nil && s.transfers != int64(d.files) {
			err = fmt.Errorf("azsync File → File copied %d files, want %d", s.transfers, d.files)
		}
		return m, err
	}}})
}
