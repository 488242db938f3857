// Package memlimit gives azsync a soft memory limit that follows what it holds, so that its peak
// memory does not creep up with the length of a run.
//
// Why: a no-change sync's live heap is small and flat (a listing page and its answer per folder in
// flight, ~6 MB on average, 10–13 MB at the worst moments of a million-entry run), but with the
// collector's default pacing (GOGC=100) the heap may grow to twice what the last collection found
// live, and the pages freed after such a peak are returned to the system only slowly. So the peak
// resident size is set by the rarest moment of a run, when many folders hold a whole page of each
// side at once, and a run ten times longer meets a rarer one: 44 → 56 MiB from 1,000,000 to
// 10,000,000 entries, with a live heap that did not grow.
//
// What: after every collection the limit is set to the memory the runtime needs besides the heap
// (stacks, its own metadata) plus the largest of a floor (FloorHeap), 1.5 × the live heap, and
// 2 × the steady live heap (a running average over the last collections). Below FloorHeap/2 of live
// heap the collector paces as usual and the limit never binds; in a spike it caps the heap at the
// floor instead of at twice the spike, and the runtime returns free pages above the limit at once.
// A live heap that stays high is paced as GOGC=100 would: 128 small uploads in flight hold 10–12 MB
// of connection and chunk buffers for the whole run, and capping that at the floor collected two and
// a half times as often for nothing. Above the floor, the limit grows with what azsync legitimately
// holds (the transfer engine's pooled block buffers of a large upload, the sorted names of a huge
// local folder): at worst the collector runs as often as with GOGC=50, never continuously. A limit
// that lags a sudden growth (before the next collection) costs one or two early collections, each
// of which raises it.
//
// Alternatives measured and not taken (BENCHMARKS.md): a fixed GOMEMLIMIT (flat, but a large upload
// or a huge folder would make the collector run without pause), GOGC=50 (a lower peak at every size,
// but ~10 % more CPU per entry throughout, where this costs only during spikes).
//
// The user's choice wins: with GOMEMLIMIT or GOGC in the environment, azsync leaves the runtime as
// they set it.
package memlimit

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// FloorHeap is the heap the limit allows whatever the live heap: above twice the typical live
// heap of a no-change sync, below the heap its spikes reach under the default pacing.
const FloorHeap = 20 << 20

var once sync.Once

// Start sets the limit and keeps it following the live heap, unless GOMEMLIMIT or GOGC is set.
// It is safe to call more than once; only the first call does anything.
func Start() {
	once.Do(func() {
		if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
			return
		}
		if _, ok := os.LookupEnv("GOGC"); ok {
			return
		}
		g := &governor{samples: []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/unused:bytes"},
			{Name: "/memory/classes/heap/free:bytes"},
		}}
		g.adjust()
		g.arm()
	})
}

// governor re-sets the limit after every collection. Only the cleanup chain calls adjust, one call
// at a time, so steady needs no lock.
type governor struct {
	samples []metrics.Sample
	steady  uint64 // the live heap's running average: each collection weighs a quarter
}

// sentinel is allocated after a collection so that the next one finds it unreachable and runs its
// cleanup: a hook per collection. It holds a pointer so that it is an object of its own, not part of
// a tiny-allocator block that something else keeps alive.
type sentinel struct{ _ *byte }

func (g *governor) arm() {
	runtime.AddCleanup(&sentinel{}, func(g *governor) { g.adjust(); g.arm() }, g)
}

func (g *governor) adjust() {
	metrics.Read(g.samples)
	v := func(i int) uint64 { return g.samples[i].Value.Uint64() }
	// What the runtime has mapped and not released, less the heap's own spans: stacks, metadata.
	var overhead uint64
	if heap := v(2) + v(3) + v(4) + v(5); v(1) > heap {
		overhead = v(1) - heap
	}
	live := v(0)
	if g.steady == 0 {
		g.steady = live
	} else {
		g.steady = g.steady - g.steady/4 + live/4
	}
	debug.SetMemoryLimit(Limit(live, g.steady, overhead))
}

// Limit is the memory limit for a live heap, the steady live heap and the runtime's memory besides
// the heap.
func Limit(live, steady, overhead uint64) int64 {
	if live > math.MaxInt64/4 || steady > math.MaxInt64/4 || overhead > math.MaxInt64/2 {
		return math.MaxInt64
	}
	return int64(overhead + max(FloorHeap, live+live/2, 2*steady))
}
