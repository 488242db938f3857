package filesemu

import "net/http"

// checkLease verifies the lease ID a request presents for n. Files hold no
// leases yet, so presenting one is the service's "no lease" failure.
func checkLease(n *node, leaseID string) error {
	if leaseID == "" {
		return nil
	}
	return newError(http.StatusPreconditionFailed, "LeaseNotPresentWithFileOperation",
		"There is currently no lease on the file.")
}
