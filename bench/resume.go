package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/azsync/azsync/internal/transfer"
)

// The resume part: a large upload killed (SIGKILL, nothing cleaned up) once about 70 % of its
// blocks are staged, then run again. The second run finds the staged blocks (Get Block List) and
// sends only the others, so it should take well under half of a full upload's time (target ≤ 40 %).

// resumeAt is the share of the blocks staged when the upload is killed.
const resumeAt = 0.7

// resumeResult holds the part's measurements.
type resumeResult struct {
	title          string
	full, resumed  row
	killedAfter    time.Duration
	blocks, staged int // the file's blocks; those staged when the second run started
}

func resumePart(ctx context.Context, e *benchEnv, size int64) (*resumeResult, error) {
	d, err := makeLargeDataset(filepath.Join(e.work, "resume-src"), size)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(d.dir)
	if err := e.warmUp(ctx); err != nil {
		return nil, err
	}
	blockSize, err := transfer.BlockSize(size, 0)
	if err != nil {
		return nil, err
	}
	res := &resumeResult{title: d.title, blocks: int((size + blockSize - 1) / blockSize)}
	// The full upload, for comparison, into a container of its own (deleted once measured).
	const fullCt, ct = "bench-resume-full", "bench-resume"
	for _, c := range []string{fullCt, ct} {
		if err := e.createContainer(ctx, c); err != nil {
			return nil, err
		}
	}
	m, _, err := e.runAzsync(ctx, "resume-full", d.dir, e.containerURL(fullCt, ""), "--from-to=LocalBlob")
	if err != nil {
		return nil, err
	}
	e.deleteContainer(context.WithoutCancel(ctx), fullCt)
	res.full = row{dataset: d.title, op: opUpload, tool: toolAzsync, bytes: size, files: 1, m: m}
	defer e.deleteContainer(context.WithoutCancel(ctx), ct)
	if res.killedAfter, err = e.killAtBlocks(ctx, d.dir, ct, int(resumeAt*float64(res.blocks)+0.5)); err != nil {
		return nil, err
	}
	if res.staged, err = e.stagedBlocks(ctx, ct); err != nil {
		return nil, err
	}
	m, _, err = e.runAzsync(ctx, "resume-again", d.dir, e.containerURL(ct, ""), "--from-to=LocalBlob")
	if err != nil {
		return nil, err
	}
	res.resumed = row{dataset: d.title, op: opUpload, tool: toolAzsync, bytes: size, files: 1, m: m}
	if err := e.checkDownload(ctx, ct, d); err != nil {
		return nil, err
	}
	logf("  resume part: full %.2f s, resumed %.2f s (%d of %d blocks were staged)", res.full.m.wall.Seconds(),
		res.resumed.m.wall.Seconds(), res.staged, res.blocks)
	return res, nil
}

// killAtBlocks starts an upload of dir to container ct and kills it (SIGKILL) once at least n of
// its blocks are staged, as seen by asking for the blob's uncommitted blocks every 50 ms.
func (e *benchEnv) killAtBlocks(ctx context.Context, dir, ct string, n int) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, e.bin, "sync", dir, e.containerURL(ct, ""), "--from-to=LocalBlob", "--output-type=json")
	cmd.Env = append(os.Environ(), "AZCOPY_LOG_LOCATION="+e.logDir)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			return 0, fmt.Errorf("the upload to be killed at %d blocks ended by itself first (%v)", n, err)
		case <-ctx.Done():
			cmd.Process.Kill()
			<-exited
			return 0, ctx.Err()
		case <-tick.C:
		}
		if staged, err := e.stagedBlocks(ctx, ct); err == nil && staged >= n {
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			after := time.Since(start)
			logf("  killed the upload after %.2f s, %d blocks staged", after.Seconds(), staged)
			return after, nil
		}
	}
}

// stagedBlocks is how many uncommitted blocks the large file's blob has in container ct.
func (e *benchEnv) stagedBlocks(ctx context.Context, ct string) (int, error) {
	list, err := e.svc.NewContainerClient(ct).NewBlockBlobClient("large.bin").GetBlockList(ctx, blockblob.BlockListTypeUncommitted, nil)
	if err != nil {
		return 0, err
	}
	return len(list.UncommittedBlocks), nil
}

// checkDownload downloads container ct with azsync into a fresh folder and checks it against d.
func (e *benchEnv) checkDownload(ctx context.Context, ct string, d *dataset) error {
	dst := filepath.Join(e.work, "resume-check")
	defer os.RemoveAll(dst)
	if _, _, err := e.runAzsync(ctx, "resume-check", e.containerURL(ct, ""), dst, "--from-to=BlobLocal"); err != nil {
		return err
	}
	return verifyTree(dst, d)
}

// renderResume is the resume part's table.
func renderResume(b *strings.Builder, r *resumeResult) {
	if r == nil {
		return
	}
	fmt.Fprintf(b, "\n## Resumed upload (%s, Local → Blob, killed at %.0f %% of its blocks)\n\n", r.title, resumeAt*100)
	b.WriteString("| run | wall s | CPU s | peak RSS MiB | Azurite CPU s | others CPU s |\n|---|--:|--:|--:|--:|--:|\n")
	for _, x := range []struct {
		name string
		r    row
	}{{"full upload", r.full}, {fmt.Sprintf("after a kill -9 with %d of %d blocks staged", r.staged, r.blocks), r.resumed}} {
		fmt.Fprintf(b, "| %s | %.2f | %.2f | %.0f | %s | %s |\n", x.name, x.r.m.wall.Seconds(), x.r.m.cpu.Seconds(),
			float64(x.r.m.rssKiB)/1024, serverCPU(x.r), otherCPU(x.r))
	}
	v := r.resumed.m.wall.Seconds() / r.full.m.wall.Seconds()
	fmt.Fprintf(b, "\n- the killed run had been going %.2f s; resumed ÷ full upload: **%.2f** of the wall time (target ≤ 0.40: %s)\n",
		r.killedAfter.Seconds(), v, verdict(v <= 0.4))
	noisyNotes(b, []row{r.full, r.resumed})
}
