package blob

import (
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/storetest"
	"github.com/azsync/azsync/internal/transfer"
)

// sasStore is the store for the virtual directory dir of a new container, reached by a SAS (so
// that SourceURL is one the service can read).
func sasStore(t *testing.T, dir string) store.Store {
	t.Helper()
	name := newContainer(t).URL()
	name = name[len(azurite.Endpoint)+1:]
	sas, err := azurite.ContainerSAS(name, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cc, err := container.NewClientWithNoCredential(azurite.Endpoint+"/"+name+"?"+sas, nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(cc, dir, Options{Engine: transfer.NewEngine(4, 0, 0), BlockSize: storetest.ChunkSize, PutMD5: true})
}

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) store.Store { return sasStore(t, "") }, ContentType: true})
}

func TestContractUnderAPrefix(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) store.Store { return sasStore(t, "some/prefix") }, ContentType: true})
}
