package filesemu

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// TestContentMatchesReference applies random unaligned writes, clears and
// truncations to both content implementations and to a plain byte slice.
func TestContentMatchesReference(t *testing.T) {
	impls := map[string]content{
		"memory": &memContent{},
		"disk":   diskContent{path: filepath.Join(t.TempDir(), "f")},
	}
	for name, c := range impls {
		t.Run(name, func(t *testing.T) {
			src := rand.NewChaCha8([32]byte{1})
			rng := rand.New(src)
			size := int64(3*memChunkSize + 12345)
			ref := make([]byte, size)
			if err := c.truncate(size); err != nil {
				t.Fatal(err)
			}
			for step := range 60 {
				off := rng.Int64N(size)
				n := min(rng.Int64N(2*memChunkSize)+1, size-off)
				switch rng.IntN(10) {
				case 0:
					clear(ref[off : off+n])
					if err := c.zero(off, n); err != nil {
						t.Fatal(err)
					}
				case 1:
					newSize := rng.Int64N(4 * memChunkSize)
					if newSize < size {
						clear(ref[newSize:])
					}
					ref = append(ref[:min(size, newSize)], make([]byte, max(0, newSize-size))...)
					size = newSize
					if err := c.truncate(size); err != nil {
						t.Fatal(err)
					}
				default:
					p := make([]byte, n)
					_, _ = src.Read(p)
					copy(ref[off:], p)
					if err := c.writeAt(p, off); err != nil {
						t.Fatal(err)
					}
				}
				if size == 0 || step%6 != 5 { // a full comparison is costly under -race
					continue
				}
				got := make([]byte, size)
				if err := c.readAt(got, 0); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, ref) {
					t.Fatalf("content diverged from reference (size %d)", size)
				}
			}
			c.remove()
		})
	}
}

func TestRangeSet(t *testing.T) {
	var rs rangeSet
	const size = 10000
	rs.add(100, 200, size)   // page 0
	rs.add(1000, 1100, size) // pages 1-2
	rs.add(600, 700, size)   // page 1: merges with the pages around it
	if got := rs.within(byteRange{0, size - 1}); len(got) != 1 || got[0] != (byteRange{0, 1535}) {
		t.Fatalf("after adds: %v", got)
	}
	rs.remove(100, 1100, size) // only page 1 (512-1023) is fully covered
	if got := rs.within(byteRange{0, size - 1}); len(got) != 2 || got[0] != (byteRange{0, 511}) || got[1] != (byteRange{1024, 1535}) {
		t.Fatalf("after remove: %v", got)
	}
	rs.add(9990, 10000, size) // clipped to the file end
	rs.truncate(1200)
	if got := rs.within(byteRange{1100, size - 1}); len(got) != 1 || got[0] != (byteRange{1100, 1199}) {
		t.Fatalf("after truncate: %v", got)
	}
}
