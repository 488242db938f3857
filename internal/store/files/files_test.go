package files_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/files"
	"github.com/azsync/azsync/internal/store/storetest"
	"github.com/azsync/azsync/internal/testenv"
	"github.com/azsync/azsync/internal/transfer"
)

var (
	emu *filesemu.Running
	sas string
)

func TestMain(m *testing.M) {
	var err error
	if emu, err = filesemu.Start(context.Background(), filesemu.Options{}, "127.0.0.1:0"); err == nil {
		sas, err = testenv.FilesAccountSAS(time.Now().Add(24 * time.Hour))
	}
	if err == nil {
		err = testenv.CreateShare(context.Background(), emu.URL, "share")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "files tests:", err)
		os.Exit(1)
	}
	code := m.Run()
	emu.Close()
	os.Exit(code)
}

var dirs atomic.Int64

// clientOptions are the share client's options as azsync sets them for listings: the store's
// tests list through FastListing, as a sync does.
func clientOptions() *share.ClientOptions {
	return &share.ClientOptions{AllowTrailingDot: to.Ptr(true),
		ClientOptions: azcore.ClientOptions{PerCallPolicies: []policy.Policy{files.FastListing{}}}}
}

// newStore is the store for a new directory of the share.
func newStore(t *testing.T) *files.Store {
	t.Helper()
	sc, err := share.NewClientWithNoCredential(emu.URL+"/share?"+sas, clientOptions())
	if err != nil {
		t.Fatal(err)
	}
	s := files.New(sc, fmt.Sprintf("t%d/root", dirs.Add(1)), files.Options{Engine: transfer.NewEngine(4, 0, 0), BlockSize: storetest.ChunkSize, PutMD5: true,
		PreserveInfo: true}) // so that the folder-property rules are checked too
	if err := s.MakeRoot(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) store.Store { return newStore(t) }, ContentType: true})
}
