package filesemu_test

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

func TestShareSnapshots(t *testing.T) {
	for name, opts := range map[string]func(t *testing.T) filesemu.Options{
		"memory":    func(*testing.T) filesemu.Options { return filesemu.Options{} },
		"persisted": func(t *testing.T) filesemu.Options { return filesemu.Options{Location: t.TempDir()} },
	} {
		t.Run(name, func(t *testing.T) { testShareSnapshots(t, opts(t)) })
	}
}

func testShareSnapshots(t *testing.T, opts filesemu.Options) {
	e := newEnv(t, opts)
	sh := e.newShare(t, "snaps")
	dir := sh.NewDirectoryClient("d")
	_, err := dir.Create(ctx, nil)
	ok(t, err)
	f := dir.NewFileClient("f")
	createFile(t, f, []byte("before"))

	snap, err := sh.CreateSnapshot(ctx, &share.CreateSnapshotOptions{Metadata: map[string]*string{"tag": to.Ptr("v1")}})
	ok(t, err)
	if len(*snap.Snapshot) != len("2006-01-02T15:04:05.0000000Z") {
		t.Fatalf("snapshot name %q", *snap.Snapshot)
	}
	// The live share moves on; the snapshot does not.
	ok(t, f.UploadBuffer(ctx, []byte("after!"), nil))
	createFile(t, dir.NewFileClient("new"), []byte("x"))

	old, err := sh.WithSnapshot(*snap.Snapshot)
	ok(t, err)
	oldDir := old.NewDirectoryClient("d")
	if got := string(download(t, oldDir.NewFileClient("f"))); got != "before" {
		t.Fatalf("snapshot file holds %q", got)
	}
	files, _ := listNames(t, oldDir, nil)
	if len(files) != 1 || files[0] != "f" {
		t.Fatalf("snapshot lists %v", files)
	}
	props, err := old.GetProperties(ctx, nil)
	ok(t, err)
	if *props.Metadata["Tag"] != "v1" {
		t.Fatalf("snapshot metadata %v", props.Metadata)
	}
	_, err = oldDir.NewFileClient("f").SetMetadata(ctx, nil)
	wantCode(t, err, fileerror.ShareSnapshotOperationNotSupported)
	_, err = oldDir.NewFileClient("g").Create(ctx, 0, nil)
	wantCode(t, err, fileerror.ShareSnapshotOperationNotSupported)

	// Copy File from a snapshot restores the old bytes.
	_, err = f.StartCopyFromURL(ctx, oldDir.NewFileClient("f").URL(), nil)
	ok(t, err)
	if got := string(download(t, f)); got != "before" {
		t.Fatalf("restored from snapshot: %q", got)
	}

	var listed []string
	for pager := e.svc.NewListSharesPager(&service.ListSharesOptions{Include: service.ListSharesInclude{Snapshots: true}}); pager.More(); {
		page, err := pager.NextPage(ctx)
		ok(t, err)
		for _, s := range page.Shares {
			name := *s.Name + "@"
			if s.Snapshot != nil {
				name += *s.Snapshot
			}
			listed = append(listed, name)
		}
	}
	if len(listed) != 2 || listed[0] != "snaps@"+*snap.Snapshot || listed[1] != "snaps@" {
		t.Fatalf("listed %v", listed)
	}

	_, err = sh.Delete(ctx, nil)
	wantCode(t, err, fileerror.ShareHasSnapshots)
	_, err = old.Delete(ctx, nil)
	ok(t, err)
	_, err = old.GetProperties(ctx, nil)
	wantCode(t, err, fileerror.ShareNotFound)
	_, err = sh.CreateSnapshot(ctx, nil)
	ok(t, err)
	_, err = sh.Delete(ctx, &share.DeleteOptions{DeleteSnapshots: to.Ptr(share.DeleteSnapshotsOptionTypeInclude)})
	ok(t, err)
	_, err = f.GetProperties(ctx, &file.GetPropertiesOptions{})
	wantCode(t, err, fileerror.ShareNotFound)
}
