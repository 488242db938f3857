package filesemu

// content holds a file's bytes. Reads past what was written return zeros, like a
// sparse file; the logical size lives in the node. Content has no lock of its
// own: the store's lock guards it (held for writing while it changes, for
// reading while it is read), which keeps a small file's bookkeeping small.
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

// memChunkSize is the granularity of in-memory storage beyond a file's first
// chunk: a 1 GiB file written once costs 1 GiB, an empty 1 TiB file nothing.
const memChunkSize = 1 << 20

// memContent is a sparse in-memory file. The first chunk holds only what was
// written up to its highest offset, so a file of 1 KiB costs 1 KiB; further
// chunks are allocated whole on first write, so ranged writes of a large file
// never copy what is already stored.
type memContent struct {
	head []byte           // bytes [0, len(head)) of chunk 0
	rest map[int64][]byte // chunks 1 and up, memChunkSize each
}

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

// chunk returns chunk i with room for [0, to), allocating or growing it.
func (m *memContent) chunk(i, to int64) []byte {
	if i == 0 {
		if int64(len(m.head)) < to {
			if int64(cap(m.head)) >= to {
				// Bytes past a truncation may linger in the capacity.
				old := len(m.head)
				m.head = m.head[:to]
				clear(m.head[old:])
			} else {
				// Grow to what is written; doubling keeps many small
				// appending writes linear.
				grown := make([]byte, to, min(memChunkSize, max(to, 2*int64(len(m.head)))))
				copy(grown, m.head)
				m.head = grown
			}
		}
		return m.head
	}
	c := m.rest[i]
	if c == nil {
		if m.rest == nil {
			m.rest = map[int64][]byte{}
		}
		c = make([]byte, memChunkSize)
		m.rest[i] = c
	}
	return c
}

// stored returns what chunk i holds (possibly shorter than the chunk, or nil).
func (m *memContent) stored(i int64) []byte {
	if i == 0 {
		return m.head
	}
	return m.rest[i]
}

func (m *memContent) writeAt(p []byte, off int64) error {
	span(off, int64(len(p)), func(chunk, from, to, done int64) {
		copy(m.chunk(chunk, to)[from:to], p[done:])
	})
	return nil
}

func (m *memContent) readAt(p []byte, off int64) error {
	span(off, int64(len(p)), func(chunk, from, to, done int64) {
		dst := p[done : done+to-from]
		c := m.stored(chunk)
		n := 0
		if from < int64(len(c)) {
			n = copy(dst, c[from:min(to, int64(len(c)))])
		}
		clear(dst[n:])
	})
	return nil
}

func (m *memContent) zero(off, n int64) error {
	span(off, n, func(chunk, from, to, _ int64) {
		c := m.stored(chunk)
		switch {
		case chunk > 0 && from == 0 && to == memChunkSize:
			delete(m.rest, chunk)
		case from < int64(len(c)):
			clear(c[from:min(to, int64(len(c)))])
		}
	})
	return nil
}

func (m *memContent) truncate(size int64) error {
	if int64(len(m.head)) > size {
		m.head = m.head[:size]
	}
	for chunk, c := range m.rest {
		start := chunk * memChunkSize
		switch {
		case start >= size:
			delete(m.rest, chunk)
		case start+memChunkSize > size:
			clear(c[size-start:])
		}
	}
	return nil
}

func (m *memContent) remove() { *m = memContent{} }
