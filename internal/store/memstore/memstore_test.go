package memstore_test

import (
	"testing"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/memstore"
	"github.com/azsync/azsync/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New:         func(*testing.T) store.Store { return memstore.New(nil) },
		ContentType: true,
	})
}
