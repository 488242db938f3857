package filesemu

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"time"
)

// accessPolicy is one stored access policy of a share (Set Share ACL): an ID and, each optional,
// a start, an expiry and permissions, kept as given.
type accessPolicy struct {
	ID         string `xml:"Id" json:"id"`
	Start      string `xml:"AccessPolicy>Start,omitempty" json:"start,omitempty"`
	Expiry     string `xml:"AccessPolicy>Expiry,omitempty" json:"expiry,omitempty"`
	Permission string `xml:"AccessPolicy>Permission,omitempty" json:"permission,omitempty"`
}

type signedIdentifiers struct {
	XMLName xml.Name       `xml:"SignedIdentifiers"`
	Items   []accessPolicy `xml:"SignedIdentifier"`
}

// maxAccessPolicies is how many stored access policies a share may hold.
const maxAccessPolicies = 5

func (s *Server) getShareACL(c *call) error {
	s.store.mu.RLock()
	sh, err := s.store.share(c.t)
	if err == nil {
		err = checkShareLease(sh, c.r.Header.Get("x-ms-lease-id"), false, time.Now())
	}
	var body signedIdentifiers
	if err == nil {
		body.Items = sh.acl
		writeETag(c.w.Header(), sh.etag)
	}
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	writeXML(c.w, http.StatusOK, body)
	return nil
}

func (s *Server) setShareACL(c *call) error {
	acl, err := parseACL(c.r.Body)
	if err != nil {
		return err
	}
	return s.updateShare(c, func(sh *share) error {
		sh.acl = acl
		return nil
	})
}

// parseACL reads a Set Share ACL body: at most five policies, each with an ID of at most 64
// characters, RFC 3339 times and permissions among r, c, w, d, l. An empty body clears them.
func parseACL(r io.Reader) ([]accessPolicy, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(raw)) == "" {
		return nil, nil
	}
	var doc signedIdentifiers
	if err := xml.Unmarshal(raw, &doc); err != nil || len(doc.Items) > maxAccessPolicies {
		return nil, errInvalidXML()
	}
	for _, p := range doc.Items {
		if p.ID == "" || len(p.ID) > 64 || strings.Trim(p.Permission, "rcwdl") != "" || !validPolicyTime(p.Start) || !validPolicyTime(p.Expiry) {
			return nil, errInvalidXML()
		}
	}
	return doc.Items, nil
}

func validPolicyTime(v string) bool {
	if v == "" {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, v)
	return err == nil
}

func errInvalidXML() *apiError {
	return newError(http.StatusBadRequest, "InvalidXmlDocument", "XML specified is not syntactically valid.")
}
