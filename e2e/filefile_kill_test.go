package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

// TestKilledFileFileCopy: kill -9 during a File → File copy of large files, one new and one
// replacing an older version, never leaves a file under its real name whose content is not the
// source's. The re-run converges byte for byte and removes the temporaries the killed run left.
func TestKilledFileFileCopy(t *testing.T) {
	const size = 24 << 20
	src, srcURL := newTestShare(t, "killsrc")
	dst, dstURL := newTestShare(t, "killdst")
	fresh, newer := pseudoRandom("killed-ff-new.bin", size), pseudoRandom("killed-ff-upd.bin", size)
	writeShareFile(t, src, "new.bin", fresh, time.Now().Add(-time.Minute))
	writeShareFile(t, src, "upd.bin", newer, time.Now().Add(-time.Minute))
	killedSyncConverges(t, dst, fresh, newer, srcURL, dstURL, "--from-to=FileFile")
}

// TestFileFileTwoAccounts: a share of one account to a share of another (a second emulator on the
// machine, as a second storage account is another endpoint), the source read by the service
// through the SAS in its URL; SMB properties and descriptors cross over, and the next run has
// nothing to do.
func TestFileFileTwoAccounts(t *testing.T) {
	src, srcURL := newTestShare(t, "acct1")
	other := filesemu.NewTestServer(t, filesemu.Options{Account: "secondaccount", Key: "c2Vjb25kLWFjY291bnQta2V5"})
	if err := other.CreateShare("acct2"); err != nil {
		t.Fatal(err)
	}
	cred, err := share.NewSharedKeyCredential(other.Account(), other.Key())
	if err != nil {
		t.Fatal(err)
	}
	dst, err := share.NewClientWithSharedKeyCredential(other.ShareURL("acct2"), cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	dstURL := other.ShareURL("acct2") + "?" + other.AccountSAS(time.Now().Add(time.Hour))
	files := map[string][]byte{"small.txt": []byte("small\n"), "big.bin": pseudoRandom("two-accounts", 5<<20+17)}
	for name, data := range files {
		writeShareFile(t, src, name, data, time.Now().Add(-time.Hour))
	}
	if _, err := src.NewDirectoryClient("d").Create(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	args := []string{"sync", srcURL, dstURL, "--from-to=FileFile", "--preserve-info", "--preserve-permissions"}
	out, code := azsyncRun(t, nil, args...)
	expectRun(t, "copy", out, code, map[string]int{"Number of Copy Transfers for Files": 2, "Number of Copy Transfers for Folder Properties": 1})
	for name, data := range files {
		if !bytes.Equal(readShareFile(t, dst, name), data) {
			t.Errorf("%s differs in the other account", name)
		}
		if got, want := readSMB(t, dst, name, false), readSMB(t, src, name, false); got != want {
			t.Errorf("%s: the copy has %+v, the source %+v", name, got, want)
		}
	}
	again, code := azsyncRun(t, nil, args...)
	expectRun(t, "second run", again, code, map[string]int{"Total Number of Copy Transfers": 0})
}
