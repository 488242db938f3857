package endpoint

import (
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// CPK is what --cpk-by-name and --cpk-by-value ask of every Blob read and write: an encryption scope
// the service encrypts new content with, or a customer-provided key (base64) and its SHA-256 that
// the service encrypts and decrypts with and never stores.
type CPK struct {
	Scope          string
	Key, KeySHA256 string
}

func (c CPK) set() bool { return c.Scope != "" || c.Key != "" }

// Do adds the headers to each request on a blob (not to listings or container requests, which
// take none, nor to deletions, which need none). The key is a secret: the SDK's log policy
// redacts headers it does not know to be safe, these among them.
func (c CPK) Do(req *policy.Request) (*http.Response, error) {
	r := req.Raw()
	q := r.URL.Query()
	if r.Method != http.MethodDelete && q.Get("restype") == "" && q.Get("comp") != "list" {
		h := r.Header
		if c.Scope != "" && isWrite(r) {
			h.Set("x-ms-encryption-scope", c.Scope)
		}
		if c.Key != "" {
			h.Set("x-ms-encryption-key", c.Key)
			h.Set("x-ms-encryption-key-sha256", c.KeySHA256)
			h.Set("x-ms-encryption-algorithm", "AES256")
		}
	}
	return req.Next()
}

// isWrite says whether a blob request creates content: the scope applies to what is written; a
// read of content encrypted with a scope needs nothing more.
func isWrite(r *http.Request) bool {
	return r.Method == http.MethodPut && !strings.Contains(r.URL.RawQuery, "comp=tier")
}
