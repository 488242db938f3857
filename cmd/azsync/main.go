// Command azsync replicates a source to a destination on Azure Storage; a drop-in replacement for
// `azcopy sync`. All behaviour lives in internal/cli.
package main

import (
	"os"

	"github.com/azsync/azsync/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
