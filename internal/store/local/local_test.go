package local_test

import (
	"testing"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/local"
	"github.com/azsync/azsync/internal/store/storetest"
	"github.com/azsync/azsync/internal/transfer"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{New: func(t *testing.T) store.Store {
		return local.New(t.TempDir(), local.Options{Engine: transfer.NewEngine(4, 0, 0), BlockSize: storetest.ChunkSize})
	}})
}
