package filesemu_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/service"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/filesemu"
)

// Start an emulator in-process, make a share, and use it with the azfile SDK
// through Shared Key and through a SAS. In a test, filesemu.NewTestServer(t,
// filesemu.Options{}) does the starting and stopping.
func Example() {
	ctx := context.Background()
	em, err := filesemu.Start(ctx, filesemu.Options{}, "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer em.Close()
	if err := em.CreateShare("docs"); err != nil {
		log.Fatal(err)
	}

	// Shared Key, with the emulator's account and key.
	cred, err := service.NewSharedKeyCredential(em.Account(), em.Key())
	if err != nil {
		log.Fatal(err)
	}
	svc, err := service.NewClientWithSharedKeyCredential(em.URL+"/", cred, nil)
	if err != nil {
		log.Fatal(err)
	}
	f := svc.NewShareClient("docs").NewRootDirectoryClient().NewFileClient("hello.txt")
	body := "hello, Azure Files"
	if _, err := f.Create(ctx, int64(len(body)), nil); err != nil {
		log.Fatal(err)
	}
	if _, err := f.UploadRange(ctx, 0, streaming.NopCloser(strings.NewReader(body)), nil); err != nil {
		log.Fatal(err)
	}

	// A share SAS, as a tool under test would be given one.
	sasShare, err := share.NewClientWithNoCredential(em.ShareURL("docs")+"?"+em.ShareSAS("docs", time.Now().Add(time.Hour)), nil)
	if err != nil {
		log.Fatal(err)
	}
	resp, err := sasShare.NewRootDirectoryClient().NewFileClient("hello.txt").DownloadStream(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(got))
	// Output: hello, Azure Files
}
