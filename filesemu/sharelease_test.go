package filesemu_test

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/lease"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

// TestShareLease: a leased share cannot be deleted without its lease ID; a finite lease is
// renewed, an infinite one changed, released and broken; a break with a period leaves the lease
// "breaking" until the period ends.
func TestShareLease(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "leasedshare")
	lc, err := lease.NewShareClient(sh, &lease.ShareClientOptions{LeaseID: to.Ptr(leaseA)})
	ok(t, err)
	_, err = lc.Acquire(ctx, 10, nil)
	wantCode(t, err, fileerror.InvalidHeaderValue) // 15 to 60 seconds, or -1
	acq, err := lc.Acquire(ctx, 30, nil)
	ok(t, err)
	if *acq.LeaseID != leaseA {
		t.Fatalf("acquired %q", *acq.LeaseID)
	}
	props, err := sh.GetProperties(ctx, nil)
	ok(t, err)
	if *props.LeaseState != lease.StateTypeLeased || *props.LeaseStatus != lease.StatusTypeLocked || *props.LeaseDuration != lease.DurationTypeFixed {
		t.Fatalf("lease state %v status %v duration %v", *props.LeaseState, *props.LeaseStatus, *props.LeaseDuration)
	}
	other, err := lease.NewShareClient(sh, &lease.ShareClientOptions{LeaseID: to.Ptr(leaseB)})
	ok(t, err)
	_, err = other.Acquire(ctx, -1, nil)
	wantCode(t, err, fileerror.Code("LeaseAlreadyPresent"))
	_, err = other.Renew(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseIdMismatchWithLeaseOperation"))
	_, err = lc.Renew(ctx, nil)
	ok(t, err)

	_, err = sh.Delete(ctx, nil)
	wantCode(t, err, fileerror.Code("LeaseIdMissing"))
	_, err = sh.Delete(ctx, &share.DeleteOptions{LeaseAccessConditions: &share.LeaseAccessConditions{LeaseID: to.Ptr(leaseB)}})
	wantCode(t, err, fileerror.Code("LeaseIdMismatchWithContainerOperation"))
	_, err = sh.SetMetadata(ctx, &share.SetMetadataOptions{LeaseAccessConditions: &share.LeaseAccessConditions{LeaseID: to.Ptr(leaseA)}})
	ok(t, err)

	// Re-acquired as infinite, changed, released; a lease ID for an unleased share is refused.
	_, err = lc.Release(ctx, nil)
	ok(t, err)
	_, err = lc.Acquire(ctx, -1, nil)
	ok(t, err)
	chg, err := lc.Change(ctx, leaseB, nil)
	ok(t, err)
	if *chg.LeaseID != leaseB {
		t.Fatalf("changed to %q", *chg.LeaseID)
	}
	_, err = other.Release(ctx, nil)
	ok(t, err)
	_, err = sh.SetMetadata(ctx, &share.SetMetadataOptions{LeaseAccessConditions: &share.LeaseAccessConditions{LeaseID: to.Ptr(leaseA)}})
	wantCode(t, err, fileerror.Code("LeaseNotPresentWithContainerOperation"))

	// A break with a period: breaking, and a new lease cannot be taken meanwhile; without one an
	// infinite lease breaks at once and the share can go.
	_, err = lc.Acquire(ctx, -1, nil)
	ok(t, err)
	brk, err := other.Break(ctx, &lease.ShareBreakOptions{BreakPeriod: to.Ptr(int32(60))})
	ok(t, err)
	if *brk.LeaseTime != 60 {
		t.Errorf("break: lease time %d, want 60", *brk.LeaseTime)
	}
	props, err = sh.GetProperties(ctx, nil)
	ok(t, err)
	if *props.LeaseState != lease.StateTypeBreaking {
		t.Errorf("after a break with a period the lease is %v, want breaking", *props.LeaseState)
	}
	_, err = other.Acquire(ctx, -1, nil)
	wantCode(t, err, fileerror.Code("LeaseIsBreakingAndCannotBeAcquired"))
	_, err = lc.Break(ctx, &lease.ShareBreakOptions{BreakPeriod: to.Ptr(int32(0))})
	ok(t, err)
	props, err = sh.GetProperties(ctx, nil)
	ok(t, err)
	if *props.LeaseState != lease.StateTypeBroken || *props.LeaseStatus != lease.StatusTypeUnlocked {
		t.Errorf("after a break the lease is %v, %v; want broken, unlocked", *props.LeaseState, *props.LeaseStatus)
	}
	_, err = sh.Delete(ctx, nil)
	ok(t, err)
}

// TestHandles: no SMB client ever opens a handle on the emulator, so List Handles answers none
// and Force Close Handles closes none, on files and directories; a missing one is 404.
func TestHandles(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "handles")
	d := sh.NewDirectoryClient("d")
	_, err := d.Create(ctx, nil)
	ok(t, err)
	f := d.NewFileClient("f")
	createFile(t, f, []byte("x"))
	dl, err := d.ListHandles(ctx, &directory.ListHandlesOptions{Recursive: to.Ptr(true)})
	ok(t, err)
	if len(dl.Handles) != 0 {
		t.Errorf("directory handles: %d", len(dl.Handles))
	}
	fl, err := f.ListHandles(ctx, nil)
	ok(t, err)
	if len(fl.Handles) != 0 {
		t.Errorf("file handles: %d", len(fl.Handles))
	}
	dc, err := d.ForceCloseHandles(ctx, "*", nil)
	ok(t, err)
	fc, err := f.ForceCloseHandles(ctx, "*", nil)
	ok(t, err)
	if *dc.NumberOfHandlesClosed != 0 || *fc.NumberOfHandlesClosed != 0 || *fc.NumberOfHandlesFailedToClose != 0 {
		t.Errorf("handles closed: %d and %d", *dc.NumberOfHandlesClosed, *fc.NumberOfHandlesClosed)
	}
	_, err = d.NewFileClient("missing").ListHandles(ctx, nil)
	wantCode(t, err, fileerror.ResourceNotFound)
}

// TestShareAccessPolicies: Set Share ACL stores up to five policies, Get Share ACL answers them
// as set; a sixth, or a permission letter the service does not know, is refused.
func TestShareAccessPolicies(t *testing.T) {
	e := newEnv(t, filesemu.Options{})
	sh := e.newShare(t, "acl")
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	expiry := start.Add(48 * time.Hour)
	policy := func(id, perms string) *share.SignedIdentifier {
		return &share.SignedIdentifier{ID: to.Ptr(id), AccessPolicy: &share.AccessPolicy{Start: &start, Expiry: &expiry, Permission: to.Ptr(perms)}}
	}
	_, err := sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{policy("readers", "rl"), policy("writers", "rcwdl")}})
	ok(t, err)
	got, err := sh.GetAccessPolicy(ctx, nil)
	ok(t, err)
	if len(got.SignedIdentifiers) != 2 || *got.SignedIdentifiers[0].ID != "readers" || *got.SignedIdentifiers[1].AccessPolicy.Permission != "rcwdl" ||
		!got.SignedIdentifiers[0].AccessPolicy.Expiry.Equal(expiry) {
		t.Fatalf("policies read back: %+v", got.SignedIdentifiers)
	}
	six := make([]*share.SignedIdentifier, 6)
	for i := range six {
		six[i] = policy(string(rune('a'+i)), "r")
	}
	_, err = sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: six})
	wantCode(t, err, fileerror.Code("InvalidXmlDocument"))
	_, err = sh.SetAccessPolicy(ctx, &share.SetAccessPolicyOptions{ShareACL: []*share.SignedIdentifier{policy("x", "rz")}})
	wantCode(t, err, fileerror.Code("InvalidXmlDocument"))
	_, err = sh.SetAccessPolicy(ctx, nil)
	ok(t, err)
	got, err = sh.GetAccessPolicy(ctx, nil)
	ok(t, err)
	if len(got.SignedIdentifiers) != 0 {
		t.Errorf("policies left after clearing: %d", len(got.SignedIdentifiers))
	}
}
