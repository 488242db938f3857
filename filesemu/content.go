package filesemu

import "sync"

// content holds a file's bytes. Reads past what was written return zeros, like a
// sparse file; the logical size lives in the node. Implementations are safe for
// concurrent use so that downloads can stream without holding the store lock.
type content interface {
	writeAt(p []byte, off int64) error
	// readAt fills p from off; unwritten bytes read as zeros.
	readAt(p []byte, off int64) error
	// zero clears n bytes at off (Put Range with x-ms-write: clear).
	zero(off, n int64) error
	// truncate drops everything at and beyond size (resize).
	truncate(size int64) error
	// remove releases the storage; the content must not be used afterwards.
	remove()
}

// memChunkSize is the granularity of in-memory storage: a 1 GiB file that is
// written once costs 1 GiB, and an empty 1 TiB file costs nothing.
const memChunkSize = 1 << 20

// memContent is a sparse in-memory file: a map of fixed-size chunks allocated on
// first write, so ranged writes never copy what is already stored.
type memContent struct {
	mu     sync.RWMutex
	chunks map[int64][]byte
}

func newMemContent(uint64) content { return &memContent{chunks: map[int64][]byte{}} }

// span calls f for each chunk-aligned piece of [off, off+n).
func span(off, n int64, f func(chunk, from, to, done int64)) {
	for done := int64(0); done < n; {
		pos := off + done
		chunk, from := pos/memChunkSize, pos%memChunkSize
		to := min(memChunkSize, from+n-done)
		f(chunk, from, to, done)
		done += to - from
	}
}

func (m *memContent) writeAt(p []byte, off int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	span(off, int64(len(p)), func(chunk, from, to, done int64) {
		c := m.chunks[chunk]
		if c == nil {
			c = make([]byte, memChunkSize)
			m.chunks[chunk] = c
		}
		copy(c[from:to], p[done:])
	})
	return nil
}

func (m *memContent) readAt(p []byte, off int64) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	span(off, int64(len(p)), func(chunk, from, to, done int64) {
		dst := p[done : done+to-from]
		if c := m.chunks[chunk]; c != nil {
			copy(dst, c[from:to])
		} else {
			clear(dst)
		}
	})
	return nil
}

func (m *memContent) zero(off, n int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	span(off, n, func(chunk, from, to, _ int64) {
		c := m.chunks[chunk]
		switch {
		case c == nil:
		case from == 0 && to == memChunkSize:
			delete(m.chunks, chunk)
		default:
			clear(c[from:to])
		}
	})
	return nil
}

func (m *memContent) truncate(size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for chunk, c := range m.chunks {
		start := chunk * memChunkSize
		switch {
		case start >= size:
			delete(m.chunks, chunk)
		case start+memChunkSize > size:
			clear(c[size-start:])
		}
	}
	return nil
}

func (m *memContent) remove() {
	m.mu.Lock()
	m.chunks = map[int64][]byte{}
	m.mu.Unlock()
}
