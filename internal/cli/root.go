// Package cli is azsync's command line: the cobra commands, flag parsing and validation, and the
// wiring of stores, syncer, output and log for one run.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/azsync/azsync/internal/memlimit"
)

// Version is set at build time with -ldflags "-X github.com/azsync/azsync/internal/cli.Version=…".
var Version = "0.1.0-dev"

// Env is the process environment a run sees; tests substitute their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// errReported marks an error already shown to the user by the run's reporter.
var errReported = errors.New("reported")

// Main runs the command line and returns the exit status: 0 when everything succeeded, 1 otherwise.
// It gives the process its soft memory limit (package memlimit) unless the user set one.
func Main(args []string, env Env) int {
	memlimit.Start()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := newRoot(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errReported):
		return 1
	}
	fmt.Fprintf(env.Stderr, "azsync: %s\n", describe(err))
	return 1
}

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "azsync",
		Short: "Replicate a source to a destination on Azure Storage (a drop-in replacement for azcopy sync)",
		Long: `azsync replicates a source location to a destination location: local disk, Azure Blob
Storage and Azure Files. It takes the same command line, flags, JSON output and exit codes as
"azcopy sync", and refuses to delete anything unless every listing and copy succeeded.

` + pairsHelp + `

Shell completion: "azsync completion bash|zsh|fish|powershell" prints the script for that shell
("azsync completion bash --help" says where to put it).`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	root.SetVersionTemplate("azsync version {{.Version}}\n")
	g := addGlobalFlags(root)
	root.AddCommand(newSyncCommand(env, g), newReportCommand(env, g))
	root.SetFlagErrorFunc(flagError)
	return root
}

// usageError is a command-line mistake; it is shown with a hint to read the help.
type usageError struct{ err error }

func (u usageError) Error() string {
	return u.err.Error() + ` (see "azsync sync --help")`
}

func (u usageError) Unwrap() error { return u.err }
