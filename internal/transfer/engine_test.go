package transfer

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"math/rand/v2"
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
