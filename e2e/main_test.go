// Package e2e drives the azsync command line end to end against real emulators: Azurite for Blob and
// the project's own Azure Files emulator, started once for the package on free loopback ports.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/azsync/azsync/filesemu"
	"github.com/azsync/azsync/internal/cli"
	"github.com/azsync/azsync/internal/testenv"
)

// azurite is the package's Blob emulator; sas is an account SAS for it. filesEmu is the project's
// Azure Files emulator and fsas an account SAS for it.
var (
	azurite  *testenv.Azurite
	sas      string
	filesEmu *filesemu.Running
	fsas     string
)

// runMain is what the azsync command runs in the test binary's subprocesses.
func runMain() int {
	return cli.Main(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv})
}

func TestMain(m *testing.M) {
	// Go tests run the command as a subprocess of this binary (see azsyncCmd).
	if os.Getenv("AZSYNC_E2E_MAIN") == "1" {
		os.Exit(runMain())
	}
	testscript.Main(withServices{m}, map[string]func(){"azsync": func() { os.Exit(runMain()) }})
}

// withServices starts the emulators around the package's tests (and only in the parent process: the
// azsync subprocesses never reach Run).
type withServices struct{ m *testing.M }

func (w withServices) Run() int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	if azurite, err = testenv.StartAzurite(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer azurite.Stop()
	if sas, err = azurite.AccountSAS(time.Now().Add(24 * time.Hour)); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	// Not ctx: the emulator stops when its context ends, and ctx only bounds startup.
	if filesEmu, err = filesemu.Start(context.Background(), filesemu.Options{}, "127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: files emulator:", err)
		return 1
	}
	defer filesEmu.Close()
	if fsas, err = testenv.FilesAccountSAS(time.Now().Add(24 * time.Hour)); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return w.m.Run()
}

// azsyncCmd is the azsync command as a subprocess (this test binary in its command role), for Go
// tests that need to signal it or watch it run.
func azsyncCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "AZSYNC_E2E_MAIN=1")
	return cmd
}
