package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

func TestChunkedCopiesAndHashesInOrder(t *testing.T) {
	for _, size := range []int64{0, 1, 1000, 4096, 4097, 100_000} {
		src := make([]byte, size)
		for i := range src {
			src[i] = byte(rand.IntN(256))
		}
		dst := make([]byte, size)
		var mu sync.Mutex
		chunks := 0
		e := NewEngine(4, 0, 0)
		sum, err := e.Chunked(context.Background(), size, 4096, true,
			func(_ context.Context, off int64, buf []byte) error { copy(buf, src[off:]); return nil },
			func(_ context.Context, c *Chunk) error {
				mu.Lock()
				defer mu.Unlock()
				chunks++
				copy(dst[c.Offset:], c.Data)
				return nil
			})
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		want := md5.Sum(src)
		if !bytes.Equal(sum, want[:]) || !bytes.Equal(src, dst) {
			t.Errorf("size %d: content or MD5 differs", size)
		}
		if wantChunks := max(int((size+4095)/4096), 1); chunks != wantChunks {
			t.Errorf("size %d: %d chunks, want %d", size, chunks, wantChunks)
		}
		if e.Moved() != size {
			t.Errorf("size %d: moved %d", size, e.Moved())
		}
	}
}

func TestChunkedStopsOnFirstError(t *testing.T) {
	boom := errors.New("boom")
	e := NewEngine(2, 0, 0)
	_, err := e.Chunked(context.Background(), 1<<20, 1024, true,
		func(_ context.Context, off int64, _ []byte) error {
			if off == 5*1024 {
				return boom
			}
			return nil
		},
		func(context.Context, *Chunk) error { return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want boom", err)
	}
}

func TestChunkedHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := NewEngine(1, 0, 0)
	_, err := e.Chunked(ctx, 1<<20, 1024, false,
		func(context.Context, int64, []byte) error { return nil },
		func(context.Context, *Chunk) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestChunkedStaysWithinTheMemoryBudget(t *testing.T) {
	const budget = 3 * 1024
	e := NewEngine(16, budget, 0)
	var mu sync.Mutex
	inFlight, peak := 0, 0
	_, err := e.Chunked(context.Background(), 100*1024, 1024, true,
		func(context.Context, int64, []byte) error {
			mu.Lock()
			defer mu.Unlock()
			inFlight += 1024
			peak = max(peak, inFlight)
			return nil
		},
		func(context.Context, *Chunk) error {
			mu.Lock()
			defer mu.Unlock()
			inFlight -= 1024
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if peak > budget {
		t.Errorf("%d bytes in flight, budget %d", peak, budget)
	}
}

// TestChunkedExceptSkipsWhatIsDone: chunks already at the destination are not written or counted;
// without a hash they are not read either, with one they are read for the whole content's MD5.
func TestChunkedExceptSkipsWhatIsDone(t *testing.T) {
	src := make([]byte, 10*1024+7)
	for i := range src {
		src[i] = byte(rand.IntN(256))
	}
	done := func(idx int) bool { return idx%3 != 2 } // chunks 2, 5 and 8 are left to write
	for _, hash := range []bool{false, true} {
		var mu sync.Mutex
		var read, written []int
		e := NewEngine(4, 0, 0)
		sum, err := e.ChunkedExcept(context.Background(), int64(len(src)), 1024, hash, done,
			func(_ context.Context, off int64, buf []byte) error {
				mu.Lock()
				defer mu.Unlock()
				read = append(read, int(off/1024))
				copy(buf, src[off:])
				return nil
			},
			func(_ context.Context, c *Chunk) error {
				mu.Lock()
				defer mu.Unlock()
				written = append(written, c.Index)
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(written)
		if !slices.Equal(written, []int{2, 5, 8}) {
			t.Errorf("hash %v: wrote chunks %v, want [2 5 8]", hash, written)
		}
		if wantRead := map[bool]int{false: 3, true: 11}[hash]; len(read) != wantRead {
			t.Errorf("hash %v: read %d chunks, want %d", hash, len(read), wantRead)
		}
		if e.Moved() != 3*1024 {
			t.Errorf("hash %v: moved %d bytes, want %d", hash, e.Moved(), 3*1024)
		}
		if want := md5.Sum(src); hash && !bytes.Equal(sum, want[:]) {
			t.Errorf("the MD5 is not the whole content's")
		}
	}
	var works []int
	e := NewEngine(1, 0, 0)
	err := e.RemoteExcept(context.Background(), 5*1024, 1024, func(idx int) bool { return idx != 3 },
		func(_ context.Context, idx int, _, _ int64) error { works = append(works, idx); return nil })
	if err != nil || !slices.Equal(works, []int{3}) || e.Moved() != 1024 {
		t.Errorf("RemoteExcept ran chunks %v (err %v, moved %d), want [3]", works, err, e.Moved())
	}
}
