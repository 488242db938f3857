package transfer

import (
	"context"
	"crypto/md5"
	"hash"
	"math/bits"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
	"golang.org/x/time/rate"
)

// Engine runs chunk transfers under one budget shared by every file of a run: at most `concurrency`
// chunks in flight, at most `memory` bytes of buffers among them (blocks grow with file size, so a
// count alone would not bound memory), an optional rate cap, and pooled buffers.
type Engine struct {
	slots   chan struct{}
	memory  *semaphore.Weighted
	budget  int64
	limiter *rate.Limiter
	moved   atomic.Int64
	pools   [64]sync.Pool
}

// DefaultMemory is the default budget of chunk buffers in flight: eight 8 MiB blocks. Measured in
// bench/, more blocks in flight made large transfers slower, not faster, and cost memory.
const DefaultMemory = 64 * MiB

// NewEngine makes an engine with the given number of chunk slots, bytes of buffers (0 means
// DefaultMemory) and a cap in megabits per second (0 means no cap).
func NewEngine(concurrency int, memory int64, capMbps float64) *Engine {
	if memory <= 0 {
		memory = DefaultMemory
	}
	e := &Engine{slots: make(chan struct{}, max(concurrency, 1)), memory: semaphore.NewWeighted(memory), budget: memory}
	if capMbps > 0 {
		bytesPerSec := capMbps * 1e6 / 8
		// A burst of a quarter second keeps the moment-by-moment rate close to the cap.
		e.limiter = rate.NewLimiter(rate.Limit(bytesPerSec), max(int(bytesPerSec/4), 64<<10))
	}
	return e
}

// Moved is the number of bytes that have gone through the engine so far (for throughput reports).
func (e *Engine) Moved() int64 { return e.moved.Load() }

// ReadFunc fills buf with the content at off.
type ReadFunc func(ctx context.Context, off int64, buf []byte) error

// Chunk is one piece of the content on its way to the destination.
type Chunk struct {
	Index  int
	Offset int64
	Data   []byte
	keep   bool
}

// Keep says that something the write started may still read Data after the write returned (an HTTP
// attempt abandoned mid-body), so the buffer must not be reused.
func (c *Chunk) Keep() { c.keep = true }

// WriteFunc stores a chunk.
type WriteFunc func(ctx context.Context, c *Chunk) error

// Chunked moves size bytes in chunks of chunkSize: each is read into a pooled buffer, then written.
// Chunks run in parallel. An empty content is one empty chunk, so write always runs at least once.
// With hash set it returns the MD5 of the whole content, hashed in order as chunks complete, so no
// second read of the data is needed.
func (e *Engine) Chunked(ctx context.Context, size, chunkSize int64, hash bool, read ReadFunc, write WriteFunc) ([]byte, error) {
	return e.ChunkedExcept(ctx, size, chunkSize, hash, nil, read, write)
}

// ChunkedExcept is Chunked for content part of which is already at the destination (the blocks an
// interrupted upload staged): chunks for which done(index) is true are not written, paced or
// counted as moved. They are read only when hash is set, for the whole content's MD5. A nil done
// is Chunked.
func (e *Engine) ChunkedExcept(ctx context.Context, size, chunkSize int64, hash bool, done func(idx int) bool, read ReadFunc, write WriteFunc) ([]byte, error) {
	var whole *orderedHash
	skip := done // without a hash to compute, chunks already done are not even read
	if hash {
		whole, skip = newOrderedHash(chunks(size, chunkSize)), nil
	}
	err := e.each(ctx, size, chunkSize, true, skip, func(ctx context.Context, idx int, off, length int64) error {
		there := done != nil && done(idx)
		// The cap is taken before the read, so that a download is paced on the wire, not after it.
		if !there {
			if err := e.limit(ctx, int(length)); err != nil {
				return err
			}
		}
		c := &Chunk{Index: idx, Offset: off, Data: e.buffer(length)}
		defer func() {
			if !c.keep {
				e.recycle(c.Data)
			}
		}()
		if err := read(ctx, off, c.Data); err != nil {
			return err
		}
		if !there {
			if err := write(ctx, c); err != nil {
				return err
			}
			e.moved.Add(length)
		}
		return whole.add(ctx, idx, c.Data)
	})
	if err != nil || !hash {
		return nil, err
	}
	return whole.h.Sum(nil), nil
}

// orderedHash is the MD5 of a content whose chunks complete in any order: each waits for its turn.
type orderedHash struct {
	h    hash.Hash
	turn []chan struct{} // turn[i] is closed once the chunks before i are hashed
}

func newOrderedHash(n int) *orderedHash {
	o := &orderedHash{h: md5.New(), turn: make([]chan struct{}, n+1)}
	for i := range o.turn {
		o.turn[i] = make(chan struct{})
	}
	close(o.turn[0])
	return o
}

// add hashes chunk idx once those before it are; a nil orderedHash hashes nothing.
func (o *orderedHash) add(ctx context.Context, idx int, data []byte) error {
	if o == nil {
		return nil
	}
	select {
	case <-o.turn[idx]:
	case <-ctx.Done():
		return ctx.Err()
	}
	o.h.Write(data)
	close(o.turn[idx+1])
	return nil
}

// Remote runs work for each chunk of size bytes where the service moves the bytes itself (a block
// copied from a URL): chunks share the engine's slots but hold no buffer.
func (e *Engine) Remote(ctx context.Context, size, chunkSize int64, work func(ctx context.Context, idx int, off, length int64) error) error {
	return e.RemoteExcept(ctx, size, chunkSize, nil, work)
}

// RemoteExcept is Remote without the chunks for which done(index) is true (already at the
// destination); a nil done is Remote.
func (e *Engine) RemoteExcept(ctx context.Context, size, chunkSize int64, done func(idx int) bool, work func(ctx context.Context, idx int, off, length int64) error) error {
	return e.each(ctx, size, chunkSize, false, done, func(ctx context.Context, idx int, off, length int64) error {
		// The cap paces the requests: the bytes they ask the service to move count against it.
		if err := e.limit(ctx, int(length)); err != nil {
			return err
		}
		if err := work(ctx, idx, off, length); err != nil {
			return err
		}
		e.moved.Add(length)
		return nil
	})
}

func chunks(size, chunkSize int64) int { return max(int((size+chunkSize-1)/chunkSize), 1) }

// each runs work for every chunk in parallel, but those for which skip (when set) is true. Chunks
// take their slot (and, with buffered set, their share of the memory budget) in order, so the
// earliest unfinished chunk always holds its share: waiting on an earlier chunk, as ordered hashing
// does, can never starve it.
func (e *Engine) each(ctx context.Context, size, chunkSize int64, buffered bool, skip func(int) bool, work func(ctx context.Context, idx int, off, length int64) error) error {
	need := func(length int64) int64 {
		if !buffered {
			return 0
		}
		return min(max(length, 1), e.budget) // a chunk larger than the whole budget still runs, alone
	}
	if skip == nil {
		skip = func(int) bool { return false }
	}
	if chunks(size, chunkSize) == 1 {
		if skip(0) {
			return nil
		}
		// Most files are one chunk: run it here, without a goroutine and group of its own.
		n := need(size)
		if err := e.acquire(ctx, n); err != nil {
			return err
		}
		defer e.release(n)
		return work(ctx, 0, 0, size)
	}
	g, gctx := errgroup.WithContext(ctx)
	for idx := range chunks(size, chunkSize) {
		if gctx.Err() != nil {
			return wait(g, gctx)
		}
		if skip(idx) {
			continue
		}
		off := int64(idx) * chunkSize
		length := min(chunkSize, size-off)
		n := need(length)
		if err := e.acquire(gctx, n); err != nil {
			return wait(g, gctx)
		}
		g.Go(func() error {
			defer e.release(n)
			return work(gctx, idx, off, length)
		})
	}
	return g.Wait()
}

// acquire takes a slot, then need bytes of the memory budget.
func (e *Engine) acquire(ctx context.Context, need int64) error {
	select {
	case e.slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := e.memory.Acquire(ctx, need); err != nil {
		<-e.slots
		return err
	}
	return nil
}

func (e *Engine) release(need int64) {
	<-e.slots
	e.memory.Release(need)
}

// wait returns the first error of the group, or the context's when the group had none.
func wait(g *errgroup.Group, ctx context.Context) error {
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

func (e *Engine) limit(ctx context.Context, n int) error {
	if e.limiter == nil {
		return nil
	}
	for n > 0 {
		step := min(n, e.limiter.Burst())
		if err := e.limiter.WaitN(ctx, step); err != nil {
			return err
		}
		n -= step
	}
	return nil
}

// buffer returns a slice of length n from a pool of power-of-two size classes, so small files do not
// pin block-sized buffers.
func (e *Engine) buffer(n int64) []byte {
	class := bits.Len64(uint64(max(n-1, 0)))
	if p, ok := e.pools[class].Get().(*[]byte); ok {
		return (*p)[:n]
	}
	return make([]byte, n, 1<<class)
}

func (e *Engine) recycle(buf []byte) {
	if cap(buf) == 0 {
		return
	}
	class := bits.Len64(uint64(cap(buf) - 1))
	if 1<<class != cap(buf) {
		return
	}
	buf = buf[:0]
	e.pools[class].Put(&buf)
}
