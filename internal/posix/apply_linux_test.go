package posix

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/testenv"
)

// nobody is the user an ordinary-user test runs as when the tests run as root.
const nobody = 65534

// TestApplyAsOrdinaryUser: a user who is not root keeps owning what it downloads and sets no group
// it is not in, as rsync does; Apply says so and still sets mode and times. Run as root, the test
// runs itself again as nobody.
func TestApplyAsOrdinaryUser(t *testing.T) {
	if os.Geteuid() == 0 && os.Getenv("POSIX_TEST_CHILD") == "" {
		runAsNobody(t)
		return
	}
	if groups, _ := os.Getgroups(); slices.Contains(groups, 0) {
		t.Skip("this user is in group 0, which the test asks for")
	}
	dir := os.Getenv("POSIX_TEST_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1704164645, 123456789)
	md := Props{Mode: 0o100751, UID: 0, GID: 0, Atime: time.Unix(1600000000, 0), Mtime: mtime}.Metadata(Standard)
	notSet, err := Apply(path, md, mtime)
	if err != nil || notSet != "owner and group" {
		t.Fatalf("Apply as uid %d = %q, %v; want the owner and group kept back", os.Geteuid(), notSet, err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	if st.Mode&0o7777 != 0o751 || !info.ModTime().Equal(mtime) || st.Atim.Sec != 1600000000 || int(st.Uid) != os.Geteuid() {
		t.Errorf("after Apply: mode %o, mtime %v, atime %d, uid %d", st.Mode&0o7777, info.ModTime(), st.Atim.Sec, st.Uid)
	}
}

// runAsNobody runs TestApplyAsOrdinaryUser again as nobody, from a copy of the test binary in a
// folder nobody may use.
func runAsNobody(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} { // the test's own folders, 0700
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "posix.test")
	if err := testenv.CopyExecutable(os.Args[0], bin); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestApplyAsOrdinaryUser$", "-test.count=1")
	cmd.Env = append(os.Environ(), "POSIX_TEST_CHILD=1", "POSIX_TEST_DIR="+dir)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, syscall.EPERM) {
		t.Skipf("cannot run as nobody here: %v", err)
	}
	if err != nil {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
}
