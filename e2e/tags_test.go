package e2e

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

// tagsOf returns a blob's index tags.
func tagsOf(t *testing.T, cc *container.Client, name string) map[string]string {
	t.Helper()
	resp, err := cc.NewBlobClient(name).GetTags(context.Background(), nil)
	if err != nil {
		t.Fatalf("tags of %s: %v", name, err)
	}
	got := map[string]string{}
	for _, tag := range resp.BlobTagSet {
		got[*tag.Key] = *tag.Value
	}
	return got
}

func TestS2SPreserveBlobTags(t *testing.T) {
	ctx := context.Background()
	svc, err := azurite.Service()
	if err != nil {
		t.Fatal(err)
	}
	name := newContainerName(t)
	src, dst := svc.NewContainerClient(name), svc.NewContainerClient(name+"b")
	for _, c := range []*container.Client{src, dst} {
		if _, err := c.Create(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	tags := map[string]string{"project": "alpha", "owner": "team-7"}
	if _, err := src.NewBlockBlobClient("tagged.txt").UploadBuffer(ctx, []byte("tagged"), &blockblob.UploadBufferOptions{Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.NewBlockBlobClient("plain.txt").UploadBuffer(ctx, []byte("plain"), nil); err != nil {
		t.Fatal(err)
	}
	// Azurite serves the *FromURL operations only under a container SAS.
	dstSAS, err := azurite.ContainerSAS(name+"b", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srcURL := containerURL(strings.TrimSuffix(azurite.Endpoint, "/"+"devstoreaccount1"), name)
	dstURL := strings.TrimSuffix(azurite.Endpoint, "/") + "/" + name + "b?" + dstSAS

	if out, code := run(t, "sync", srcURL, dstURL, "--from-to=BlobBlob"); code != 0 {
		t.Fatalf("sync without the flag: exit %d\n%s", code, out)
	}
	if got := tagsOf(t, dst, "tagged.txt"); len(got) != 0 {
		t.Errorf("tags copied without --s2s-preserve-blob-tags: %v", got)
	}
	if out, code := run(t, "sync", srcURL, dstURL, "--from-to=BlobBlob", "--mirror-mode", "--s2s-preserve-blob-tags"); code != 0 {
		t.Fatalf("sync with --s2s-preserve-blob-tags: exit %d\n%s", code, out)
	}
	if got := tagsOf(t, dst, "tagged.txt"); !maps.Equal(got, tags) {
		t.Errorf("tags of the copy = %v, want %v", got, tags)
	}
	if got := tagsOf(t, dst, "plain.txt"); len(got) != 0 {
		t.Errorf("an untagged source got tags: %v", got)
	}
}
