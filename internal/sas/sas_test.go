package sas

import (
	"slices"
	"testing"
)

// A key the log may show is never one whose value is secret, in any spelling
// the service accepts.
func TestShownKeysHoldNoSecret(t *testing.T) {
	for _, k := range ShownKeys() {
		if IsSecretKey(k) {
			t.Errorf("shown key %q is a secret key", k)
		}
	}
	for _, secret := range []string{"sig", "SIG", "Sig", "s%69g"} {
		if !IsSecretKey(secret) {
			t.Errorf("IsSecretKey(%q) = false", secret)
		}
	}
	if slices.Contains(ShownKeys(), "sig") {
		t.Error("sig is on the shown list")
	}
}
