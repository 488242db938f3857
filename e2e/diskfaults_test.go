package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

// Disk and permission faults (README "Fault matrix"): a destination disk that fills up, a source
// file the user may not read, and a source file that shrinks or grows while it is read. In each,
// that entry fails with one line, everything else is copied, the exit status and the summary say
// so, and nothing partial is left under the entry's real name.

// expectOneFailure checks a run in which exactly one entry failed, naming it, on one line.
func expectOneFailure(t *testing.T, out string, code int, name, cause string) {
	t.Helper()
	if code != 1 || summaryValue(out, "Number of Copy Transfers Failed") != 1 || !strings.Contains(out, "Final Job Status: CompletedWithErrors\n") {
		t.Errorf("exit %d, want 1 with one failed transfer and CompletedWithErrors\n%s", code, tail(out))
	}
	var lines []string
	for line := range strings.Lines(out) {
		if strings.Contains(line, name) && strings.Contains(line, cause) {
			lines = append(lines, line)
		}
	}
	if len(lines) != 1 {
		t.Errorf("%d lines name %s and %q, want one:\n%s", len(lines), name, cause, tail(out))
	}
	noStackTrace(t, out)
}

// withoutEntry is want less one name.
func withoutEntry(want map[string][]byte, name string) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range want {
		if k != name {
			out[k] = v
		}
	}
	return out
}

// TestDiskFull: a download into a file system too small for big.bin fails that file with one
// line (no space left), leaves its older local version as it was and no temporary, and downloads
// every other file. One request at a time, so that the other files never compete for the space.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	src := matrixSources(t)["matrix"]
	for _, p := range []pair{{"BlobLocal", blobSide, local}, {"FileLocal", filesSide, local}} {
		t.Run(p.fromTo, func(t *testing.T) {
			dst := t.TempDir()
			if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dst).CombinedOutput(); err != nil {
				t.Skipf("cannot mount a 2 MiB tmpfs: %v: %s", err, out)
			}
			t.Cleanup(func() { exec.Command("umount", dst).Run() })
			old := []byte("the old big.bin, which a failed download must leave as it is\n")
			writeOld(t, filepath.Join(dst, "big.bin"), old)
			target, _ := serviceOf(p.from)
			out, code := azsyncRun(t, []string{"AZCOPY_CONCURRENCY_VALUE=1"}, "sync", sourceEnd(p.from, src, target).arg, dst, "--from-to="+p.fromTo, matrixBlock)
			expectOneFailure(t, out, code, "big.bin", "no space left on device")
			want := withoutEntry(src.want, "big.bin")
			want["big.bin"] = old
			compareTrees(t, "the destination", want, readTree(t, dst))
		})
	}
}

func writeOld(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

// nobody is the unprivileged user the permission test runs azsync as.
const nobody = 65534

// TestUnreadableSource: run as an unprivileged user, an upload meets a file it may not read; that
// file fails with one line (permission denied), every other file is uploaded, and the deletion
// the run would have made is held back.
func TestUnreadableSource(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("running azsync as another user needs root")
	}
	shared, bin := sharedBinary(t)
	dir := filepath.Join(shared, "src")
	want := writeFiles(t, dir, map[string]int{"a.txt": 10, "sub/b.txt": 2000, "sub/secret.txt": 300})
	if err := os.Chmod(filepath.Join(dir, "sub/secret.txt"), 0); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(shared, "logs")
	if err := os.Mkdir(logs, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(logs, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, p := range []pair{{"LocalBlob", local, blobSide}, {"LocalFile", local, filesSide}} {
		t.Run(p.fromTo, func(t *testing.T) {
			target, _ := serviceOf(p.to)
			_, direct := newDestination(t, p.to, target)
			seedExtra(t, p, direct)
			cmd := exec.Command(bin, "sync", dir, direct.arg, "--from-to="+p.fromTo, "--delete-destination=true")
			cmd.Dir = shared
			cmd.Env = append(os.Environ(), "AZSYNC_E2E_MAIN=1", "HOME="+logs, "AZCOPY_LOG_LOCATION="+logs, "AZCOPY_CONCURRENCY_VALUE=8")
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState == nil {
				t.Skipf("cannot run azsync as user %d: %v", nobody, err)
			}
			expectOneFailure(t, string(out), cmd.ProcessState.ExitCode(), "secret.txt", "permission denied")
			if n := summaryValue(string(out), "Number of Deletions at Destination"); n != 0 {
				t.Errorf("%d deletions after a failed copy, want 0 (held back)", n)
			}
			want := withoutEntry(want, "sub/secret.txt")
			want[extraName] = pseudoExtra(t)
			compareTrees(t, "the destination", want, direct.read(t))
		})
	}
}

// pseudoExtra is the content seedExtra gives extraName.
func pseudoExtra(t *testing.T) []byte {
	return writeFiles(t, t.TempDir(), map[string]int{extraName: 7})[extraName]
}

// sharedBinary copies this test binary (azsync in its command role) into a fresh folder that
// every user may enter, and returns both: the test's own temporary folders are the owner's only.
func sharedBinary(t *testing.T) (dir, bin string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "azsync-shared-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "azsync")
	if err := testenv.CopyExecutable(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

// TestSourceChangesWhileRead: a local file that shrinks, or grows, while its upload reads it is
// changed by the test at the moment its first block (or range) reaches the service, on the first
// attempt and on the one retry: the file fails with one line, nothing is left under its name
// (no blob, no file in the share, no temporary), and every other file is uploaded.
func TestSourceChangesWhileRead(t *testing.T) {
	for _, p := range []pair{{"LocalBlob", local, blobSide}, {"LocalFile", local, filesSide}} {
		for _, grow := range []bool{false, true} {
			name := p.fromTo + "/shrinks"
			if grow {
				name = p.fromTo + "/grows"
			}
			t.Run(name, func(t *testing.T) { runSourceChanges(t, p, grow) })
		}
	}
}

func runSourceChanges(t *testing.T, p pair, grow bool) {
	dir := t.TempDir()
	want := writeFiles(t, dir, map[string]int{"a.txt": 10, "d/b.txt": 2000, "big.bin": 3 << 20})
	big := filepath.Join(dir, "big.bin")
	var changes atomic.Int32
	change := func() {
		changes.Add(1)
		f, err := os.OpenFile(big, os.O_RDWR|os.O_APPEND, 0)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		info, _ := f.Stat()
		if grow {
			f.Write(bytes.Repeat([]byte{'+'}, 100_000))
		} else {
			f.Truncate(info.Size() * 2 / 3)
		}
	}
	target, _ := serviceOf(p.to)
	proxy, err := testenv.NewFaultProxy(target, func(_ int, r *http.Request) testenv.Fault {
		if firstPiece(r, "/big.bin") && changes.Load() < 2 {
			change()
		}
		return testenv.Pass
	})
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	to, direct := newDestination(t, p.to, proxy.URL)
	out, code := azsyncRun(t, nil, "sync", dir, to.arg, "--from-to="+p.fromTo, matrixBlock)
	if n := changes.Load(); n != 2 {
		t.Fatalf("the source was changed %d times, want 2 (the first attempt and the retry)\n%s", n, tail(out))
	}
	expectOneFailure(t, out, code, "big.bin", "changed")
	compareTrees(t, "the destination", withoutEntry(want, "big.bin"), direct.read(t))
}

// firstPiece tells the request that writes the first block or range of the file at path: Put
// Block with block index 0 (the last 8 bytes of azsync's block IDs), or Put Range from byte 0.
func firstPiece(r *http.Request, path string) bool {
	if r.Method != http.MethodPut {
		return false
	}
	q := r.URL.Query()
	switch {
	case q.Get("comp") == "range":
		// Ranges go to the file's temporary; big.bin is the only file of more than one range.
		return strings.HasPrefix(r.Header.Get("x-ms-range"), "bytes=0-") && isTempPath(r.URL.Path)
	case q.Get("comp") == "block" && strings.HasSuffix(r.URL.Path, path):
		id, err := base64.StdEncoding.DecodeString(q.Get("blockid"))
		return err == nil && len(id) >= 8 && binary.BigEndian.Uint64(id[len(id)-8:]) == 0
	}
	return false
}
