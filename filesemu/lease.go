package filesemu

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// lease is a file's lease. File leases are infinite: they last until released
// or broken, and a broken one lets writes through until acquired again.
type lease struct {
	id     string
	broken bool
}

// leaseIDPattern is the GUID form lease IDs must have.
var leaseIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// activeLease is n's lease if it is held (not broken).
func (st *store) activeLease(n *node) *lease {
	if l := st.leases[n]; l != nil && !l.broken {
		return l
	}
	return nil
}

// checkLease verifies the x-ms-lease-id a request presents for file n, as the
// service does: a write to a leased file must name its lease, and a lease ID
// presented for a file must be the one it holds. Directories hold no leases.
func (st *store) checkLease(n *node, leaseID string, write bool) error {
	if n == nil || n.isDir() {
		return nil
	}
	l := st.activeLease(n)
	switch {
	case l == nil && leaseID == "":
		return nil
	case l == nil:
		return newError(http.StatusPreconditionFailed, "LeaseNotPresentWithFileOperation",
			"There is currently no lease on the file.")
	case leaseID == "" && !write:
		return nil
	case leaseID == "":
		return newError(http.StatusPreconditionFailed, "LeaseIdMissing",
			"There is currently a lease on the file and no lease ID was specified in the request.")
	case !strings.EqualFold(leaseID, l.id):
		return newError(http.StatusPreconditionFailed, "LeaseIdMismatchWithFileOperation",
			"The lease ID specified did not match the lease ID for the file.")
	}
	return nil
}

// writeLeaseHeaders answers a file's lease state, as Get File Properties does.
func (st *store) writeLeaseHeaders(h http.Header, n *node) {
	state, status := "available", "unlocked"
	if l := st.leases[n]; l != nil {
		state = "broken"
		if !l.broken {
			state, status = "leased", "locked"
			setMS(h, "x-ms-lease-duration", "infinite")
		}
	}
	setMS(h, "x-ms-lease-state", state)
	setMS(h, "x-ms-lease-status", status)
}

func errLeaseNotPresent() *apiError {
	return newError(http.StatusConflict, "LeaseNotPresentWithLeaseOperation",
		"There is currently no lease on the file.")
}

func errLeaseMismatch() *apiError {
	return newError(http.StatusConflict, "LeaseIdMismatchWithLeaseOperation",
		"The lease ID specified did not match the lease ID for the file.")
}

// leaseIDHeader reads a lease ID header, which must be a GUID when required or present.
func leaseIDHeader(h http.Header, name string, required bool) (string, error) {
	v := h.Get(name)
	switch {
	case v == "" && required:
		return "", errMissingHeader(name)
	case v != "" && !leaseIDPattern.MatchString(v):
		return "", errInvalidHeader(name)
	}
	return v, nil
}

// leaseRequest reads a lease operation's action and lease IDs; idActions are the actions that
// must name the lease held, and a change must propose the new ID.
func leaseRequest(h http.Header, idActions ...string) (action, id, proposed string, err error) {
	action = strings.ToLower(h.Get("x-ms-lease-action"))
	if id, err = leaseIDHeader(h, "x-ms-lease-id", slices.Contains(idActions, action)); err != nil {
		return "", "", "", err
	}
	proposed, err = leaseIDHeader(h, "x-ms-proposed-lease-id", action == "change")
	return action, id, proposed, err
}

// leaseFile is Lease File: acquire (infinite only), release, change and break.
// Renewing applies to share leases only.
func (s *Server) leaseFile(c *call) error {
	h := c.r.Header
	action, id, proposed, err := leaseRequest(h, "release", "change")
	if err != nil {
		return err
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	_, n, err := s.store.resolve(c.t, (*share).file)
	if err != nil {
		return err
	}
	status, err := s.store.applyLease(n, action, id, proposed, h.Get("x-ms-lease-duration"))
	if err != nil {
		return err
	}
	writeETag(c.w.Header(), n.etag)
	if l := s.store.leases[n]; l != nil && action != "break" {
		setMS(c.w.Header(), "x-ms-lease-id", l.id)
	}
	c.w.WriteHeader(status)
	return nil
}

// applyLease performs one lease action on n and returns the answer's status.
func (st *store) applyLease(n *node, action, id, proposed, duration string) (int, error) {
	l := st.leases[n]
	switch action {
	case "acquire":
		if duration != "-1" {
			return 0, errInvalidHeader("x-ms-lease-duration") // file leases are infinite
		}
		if proposed == "" {
			proposed = newRequestID()
		}
		if l != nil && !l.broken && !strings.EqualFold(l.id, proposed) {
			return 0, newError(http.StatusConflict, "LeaseAlreadyPresent", "There is already a lease present.")
		}
		st.leases[n] = &lease{id: proposed}
		return http.StatusCreated, nil
	case "release":
		if l == nil {
			return 0, errLeaseNotPresent()
		}
		if !strings.EqualFold(l.id, id) {
			return 0, errLeaseMismatch()
		}
		delete(st.leases, n)
		return http.StatusOK, nil
	case "change":
		if l == nil || l.broken {
			return 0, errLeaseNotPresent()
		}
		if !strings.EqualFold(l.id, id) && !strings.EqualFold(l.id, proposed) {
			return 0, errLeaseMismatch()
		}
		l.id = proposed
		return http.StatusOK, nil
	case "break":
		if l == nil {
			return 0, errLeaseNotPresent()
		}
		l.broken = true
		return http.StatusAccepted, nil
	}
	return 0, errInvalidHeader("x-ms-lease-action")
}
