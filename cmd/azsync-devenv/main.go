// Command azsync-devenv starts the emulators azsync is tested against (Azurite for Blob, azsync's own
// Azure Files emulator) and prints ready-to-use URLs until it is interrupted, for trying by hand:
//
//	npm ci && go run ./cmd/azsync-devenv
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/azsync/azsync/filesemu"
	"github.com/azsync/azsync/internal/testenv"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "azsync-devenv:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	az, err := testenv.StartAzurite(ctx)
	if err != nil {
		return err
	}
	defer az.Stop()
	sas, err := az.AccountSAS(time.Now().Add(7 * 24 * time.Hour))
	if err != nil {
		return err
	}
	fmt.Printf("Azurite (Blob) account URL: %s\n", az.Endpoint)
	fmt.Printf("Account SAS (a week):       %s\n\n", sas)
	fmt.Printf("Try:\n  azsync sync ./somedir '%s/mycontainer?%s' --from-to=LocalBlob\n\n", az.Endpoint, sas)
	files, err := filesemu.Start(ctx, filesemu.Options{}, "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer files.Close()
	fsas, err := testenv.FilesAccountSAS(time.Now().Add(7 * 24 * time.Hour))
	if err != nil {
		return err
	}
	if err := testenv.CreateShare(ctx, files.URL, "myshare"); err != nil {
		return err
	}
	fmt.Printf("Azure Files emulator:       %s (account %s, the development key; see docs/files-emulator.md)\n", files.URL, filesemu.DevAccount)
	fmt.Printf("Files account SAS (a week): %s\n\n", fsas)
	fmt.Printf("Try (the share myshare is there; azsync does not create shares):\n  azsync sync ./somedir '%s/myshare/somedir?%s' --from-to=LocalFile\n\n", files.URL, fsas)
	fmt.Printf("export AZSYNC_BLOB='%s' AZSYNC_SAS='%s' AZSYNC_FILES='%s' AZSYNC_FSAS='%s'\n\nPress Ctrl-C to stop.\n",
		az.Endpoint, sas, files.URL, fsas)
	<-ctx.Done()
	return nil
}
