// Command azsync-files-emulator serves an Azure Files REST emulator until it is
// interrupted (SIGINT or SIGTERM).
//
//	azsync-files-emulator [--host 127.0.0.1] [--port 10004] [--account NAME --key BASE64] [--location DIR]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/azsync/azsync/filesemu"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "azsync-files-emulator:", err)
		os.Exit(2)
	}
}

// run parses args, serves until ctx is done, then shuts down cleanly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fl := flag.NewFlagSet("azsync-files-emulator", flag.ContinueOnError)
	fl.SetOutput(stderr)
	host := fl.String("host", "127.0.0.1", "address to listen on (keep it on loopback unless you mean to expose the emulator)")
	port := fl.Int("port", 10004, "port to listen on; 0 picks a free one")
	account := fl.String("account", filesemu.DevAccount, "storage account name")
	key := fl.String("key", filesemu.DevKey, "base64 account key")
	location := fl.String("location", "", "directory to persist shares in (default: in memory)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fl.Args())
	}

	em, err := filesemu.Start(ctx, filesemu.Options{Account: *account, Key: *key, Location: *location},
		net.JoinHostPort(*host, strconv.Itoa(*port)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Azure Files emulator listening on %s\n", em.URL)
	<-ctx.Done()
	if err := em.Close(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Azure Files emulator stopped")
	return nil
}
