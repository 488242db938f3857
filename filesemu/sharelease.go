package filesemu

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// shareLease is a share's lease: infinite, or 15 to 60 seconds and renewable. A break ends it at
// once or after a break period, during which it is "breaking". Share leases are not persisted.
type shareLease struct {
	id       string
	duration time.Duration // 0: infinite
	expires  time.Time     // a finite lease's end
	brokenAt time.Time     // once a break is asked: when the lease is broken
}

// leaseState is the x-ms-lease-state of a share with lease l at time t.
func (l *shareLease) state(t time.Time) string {
	switch {
	case l == nil:
		return "available"
	case !l.brokenAt.IsZero() && !t.Before(l.brokenAt):
		return "broken"
	case !l.brokenAt.IsZero():
		return "breaking"
	case l.duration > 0 && !t.Before(l.expires):
		return "expired"
	}
	return "leased"
}

// held reports whether l still locks its share at t.
func (l *shareLease) held(t time.Time) bool {
	s := l.state(t)
	return s == "leased" || s == "breaking"
}

// writeShareLeaseHeaders answers a share's lease state, as Get Share Properties does.
func writeShareLeaseHeaders(h http.Header, l *shareLease, t time.Time) {
	state, status := l.state(t), "unlocked"
	if l.held(t) {
		status = "locked"
		duration := "infinite"
		if l.duration > 0 {
			duration = "fixed"
		}
		setMS(h, "x-ms-lease-duration", duration)
	}
	setMS(h, "x-ms-lease-state", state)
	setMS(h, "x-ms-lease-status", status)
}

// checkShareLease verifies the x-ms-lease-id a share operation presents: required names an
// operation that needs it while the share is leased (Delete Share); for the others an ID, when
// given, must be the one the share holds.
func checkShareLease(sh *share, leaseID string, required bool, t time.Time) error {
	held := sh.lease.held(t)
	switch {
	case !held && leaseID == "":
		return nil
	case !held:
		return newError(http.StatusPreconditionFailed, "LeaseNotPresentWithContainerOperation",
			"There is currently no lease on the share.")
	case leaseID == "" && !required:
		return nil
	case leaseID == "":
		return newError(http.StatusPreconditionFailed, "LeaseIdMissing",
			"There is currently a lease on the share and no lease ID was specified in the request.")
	case !strings.EqualFold(leaseID, sh.lease.id):
		return newError(http.StatusPreconditionFailed, "LeaseIdMismatchWithContainerOperation",
			"The lease ID specified did not match the lease ID for the share.")
	}
	return nil
}

// leaseShare is Lease Share: acquire, renew, change, release and break.
func (s *Server) leaseShare(c *call) error {
	h := c.r.Header
	action, id, proposed, err := leaseRequest(h, "renew", "release", "change")
	if err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	t := time.Now()
	var status int
	switch action {
	case "acquire":
		status, err = sh.acquireLease(t, proposed, h.Get("x-ms-lease-duration"))
	case "renew", "release", "change":
		status, err = sh.ownLease(t, action, id, proposed)
	case "break":
		status, err = sh.breakLease(t, h.Get("x-ms-lease-break-period"))
	default:
		err = errInvalidHeader("x-ms-lease-action")
	}
	if err != nil {
		return err
	}
	out := c.w.Header()
	writeETag(out, sh.etag)
	switch {
	case action == "break":
		setMS(out, "x-ms-lease-time", strconv.Itoa(int(max(sh.lease.brokenAt.Sub(t), 0).Round(time.Second)/time.Second)))
	case action != "release":
		setMS(out, "x-ms-lease-id", sh.lease.id)
	}
	c.w.WriteHeader(status)
	return nil
}

// acquireLease takes the share's lease (or renews it, when proposed is the lease held).
func (sh *share) acquireLease(t time.Time, proposed, durationHeader string) (int, error) {
	secs, err := strconv.Atoi(durationHeader)
	if err != nil || (secs != -1 && (secs < 15 || secs > 60)) {
		return 0, errInvalidHeader("x-ms-lease-duration")
	}
	l := sh.lease
	switch state := l.state(t); {
	case state == "breaking":
		return 0, newError(http.StatusConflict, "LeaseIsBreakingAndCannotBeAcquired",
			"There is already a lease present, and it is being broken.")
	case state == "leased" && !strings.EqualFold(l.id, proposed):
		return 0, newError(http.StatusConflict, "LeaseAlreadyPresent", "There is already a lease present.")
	}
	if proposed == "" {
		proposed = newRequestID()
	}
	nl := &shareLease{id: proposed}
	if secs > 0 {
		nl.duration = time.Duration(secs) * time.Second
		nl.expires = t.Add(nl.duration)
	}
	sh.lease = nl
	return http.StatusCreated, nil
}

// ownLease renews, releases or changes the lease id names.
func (sh *share) ownLease(t time.Time, action, id, proposed string) (int, error) {
	l := sh.lease
	if l == nil {
		return 0, errShareLeaseNotPresent()
	}
	matches := strings.EqualFold(l.id, id) || (action == "change" && strings.EqualFold(l.id, proposed))
	if !matches {
		return 0, newError(http.StatusConflict, "LeaseIdMismatchWithLeaseOperation",
			"The lease ID specified did not match the lease ID for the share.")
	}
	state := l.state(t)
	switch action {
	case "release":
		sh.lease = nil
	case "renew":
		if state == "breaking" || state == "broken" {
			return 0, newError(http.StatusConflict, "LeaseIsBrokenAndCannotBeRenewed",
				"The lease ID matched, but the lease has been broken explicitly and cannot be renewed.")
		}
		l.expires = t.Add(l.duration)
	case "change":
		switch state {
		case "breaking":
			return 0, newError(http.StatusConflict, "LeaseIsBreakingAndCannotBeChanged",
				"The lease ID matched, but the lease is currently in breaking state and cannot be changed.")
		case "broken", "expired":
			return 0, errShareLeaseNotPresent()
		}
		l.id = proposed
	}
	return http.StatusOK, nil
}

// breakLease breaks the lease: at once for an infinite lease, else when the finite one would
// end, or after x-ms-lease-break-period seconds (0 to 60) when that is sooner.
func (sh *share) breakLease(t time.Time, periodHeader string) (int, error) {
	l := sh.lease
	state := l.state(t)
	if state == "available" {
		return 0, errShareLeaseNotPresent()
	}
	at := t
	if l.duration > 0 && l.expires.After(t) {
		at = l.expires
	}
	if periodHeader != "" {
		secs, err := strconv.Atoi(periodHeader)
		if err != nil || secs < 0 || secs > 60 {
			return 0, errInvalidHeader("x-ms-lease-break-period")
		}
		if p := t.Add(time.Duration(secs) * time.Second); p.Before(at) || l.duration == 0 {
			at = p
		}
	}
	switch {
	case state == "broken":
	case state == "breaking" && l.brokenAt.Before(at):
	default:
		l.brokenAt = at
	}
	return http.StatusAccepted, nil
}

func errShareLeaseNotPresent() *apiError {
	return newError(http.StatusConflict, "LeaseNotPresentWithLeaseOperation",
		"There is currently no lease on the share.")
}
