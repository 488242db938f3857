package local

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/azsync/azsync/internal/store"
)

func write(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Temporaries of a killed download are never listed; RemoveLeftovers deletes those the listings found.
func TestLeftoversOfAKilledDownloadAreRemoved(t *testing.T) {
	root := t.TempDir()
	temp := filepath.Join(root, "sub", store.TempName())
	write(t, filepath.Join(root, "sub", "a.txt"))
	write(t, temp)
	s := New(root, Options{})
	var names []string
	for _, dir := range []string{"", "sub"} {
		for e, err := range s.List(context.Background(), dir) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, e.Name)
		}
	}
	if !slices.Equal(names, []string{"sub", "sub/a.txt"}) {
		t.Errorf("listed %q", names)
	}
	if _, err := os.Stat(temp); err != nil {
		t.Fatalf("a listing removed the temporary by itself: %v", err)
	}
	if n, err := s.RemoveLeftovers(context.Background()); n != 1 || err != nil {
		t.Fatalf("RemoveLeftovers: %d, %v; want 1 removed", n, err)
	}
	if _, err := os.Stat(temp); !os.IsNotExist(err) {
		t.Errorf("the temporary is still there: %v", err)
	}
}
