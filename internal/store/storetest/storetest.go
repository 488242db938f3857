// Package storetest is the contract suite every store.Store passes: local disk, Blob storage
// (Azurite), Azure Files (the project's emulator) and the in-memory store of the unit tests. It seeds
// entries through the store's own Put and checks what List, Stat, Open and Delete say back, so a
// store that disagrees with the others fails here rather than in a sync.
package storetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/azsync/azsync/internal/store"
)

// Harness describes the store under test.
type Harness struct {
	// New returns an empty store at a fresh root. Stores that can store MD5s are configured to
	// (PutMD5), and stores that take a block size are given a small one (ChunkSize or less), so
	// that the suite's larger files move in several chunks.
	New func(t *testing.T) store.Store
	// ContentType says the store keeps a content type per file, which Stat reports.
	ContentType bool
}

// ChunkSize is the block size a harness should configure; the suite's large file spans several.
const ChunkSize = 64 << 10

// Run runs the whole suite against the stores h makes.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"KeyOrder", testKeyOrder},
		{"Missing", testMissing},
		{"RoundTrip", testRoundTrip},
		{"Markers", testMarkers},
		{"RangedReads", testRangedReads},
		{"HostileNames", testHostileNames},
		{"AtomicPut", testAtomicPut},
		{"ServerCopy", testServerCopy},
		{"SourceIdentity", testSourceIdentity},
		{"FolderProperties", testFolderProperties},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, h) })
	}
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)

// Bytes is a Source over a byte slice.
type Bytes []byte

// ReadAt implements store.Source.
func (b Bytes) ReadAt(_ context.Context, p []byte, off int64) error {
	if off < 0 || off+int64(len(p)) > int64(len(b)) {
		return fmt.Errorf("range %d+%d is beyond the end (%d bytes)", off, len(p), len(b))
	}
	copy(p, b[off:])
	return nil
}

// Close implements store.Source.
func (Bytes) Close() error { return nil }

func content(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

func fileEntry(name string, data []byte, mtime time.Time) store.Entry {
	sum := md5.Sum(data)
	return store.Entry{Name: name, Size: int64(len(data)), ModTime: mtime, MD5: sum[:]}
}

func put(t *testing.T, s store.Store, name string, data []byte) store.Entry {
	t.Helper()
	e := fileEntry(name, data, t0)
	if err := s.Put(t.Context(), e, Bytes(data)); err != nil {
		t.Fatalf("Put %q: %v", name, err)
	}
	return e
}

func list(t *testing.T, s store.Store, dir string) []store.Entry {
	t.Helper()
	var out []store.Entry
	for e, err := range s.List(t.Context(), dir) {
		if err != nil {
			t.Fatalf("List %q: %v", dir, err)
		}
		out = append(out, e)
	}
	return out
}

func keys(entries []store.Entry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = store.Key(e)
	}
	return out
}

func find(entries []store.Entry, name string) (store.Entry, bool) {
	i := slices.IndexFunc(entries, func(e store.Entry) bool { return e.Name == name })
	if i < 0 {
		return store.Entry{}, false
	}
	return entries[i], true
}

// testKeyOrder: List yields children in Key order, with directories sorting as "name/" among
// names that sort just before and after '/'.
func testKeyOrder(t *testing.T, h Harness) {
	s := h.New(t)
	for _, name := range []string{"a0", "a/x", "a.txt", "a-b", "b", "Z", "a b", "é", "a/y/z"} {
		put(t, s, name, []byte(name))
	}
	want := []string{"Z", "a b", "a-b", "a.txt", "a/", "a0", "b", "é"}
	if got := keys(list(t, s, "")); !slices.Equal(got, want) {
		t.Errorf("List of the root yields %q, want %q", got, want)
	}
	if got, want := keys(list(t, s, "a")), []string{"a/x", "a/y/"}; !slices.Equal(got, want) {
		t.Errorf("List of a yields %q, want %q", got, want)
	}
}

// testMissing: Stat of a missing entry wraps ErrNotExist; Delete of one is not an error.
func testMissing(t *testing.T, h Harness) {
	s := h.New(t)
	put(t, s, "here", []byte("x"))
	for _, name := range []string{"nope", "nodir/nope", "here/below"} {
		if _, err := s.Stat(t.Context(), name); !errors.Is(err, store.ErrNotExist) {
			t.Errorf("Stat of missing %q: %v, want ErrNotExist", name, err)
		}
	}
	for _, name := range []string{"nope", "nodir/nope"} {
		for _, isDir := range []bool{false, true} {
			if err := s.Delete(t.Context(), name, isDir); err != nil {
				t.Errorf("Delete of missing %q (isDir %v): %v, want nil", name, isDir, err)
			}
		}
	}
	if err := s.Delete(t.Context(), "here", false); err != nil {
		t.Fatalf("Delete here: %v", err)
	}
	if err := s.Delete(t.Context(), "here", false); err != nil {
		t.Errorf("a second Delete of the same file: %v, want nil", err)
	}
}

// testRoundTrip: what Put wrote, List and Stat describe: size, effective time at the store's
// precision, MD5 (listed or from Hasher) and, where kept, content type.
func testRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	files := map[string][]byte{
		"empty":         {},
		"one":           {'1'},
		"sub/page.html": []byte("<p>hi</p>"),
		"big.bin":       content(3*ChunkSize+17, 1),
	}
	for name, data := range files {
		e := fileEntry(name, data, t0)
		if name == "one" {
			e.ContentType = "application/x-chosen"
		}
		if err := s.Put(t.Context(), e, Bytes(data)); err != nil {
			t.Fatalf("Put %q: %v", name, err)
		}
	}
	prec := store.Precision(s, s)
	listed := append(list(t, s, ""), list(t, s, "sub")...)
	for name, data := range files {
		e, ok := find(listed, name)
		if !ok {
			t.Errorf("%q is not listed after Put (listed %q)", name, keys(listed))
			continue
		}
		if e.IsDir || e.Size != int64(len(data)) {
			t.Errorf("%q lists as dir=%v size %d, want a file of %d bytes", name, e.IsDir, e.Size, len(data))
		}
		if want := t0.Truncate(prec); !e.ModTime.Equal(want) {
			t.Errorf("%q lists with time %v, want %v (precision %v)", name, e.ModTime, want, prec)
		}
		sum := md5.Sum(data)
		if got := listedMD5(t, s, e); !bytes.Equal(got, sum[:]) {
			t.Errorf("%q has MD5 %x, want %x", name, got, sum)
		}
		st, err := s.Stat(t.Context(), name)
		if err != nil || st.IsDir || st.Size != e.Size || !st.ModTime.Equal(e.ModTime) {
			t.Errorf("Stat %q = %+v, %v; List said %+v", name, st, err, e)
		}
		checkContent(t, s, e, data)
	}
	if h.ContentType {
		for name, want := range map[string]string{"one": "application/x-chosen", "sub/page.html": "text/html"} {
			if st, err := s.Stat(t.Context(), name); err != nil || st.ContentType != want {
				t.Errorf("Stat %q has content type %q (%v), want %q", name, st.ContentType, err, want)
			}
		}
	}
}

// listedMD5 is the entry's MD5 from its listing, or from the store's Hasher.
func listedMD5(t *testing.T, s store.Store, e store.Entry) []byte {
	t.Helper()
	if e.MD5 != nil {
		return e.MD5
	}
	h, ok := s.(store.Hasher)
	if !ok {
		t.Fatalf("%q lists no MD5 and the store is no Hasher", e.Name)
	}
	sum, err := h.HashMD5(t.Context(), e.Name)
	if err != nil {
		t.Fatalf("HashMD5 %q: %v", e.Name, err)
	}
	return sum
}

func checkContent(t *testing.T, s store.Store, e store.Entry, want []byte) {
	t.Helper()
	src, err := s.Open(t.Context(), e)
	if err != nil {
		t.Errorf("Open %q: %v", e.Name, err)
		return
	}
	defer src.Close()
	got := make([]byte, len(want))
	if err := src.ReadAt(t.Context(), got, 0); err != nil || !bytes.Equal(got, want) {
		t.Errorf("%q reads back %d bytes different from those put (%v)", e.Name, len(got), err)
	}
}

// testMarkers: a directory Put as one has a Marker, in List and Stat, and outlives its contents; a
// directory only implied by a file has one exactly when it outlives that file too.
func testMarkers(t *testing.T, h Harness) {
	s := h.New(t)
	if err := s.Put(t.Context(), store.Entry{Name: "made", IsDir: true, ModTime: t0}, nil); err != nil {
		t.Fatalf("Put of a directory: %v", err)
	}
	put(t, s, "made/f", []byte("f"))
	put(t, s, "implied/f", []byte("f"))
	for _, name := range []string{"made", "implied"} {
		e, ok := find(list(t, s, ""), name)
		st, err := s.Stat(t.Context(), name)
		if !ok || !e.IsDir || err != nil || !st.IsDir || st.Marker != e.Marker {
			t.Errorf("%q lists as %+v (found %v), Stat says %+v, %v: want a directory in both, same Marker", name, e, ok, st, err)
		}
		if name == "made" && !e.Marker {
			t.Errorf("a directory Put as one lists without a Marker")
		}
		if err := s.Delete(t.Context(), name+"/f", false); err != nil {
			t.Fatal(err)
		}
		_, still := find(list(t, s, ""), name)
		if still != e.Marker {
			t.Errorf("%q had Marker=%v but is listed=%v once emptied", name, e.Marker, still)
		}
	}
	put(t, s, "made/g", []byte("g"))
	s.Delete(t.Context(), "made", true) // a non-empty directory: an error or only its marker gone
	if _, err := s.Stat(t.Context(), "made/g"); err != nil {
		t.Errorf("Delete of a non-empty directory removed its contents: %v", err)
	}
	s.Delete(t.Context(), "made/g", false)
	if err := s.Delete(t.Context(), "made", true); err != nil {
		t.Errorf("Delete of an empty directory: %v", err)
	}
	if _, err := s.Stat(t.Context(), "made"); !errors.Is(err, store.ErrNotExist) {
		t.Errorf("Stat of a deleted directory: %v, want ErrNotExist", err)
	}
}

// testRangedReads: ReadAt returns exactly the asked range at any offset and fails past the end.
func testRangedReads(t *testing.T, h Harness) {
	s := h.New(t)
	data := content(2*ChunkSize+3, 9)
	put(t, s, "r", data)
	e, ok := find(list(t, s, ""), "r")
	if !ok {
		t.Fatal("r is not listed")
	}
	src, err := s.Open(t.Context(), e)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	n := int64(len(data))
	for _, r := range [][2]int64{{0, 1}, {1, 7}, {ChunkSize - 1, 2}, {n - 3, 3}, {n - 1, 1}, {5, n - 5}, {n, 0}} {
		got := make([]byte, r[1])
		if err := src.ReadAt(t.Context(), got, r[0]); err != nil || !bytes.Equal(got, data[r[0]:r[0]+r[1]]) {
			t.Errorf("ReadAt(off %d, len %d): wrong bytes or %v", r[0], r[1], err)
		}
	}
	if err := src.ReadAt(t.Context(), make([]byte, 4), n-2); err == nil {
		t.Errorf("ReadAt past the end succeeded")
	}
}

// hostile are names that URL escaping, XML, file systems or services are known to get wrong.
var hostile = []string{
	"sp ace", " lead", "trail ", "per%25cent", "pct%", "hash#x", "q?mark", "plus+sign", "amp&er", "semi;colon",
	"eq=al", "tilde~", "-dash", "trailing.", "..dots", "ünïcödé", "日本語.txt", "emoji😀", "nfd-e\u0301",
	"back\\slash", "colon:x", "star*", "quote\"", "lt<gt>", "pipe|", "apos'", "ctl\x01", "new\nline",
	"tab\tx", "bad\xffutf8", "del\x7f", strings.Repeat("l", 255), "nul\x00x",
}

// testHostileNames: every name the store accepts (CheckName, when it has one) comes back from List
// and Stat exactly as written, with its content; no name comes back mangled.
func testHostileNames(t *testing.T, h Harness) {
	s := h.New(t)
	checker, _ := s.(store.NameChecker)
	if checker != nil {
		if err := checker.CheckName("plain/name.txt"); err != nil {
			t.Errorf("CheckName refuses a plain name: %v", err)
		}
	}
	var accepted []string
	for _, seg := range hostile {
		for _, name := range []string{seg, "d/" + seg} {
			if store.ValidName(name) != nil {
				continue
			}
			if checker != nil && checker.CheckName(name) != nil {
				continue
			}
			e := fileEntry(name, []byte(name), t0)
			if err := s.Put(t.Context(), e, Bytes(name)); err != nil {
				t.Errorf("Put %q (accepted by CheckName): %v", name, err)
				continue
			}
			accepted = append(accepted, name)
		}
	}
	listed := map[string]store.Entry{}
	for _, dir := range []string{"", "d"} {
		for _, e := range list(t, s, dir) {
			if !e.IsDir {
				listed[e.Name] = e
			}
		}
	}
	for _, name := range accepted {
		e, ok := listed[name]
		if !ok {
			t.Errorf("%q was put but is not listed", name)
			continue
		}
		delete(listed, name)
		if _, err := s.Stat(t.Context(), name); err != nil {
			t.Errorf("Stat %q: %v", name, err)
		}
		checkContent(t, s, e, []byte(name))
	}
	for name := range listed {
		t.Errorf("listed %q, which was never put (a name came back changed)", name)
	}
}

// failing fails every read from off on, as a source that breaks mid-transfer does.
type failing struct {
	Bytes
	from int64
}

var errBroken = errors.New("source broke")

func (f failing) ReadAt(ctx context.Context, p []byte, off int64) error {
	if off+int64(len(p)) > f.from {
		return errBroken
	}
	return f.Bytes.ReadAt(ctx, p, off)
}

// testAtomicPut: where the store claims it (AtomicWriter), a Put whose source fails leaves nothing
// under the name, and a replaced entry keeps its old content; no temporary name shows in listings.
func testAtomicPut(t *testing.T, h Harness) {
	s := h.New(t)
	if a, ok := s.(store.AtomicWriter); !ok || !a.AtomicPut() {
		t.Skip("the store does not claim atomic Put")
	}
	old := put(t, s, "old", []byte("old content"))
	data := content(3*ChunkSize, 3)
	for _, name := range []string{"new", "old"} {
		e := fileEntry(name, data, t0.Add(time.Hour))
		if err := s.Put(t.Context(), e, failing{data, ChunkSize + 1}); err == nil {
			t.Fatalf("Put %q from a broken source succeeded", name)
		}
	}
	if _, err := s.Stat(t.Context(), "new"); !errors.Is(err, store.ErrNotExist) {
		t.Errorf("a failed Put left %q visible: Stat says %v", "new", err)
	}
	if got := keys(list(t, s, "")); !slices.Equal(got, []string{"old"}) {
		t.Errorf("after failed Puts the store lists %q, want only %q", got, "old")
	}
	checkContent(t, s, old, []byte("old content"))
}

// testServerCopy: a store that can copy from a URL and serve one copies its own entry, with its
// time, size and content.
func testServerCopy(t *testing.T, h Harness) {
	s := h.New(t)
	copier, ok1 := s.(store.ServerCopier)
	from, ok2 := s.(store.URLSource)
	if !ok1 || !ok2 {
		t.Skip("the store is not both a ServerCopier and a URLSource")
	}
	for _, n := range []int{0, 10, 3*ChunkSize + 5} {
		data := content(n, 5)
		name := fmt.Sprintf("orig%d", n)
		put(t, s, name, data)
		e, ok := find(list(t, s, ""), name)
		if !ok {
			t.Fatalf("%s is not listed", name)
		}
		dst := e
		dst.Name = "copy/" + name
		if err := copier.CopyFromURL(t.Context(), dst, from.SourceURL(name)); err != nil {
			t.Fatalf("CopyFromURL %s: %v", name, err)
		}
		c, ok := find(list(t, s, "copy"), dst.Name)
		if !ok || c.Size != e.Size || !c.ModTime.Equal(e.ModTime) {
			t.Errorf("the copy of %s lists as %+v (found %v), want size %d time %v", name, c, ok, e.Size, e.ModTime)
		}
		checkContent(t, s, c, data)
	}
}

// testSourceIdentity: sources that name what they read (store.Identified) give an entry the same
// identity each time it is opened and two entries different ones, so that resumed work is never
// taken for another entry's.
func testSourceIdentity(t *testing.T, h Harness) {
	s := h.New(t)
	identity := func(e store.Entry) string {
		src, err := s.Open(t.Context(), e)
		if err != nil {
			t.Fatalf("Open %s: %v", e.Name, err)
		}
		defer src.Close()
		id, ok := src.(store.Identified)
		if !ok {
			t.Skip("the store's sources do not name what they read")
		}
		return id.Identity()
	}
	a, b := put(t, s, "a", []byte("same")), put(t, s, "d/a", []byte("same"))
	first, again, other := identity(a), identity(a), identity(b)
	if first == "" || first != again || first == other {
		t.Errorf("identities: a %q, a again %q, d/a %q: want one non-empty identity per entry", first, again, other)
	}
}

// testFolderProperties: a store whose directories carry properties describes its root and a
// directory, never finds a directory different from itself (before or after giving it its own
// properties), and says a missing one is missing.
func testFolderProperties(t *testing.T, h Harness) {
	s := h.New(t)
	fp, ok := s.(store.FolderProperties)
	if !ok {
		t.Skip("the store's directories carry no properties")
	}
	ctx := t.Context()
	if err := s.Put(ctx, store.Entry{Name: "d", IsDir: true, Marker: true, ModTime: t0}, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "d"} {
		e, err := fp.Folder(ctx, name)
		if err != nil || !e.IsDir || e.Name != name {
			t.Fatalf("Folder(%q) = %+v, %v; want the directory", name, e, err)
		}
		if differ, err := fp.FolderDiffers(ctx, e, e); err != nil || differ {
			t.Errorf("Folder(%q) differs from itself (%v)", name, err)
		}
		if err := fp.SetFolder(ctx, e); err != nil {
			t.Fatalf("SetFolder(%q): %v", name, err)
		}
		after, err := fp.Folder(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if differ, err := fp.FolderDiffers(ctx, e, after); err != nil || differ {
			t.Errorf("Folder(%q) given its own properties differs from them (%v)", name, err)
		}
	}
	if _, err := fp.Folder(ctx, "missing"); !store.IsNotExist(err) {
		t.Errorf("Folder(missing): %v, want ErrNotExist", err)
	}
}
