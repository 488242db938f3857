package filesemu_test

import (
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/lease"

	"github.com/azsync/azsync/filesemu"
)

const (
	leaseA = "c820a799-76d7-4ee2-6e15-546f19325c2c"
	leaseB = "326cc5e1-746e-4af8-4811-a50e6629a8ca"
)

func TestFileLease(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "leases")
	f := sh.NewRootDirectoryClient().NewFileClient("f")
	createFile(t, f, []byte("leased"))
	lc, err := lease.NewFileClient(f, &lease.FileClientOptions{LeaseID: to.Ptr(leaseA)})
	ok(t, err)
	acq, err := lc.Acquire(ctx, nil)
	ok(t, err)
	if *acq.LeaseID != leaseA {
		t.Fatalf("acquired %q", *acq.LeaseID)
	}
	_, err = lc.Acquire(ctx, nil) // the same ID again is fine
	ok(t, err)
	other, err := lease.NewFileClient(f, &lease.FileClientOptions{LeaseID: to.Ptr(leaseB)})
	ok(t, err)
	_, err = other.Acquire(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseAlreadyPresent"))

	props, err := f.GetProperties(ctx, nil) // reads need no lease ID
	ok(t, err)
	if *props.LeaseState != lease.StateTypeLeased || *props.LeaseStatus != lease.StatusTypeLocked || *props.LeaseDuration != lease.DurationTypeInfinite {
		t.Fatalf("lease state %v status %v", *props.LeaseState, *props.LeaseStatus)
	}
	_, err = f.SetMetadata(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = f.Delete(ctx, &file.DeleteOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: to.Ptr(leaseB)}})
	wantCode(t, err, fileerror.Code("LeaseIdMismatchWithFileOperation"))
	_, err = f.UploadRange(ctx, 0, streamOf([]byte("L")), &file.UploadRangeOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: to.Ptr(leaseA)}})
	ok(t, err)

	_, err = other.Release(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseIdMismatchWithLeaseOperation"))
	chg, err := lc.Change(ctx, leaseB, nil)
	ok(t, err)
	if *chg.LeaseID != leaseB {
		t.Fatalf("changed to %q", *chg.LeaseID)
	}
	_, err = other.Break(ctx, nil)
	ok(t, err)
	props, err = f.GetProperties(ctx, nil)
	ok(t, err)
	if *props.LeaseState != lease.StateTypeBroken || *props.LeaseStatus != lease.StatusTypeUnlocked {
		t.Fatalf("after break: state %v status %v", *props.LeaseState, *props.LeaseStatus)
	}
	_, err = f.SetMetadata(ctx, nil) // a broken lease lets writes through
	ok(t, err)
	_, err = other.Release(ctx, nil)
	ok(t, err)
	_, err = other.Release(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseNotPresentWithLeaseOperation"))
	_, err = f.SetMetadata(ctx, &file.SetMetadataOptions{LeaseAccessConditions: &file.LeaseAccessConditions{LeaseID: to.Ptr(leaseA)}})
	wantCode(t, err, fileerror.Code("LeaseNotPresentWithFileOperation"))
}

// As the SDK's own TestFileRenameSrcDestLease: a rename over a leased file
// needs both leases.
func TestRenameLeases(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "renameleases")
	src := sh.NewRootDirectoryClient().NewFileClient("file1")
	dst := sh.NewRootDirectoryClient().NewFileClient("file2")
	createFile(t, src, []byte("1"))
	createFile(t, dst, []byte("2"))
	for f, id := range map[*file.Client]string{src: leaseA, dst: leaseB} {
		lc, err := lease.NewFileClient(f, &lease.FileClientOptions{LeaseID: to.Ptr(id)})
		ok(t, err)
		_, err = lc.Acquire(ctx, nil)
		ok(t, err)
	}
	_, err := src.Rename(ctx, "file2", &file.RenameOptions{ReplaceIfExists: to.Ptr(true)})
	wantCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = src.Rename(ctx, "file2", &file.RenameOptions{ReplaceIfExists: to.Ptr(true),
		SourceLeaseAccessConditions: &file.SourceLeaseAccessConditions{SourceLeaseID: to.Ptr(leaseA)}})
	wantCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = src.Rename(ctx, "file2", &file.RenameOptions{ReplaceIfExists: to.Ptr(true),
		SourceLeaseAccessConditions:      &file.SourceLeaseAccessConditions{SourceLeaseID: to.Ptr(leaseA)},
		DestinationLeaseAccessConditions: &file.DestinationLeaseAccessConditions{DestinationLeaseID: to.Ptr(leaseB)}})
	ok(t, err)
	props, err := dst.GetProperties(ctx, nil)
	ok(t, err)
	if *props.LeaseState != lease.StateTypeLeased { // the lease moved with the file
		t.Fatalf("renamed file lease state %v", *props.LeaseState)
	}
}
