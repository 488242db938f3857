package memlimit

import (
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
)

func TestLimitFloorThenProportional(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, steady, overhead uint64
		want                   int64
	}{
		{0, 0, 5 * mib, 5*mib + FloorHeap},              // before the first collection
		{6 * mib, 6 * mib, 5 * mib, 5*mib + FloorHeap},  // a no-change sync: the floor
		{13 * mib, 7 * mib, 5 * mib, 5*mib + FloorHeap}, // its spike: capped at the floor
		{12 * mib, 12 * mib, 5 * mib, 5*mib + 24*mib},   // small uploads in flight all along: as GOGC=100
		{100 * mib, 20 * mib, 5 * mib, 5*mib + 150*mib}, // a large upload's block buffers arriving: 1.5 × live
		{math.MaxUint64 / 2, 0, 0, math.MaxInt64},       // no overflow
		{0, math.MaxUint64 / 2, 0, math.MaxInt64},       // nor here
		{6 * mib, 6 * mib, math.MaxUint64, math.MaxInt64},
	} {
		if got := Limit(c.live, c.steady, c.overhead); got != c.want {
			t.Errorf("Limit(%d, %d, %d) = %d, want %d", c.live, c.steady, c.overhead, got, c.want)
		}
	}
}

// The limit follows what the process holds: after a collection that finds 64 MiB live, it allows
// more than that, so the collector does not run without pause.
func TestStartFollowsLiveHeap(t *testing.T) {
	if _, ok := os.LookupEnv("GOMEMLIMIT"); ok {
		t.Skip("GOMEMLIMIT is set: Start leaves the runtime alone")
	}
	if _, ok := os.LookupEnv("GOGC"); ok {
		t.Skip("GOGC is set: Start leaves the runtime alone")
	}
	// No restoring the limit afterwards: the cleanup chain governs it for the rest of this process.
	Start()
	if got := debug.SetMemoryLimit(-1); got < FloorHeap || got > FloorHeap+64<<20 {
		t.Fatalf("limit after Start = %d, want the floor %d plus the runtime's overhead", got, FloorHeap)
	}
	held := make([][]byte, 64)
	for i := range held {
		held[i] = make([]byte, 1<<20)
	}
	// The cleanup that re-sets the limit runs after a collection, in a goroutine of its own: wait
	// for it by collecting until it has run, not by time.
	for range 100 {
		runtime.GC()
		runtime.Gosched()
		if debug.SetMemoryLimit(-1) >= 64<<20+32<<20 {
			break
		}
	}
	if got := debug.SetMemoryLimit(-1); got < 64<<20+32<<20 {
		t.Fatalf("limit with 64 MiB live = %d MiB, want at least 1.5 × 64", got>>20)
	}
	runtime.KeepAlive(held)
}

// With GOMEMLIMIT or GOGC in the environment the runtime is left as the user set it: checked in a
// process of its own (this test binary again), since Start acts once per process.
func TestUserChoiceWins(t *testing.T) {
	if want := os.Getenv("MEMLIMIT_TEST_WANT"); want != "" {
		Start()
		if got := strconv.FormatInt(debug.SetMemoryLimit(-1), 10); got != want {
			t.Fatalf("limit = %s, want %s", got, want)
		}
		return
	}
	for v, want := range map[string]int64{"GOGC=100": math.MaxInt64, "GOMEMLIMIT=1GiB": 1 << 30} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestUserChoiceWins$", "-test.count=1")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GOGC=") && !strings.HasPrefix(kv, "GOMEMLIMIT=") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, v, "MEMLIMIT_TEST_WANT="+strconv.FormatInt(want, 10))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("with %s: %v\n%s", v, err, out)
		}
	}
}
