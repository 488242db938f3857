package files_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/files"
	"github.com/azsync/azsync/internal/transfer"
)

// TestLeftoversOfAKilledRunAreRemoved: listings skip temporaries; RemoveLeftovers deletes those
// not written since the store was opened (a killed run's) and keeps the newer ones (another run's
// work in progress).
func TestLeftoversOfAKilledRunAreRemoved(t *testing.T) {
	ctx := t.Context()
	sc, err := share.NewClientWithNoCredential(emu.URL+"/share?"+sas, clientOptions())
	if err != nil {
		t.Fatal(err)
	}
	top := fmt.Sprintf("t%d", dirs.Add(1))
	root := top + "/leftovers"
	opts := files.Options{Engine: transfer.NewEngine(4, 0, 0)}
	if err := files.New(sc, root, opts).MakeRoot(ctx); err != nil {
		t.Fatal(err)
	}
	dir := sc.NewRootDirectoryClient().NewSubdirectoryClient(top).NewSubdirectoryClient("leftovers")
	touch := func(name string) time.Time {
		resp, err := dir.NewFileClient(name).Create(ctx, 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		return *resp.LastModified
	}
	killed, live := store.TempName(), store.TempName()
	written := touch(killed)
	touch("data.txt")
	waitClockPast(t, sc, written)

	s := files.New(sc, root, opts)
	if _, err := s.RootExists(ctx); err != nil {
		t.Fatal(err)
	}
	touch(live)
	var names []string
	for e, err := range s.List(ctx, "") {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name)
	}
	if !slices.Equal(names, []string{"data.txt"}) {
		t.Errorf("listed %q, want only data.txt", names)
	}
	if n, err := s.RemoveLeftovers(ctx); n != 1 || err != nil {
		t.Fatalf("RemoveLeftovers: %d, %v; want 1 removed", n, err)
	}
	if _, err := dir.NewFileClient(killed).GetProperties(ctx, nil); !fileerror.HasCode(err, fileerror.ResourceNotFound) {
		t.Errorf("the killed run's temporary is still there (%v)", err)
	}
	if _, err := dir.NewFileClient(live).GetProperties(ctx, nil); err != nil {
		t.Errorf("the live temporary was removed: %v", err)
	}
}

// waitClockPast waits until the service's clock (to the second) is later than t.
func waitClockPast(t *testing.T, sc *share.Client, at time.Time) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := sc.NewRootDirectoryClient().GetProperties(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Date.After(at) {
			return
		}
	}
	t.Fatalf("the service clock did not pass %v", at)
}
