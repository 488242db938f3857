package testenv

import (
	"net/http"
	"sync/atomic"
)

// BlockGate is a proxy that counts the blocks staged through it (Put Block, Put Block From URL)
// and, while RefuseAfter is positive, refuses for good (403) every block past that many: an upload
// interrupted after a known number of blocks, and what the next one sends again.
type BlockGate struct {
	*FaultProxy
	Staged      atomic.Int32 // blocks let through
	RefuseAfter atomic.Int32 // 0: let every block through
}

// NewBlockGate proxies to target (scheme://host:port). Close it with Close.
func NewBlockGate(target string) (*BlockGate, error) {
	g := &BlockGate{}
	proxy, err := NewFaultProxy(target, func(_ int, r *http.Request) Fault {
		if r.Method != http.MethodPut || r.URL.Query().Get("comp") != "block" {
			return Pass
		}
		if limit := g.RefuseAfter.Load(); limit > 0 && g.Staged.Load() >= limit {
			return Forbidden
		}
		g.Staged.Add(1)
		return Pass
	})
	g.FaultProxy = proxy
	return g, err
}
