package march

import (
	"errors"
	"iter"
	"strings"
	"testing"

	"github.com/azsync/azsync/internal/store"
)

// listing yields entries named by s ("d/" is directory d), then err when set.
func listing(names string, err error) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		for n := range strings.FieldsSeq(names) {
			name, isDir := strings.CutSuffix(n, "/")
			if !yield(store.Entry{Name: name, IsDir: isDir}, nil) {
				return
			}
		}
		if err != nil {
			yield(store.Entry{}, err)
		}
	}
}

type record []string

func (r *record) SourceOnly(e store.Entry)      { *r = append(*r, "<"+store.Key(e)) }
func (r *record) DestinationOnly(e store.Entry) { *r = append(*r, ">"+store.Key(e)) }
func (r *record) Both(s, d store.Entry)         { *r = append(*r, "="+store.Key(s)) }

func TestMergePairsInKeyOrder(t *testing.T) {
	cases := []struct{ src, dst, want string }{
		{"", "", ""},
		{"a b", "", "<a <b"},
		{"", "a b", ">a >b"},
		{"a c e", "b c d", "<a >b =c >d <e"},
		// A file "a" and a directory "a" are different names: "a" < "a-b" < "a/" < "a0".
		{"a a-b a0", "a-b a/ a0", "<a =a-b >a/ =a0"},
		{"x/", "x", ">x <x/"},
	}
	for _, c := range cases {
		var r record
		if err := Merge(listing(c.src, nil), listing(c.dst, nil), &r); err != nil {
			t.Fatalf("%q ~ %q: %v", c.src, c.dst, err)
		}
		if got := strings.Join(r, " "); got != c.want {
			t.Errorf("%q ~ %q: %q, want %q", c.src, c.dst, got, c.want)
		}
	}
}

func TestMergeStopsAtAListingError(t *testing.T) {
	boom := errors.New("boom")
	var r record
	err := Merge(listing("a b", nil), listing("a", boom), &r)
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want boom", err)
	}
	if got := strings.Join(r, " "); got != "=a" {
		t.Errorf("visited %q before the error, want only =a (b must not look source-only)", got)
	}
}

func TestMergeRefusesAnUnorderedListing(t *testing.T) {
	for _, c := range []struct{ src, dst string }{{"b a", ""}, {"", "a a"}, {"a/ a", "a"}} {
		var r record
		var oe *OrderError
		if err := Merge(listing(c.src, nil), listing(c.dst, nil), &r); !errors.As(err, &oe) {
			t.Errorf("%q ~ %q: error %v, want an OrderError", c.src, c.dst, err)
		}
	}
}
