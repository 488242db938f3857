package e2e

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
)

// Interrupted runs (SPEC §6): downloads go to a temporary name and are renamed into place when
// complete, so an interrupted run leaves no truncated file under the real name and no temporary file
// either; uploads commit nothing until every block is there; a re-run converges. Waiting for the run
// to be under way polls with a deadline; nothing asserts how long anything takes.

const interruptSize = 64 << 20

// proc is azsync running in the background.
type proc struct {
	cmd  *exec.Cmd
	out  *lockedBuffer // stdout and stderr
	done chan struct{}
	err  error
}

// lockedBuffer is output that a test may read while the process still writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startAzsync starts azsync in the background (with a capped rate, so that it is still running when
// interrupted).
func startAzsync(t *testing.T, args ...string) *proc { return startAzsyncIn(t, nil, args...) }

// startAzsyncIn is startAzsync with stdin as the process's standard input.
func startAzsyncIn(t *testing.T, stdin io.Reader, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: azsyncCmd(args...), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(p.cmd.Env, "AZCOPY_LOG_LOCATION="+t.TempDir(), "AZCOPY_CONCURRENCY_VALUE=4")
	p.cmd.Stdout, p.cmd.Stderr, p.cmd.Stdin = p.out, p.out, stdin
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// waitUntil polls cond until it holds, failing the test if the process ends first or the deadline
// passes (a generous one: it only bounds a hung test).
func (p *proc) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case <-p.done:
			t.Fatalf("azsync ended (%v) before %s:\n%s", p.err, what, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			p.cmd.Process.Kill()
			<-p.done
			t.Fatalf("%s did not happen within the deadline:\n%s", what, p.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// interrupt sends SIGINT and returns the exit status and the output.
func (p *proc) interrupt(t *testing.T) (int, string) {
	t.Helper()
	return p.signal(t, os.Interrupt)
}

// signal sends sig and returns the exit status and the output once the process ended.
func (p *proc) signal(t *testing.T, sig os.Signal) (int, string) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("azsync did not stop after %v:\n%s", sig, p.out.String())
	}
	return p.cmd.ProcessState.ExitCode(), p.out.String()
}

// partials returns the names of azsync's temporary download files in dir.
func partials(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".azsync-") && strings.HasSuffix(e.Name(), ".partial") {
			names = append(names, e.Name())
		}
	}
	return names
}

// partialWritten reports whether a temporary download file in dir has at least n bytes on disk. The
// download sizes the file first (sparse) and fills it in, so allocated blocks show how far it got.
func partialWritten(dir string, n int64) bool {
	for _, name := range partials(dir) {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		if st, ok := info.Sys().(*syscall.Stat_t); ok && st.Blocks*512 >= n {
			return true
		}
	}
	return false
}

func uploadBlob(t *testing.T, cname, name string, data []byte) {
	t.Helper()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	cc := svc.NewContainerClient(cname)
	if _, err := cc.Create(context.Background(), nil); err != nil && !strings.Contains(err.Error(), "ContainerAlreadyExists") {
		t.Fatal(err)
	}
	if _, err := cc.NewBlockBlobClient(name).UploadBuffer(context.Background(), data, &blockblob.UploadBufferOptions{BlockSize: 8 << 20}); err != nil {
		t.Fatal(err)
	}
}

func checkInterrupted(t *testing.T, code int, out string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit status after SIGINT: %d, want 1\n%s", code, out)
	}
	if !strings.Contains(out, "Final Job Status: Cancelled") {
		t.Errorf("the summary does not say the job was cancelled:\n%s", out)
	}
	if strings.Contains(out, "goroutine ") {
		t.Errorf("stack trace in the output:\n%s", out)
	}
}

// TestInterruptedDownload: SIGINT during a download into an empty folder leaves neither the file nor
// a temporary file; the re-run downloads it whole.
func TestInterruptedDownload(t *testing.T) {
	data := pseudoRandom("interrupt.bin", interruptSize)
	cname, _ := newTestContainer(t, "intdl")
	uploadBlob(t, cname, "big.bin", data)
	src := azurite.Endpoint + "/" + cname + "?" + sas
	dst := filepath.Join(t.TempDir(), "down")

	p := startAzsync(t, "sync", src, dst, "--from-to=BlobLocal", "--cap-mbps=40", "--block-size-mb=1")
	p.waitUntil(t, "a temporary download file has 4 MiB in it", func() bool { return partialWritten(dst, 4<<20) })
	code, out := p.interrupt(t)
	checkInterrupted(t, code, out)

	if _, err := os.Stat(filepath.Join(dst, "big.bin")); !os.IsNotExist(err) {
		t.Errorf("big.bin exists after the interrupted download (err %v)", err)
	}
	if p := partials(dst); len(p) > 0 {
		t.Errorf("temporary files left behind: %v", p)
	}

	rerun, code := azsyncRun(t, nil, "sync", src, dst, "--from-to=BlobLocal")
	expectRun(t, "re-run", rerun, code, map[string]int{"Number of Copy Transfers Completed": 1})
	got, err := os.ReadFile(filepath.Join(dst, "big.bin"))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the re-run big.bin is not the blob (%d bytes, err %v)", len(got), err)
	}
	if p := partials(dst); len(p) > 0 {
		t.Errorf("temporary files left behind by the re-run: %v", p)
	}
}

// TestInterruptedDownloadKeepsOldVersion: SIGINT while a newer blob replaces an existing local file
// leaves the old file exactly as it was.
func TestInterruptedDownloadKeepsOldVersion(t *testing.T) {
	data := pseudoRandom("interrupt-new.bin", interruptSize)
	cname, _ := newTestContainer(t, "intold")
	uploadBlob(t, cname, "big.bin", data)
	src := azurite.Endpoint + "/" + cname + "?" + sas
	dst := t.TempDir()
	old := []byte("the old version, which must survive an interrupted download\n")
	target := filepath.Join(dst, "big.bin")
	if err := os.WriteFile(target, old, 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(target, past, past); err != nil {
		t.Fatal(err)
	}

	p := startAzsync(t, "sync", src, dst, "--from-to=BlobLocal", "--cap-mbps=40", "--block-size-mb=1")
	p.waitUntil(t, "a temporary download file has 4 MiB in it", func() bool { return partialWritten(dst, 4<<20) })
	code, out := p.interrupt(t)
	checkInterrupted(t, code, out)

	got, err := os.ReadFile(target)
	if err != nil || !bytes.Equal(got, old) {
		t.Errorf("the old local file changed under an interrupted download (%d bytes, err %v)", len(got), err)
	}
	if p := partials(dst); len(p) > 0 {
		t.Errorf("temporary files left behind: %v", p)
	}

	rerun, code := azsyncRun(t, nil, "sync", src, dst, "--from-to=BlobLocal")
	expectRun(t, "re-run", rerun, code, map[string]int{"Number of Copy Transfers Completed": 1})
	if got, err := os.ReadFile(target); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("after the re-run big.bin is not the blob (%d bytes, err %v)", len(got), err)
	}
}

// TestInterruptedUpload: SIGINT while blocks are being staged commits nothing (no blob under the
// name); the re-run uploads it whole.
func TestInterruptedUpload(t *testing.T) {
	dir := t.TempDir()
	data := pseudoRandom("interrupt-up.bin", interruptSize)
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cname, url := newTestContainer(t, "intup")
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	bb := svc.NewContainerClient(cname).NewBlockBlobClient("big.bin")
	staged := func() bool {
		bl, err := bb.GetBlockList(context.Background(), blockblob.BlockListTypeUncommitted, nil)
		return err == nil && len(bl.UncommittedBlocks) >= 4
	}

	p := startAzsync(t, "sync", dir, url, "--from-to=LocalBlob", "--cap-mbps=40", "--block-size-mb=1")
	p.waitUntil(t, "4 blocks are staged", staged)
	code, out := p.interrupt(t)
	checkInterrupted(t, code, out)

	names := blobNames(t, cname)
	if names["big.bin"] {
		// A committed blob is only acceptable if it is complete.
		props, err := bb.GetProperties(context.Background(), nil)
		if err != nil || *props.ContentLength != int64(len(data)) {
			t.Errorf("an incomplete blob was committed by the interrupted upload")
		}
	}

	rerun, code := azsyncRun(t, nil, "sync", dir, url, "--from-to=LocalBlob")
	expectRun(t, "re-run", rerun, code, map[string]int{"Number of Copy Transfers Completed": 1})
	resp, err := bb.DownloadStream(context.Background(), &blob.DownloadStreamOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, err = got.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("after the re-run the blob is not the file (%d bytes, err %v)", got.Len(), err)
	}
	// And a third run has nothing to do.
	again, code := azsyncRun(t, nil, "sync", dir, url, "--from-to=LocalBlob")
	expectRun(t, "third run", again, code, map[string]int{"Number of Copy Transfers for Files": 0})
}
