package filesemu

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"testing"
	"time"
)

// Helpers for tests in other projects: an emulator started in-process on a
// free loopback port, shares made without a client, and SAS tokens signed with
// the account key (the same signature a client SDK computes).

// NewTestServer starts an in-memory emulator (or one persisted at
// opts.Location) on a free 127.0.0.1 port for the duration of the test, like
// httptest.NewServer. It fails the test if the emulator cannot start and stops
// it when the test ends.
func NewTestServer(tb testing.TB, opts Options) *Running {
	tb.Helper()
	rn, err := Start(context.Background(), opts, "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("filesemu: %v", err)
	}
	tb.Cleanup(func() {
		if err := rn.Close(); err != nil {
			tb.Errorf("filesemu: close: %v", err)
		}
	})
	return rn
}

// Account is the storage account name the emulator serves.
func (s *Server) Account() string { return s.account }

// Key is the base64 account key requests are signed with.
func (s *Server) Key() string { return base64.StdEncoding.EncodeToString(s.key) }

// CreateShare creates an empty share with the service's defaults, as Create
// Share without options would.
func (s *Server) CreateShare(name string) error {
	if !validShareName(name) {
		return fmt.Errorf("filesemu: create share: %w", errInvalidName(name))
	}
	if err := s.store.addShare(newShare(name, metadata{})); err != nil {
		return fmt.Errorf("filesemu: create share %q: %w", name, err)
	}
	if s.saver != nil {
		s.saver.markDirty()
	}
	return nil
}

// AccountSAS returns an account SAS query string (no leading '?') valid until
// expiry for everything on the Files service: services, shares and objects;
// read, write, delete, list and create.
func (s *Server) AccountSAS(expiry time.Time) string {
	q := url.Values{"sv": {defaultAPIVersion}, "ss": {"f"}, "srt": {"sco"}, "sp": {"rwdlc"},
		"se": {expiry.UTC().Format(time.RFC3339)}, "spr": {"https,http"}}
	q.Set("sig", base64.StdEncoding.EncodeToString(s.sign(accountSASStringToSign(s.account, q))))
	return q.Encode()
}

// ShareSAS returns a service SAS query string (no leading '?') valid until
// expiry for everything in one share: read, create, write, delete and list.
func (s *Server) ShareSAS(share string, expiry time.Time) string {
	q := url.Values{"sv": {defaultAPIVersion}, "sr": {"s"}, "sp": {"rcwdl"},
		"se": {expiry.UTC().Format(time.RFC3339)}, "spr": {"https,http"}}
	q.Set("sig", base64.StdEncoding.EncodeToString(s.sign(serviceSASStringToSign(s.account, q, target{share: share}))))
	return q.Encode()
}

// ShareURL is the URL of a share on this emulator.
func (rn *Running) ShareURL(share string) string { return rn.URL + "/" + url.PathEscape(share) }

// ConnectionString is a storage connection string for this emulator, the form
// many SDKs and tools take.
func (rn *Running) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + rn.Account() + ";AccountKey=" + rn.Key() +
		";FileEndpoint=" + rn.URL + ";"
}
