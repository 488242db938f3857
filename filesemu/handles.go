package filesemu

import (
	"encoding/xml"
	"net/http"
)

// The emulator has no SMB clients, so no handle is ever open: List Handles answers an empty list
// and Force Close Handles closes none, as the service does for a share nobody mounted.

func (s *Server) listHandles(c *call) error {
	if err := s.handlesTarget(c); err != nil {
		return err
	}
	writeXML(c.w, http.StatusOK, struct {
		XMLName    xml.Name `xml:"EnumerationResults"`
		HandleList struct{} `xml:"HandleList"`
		NextMarker string   `xml:"NextMarker"`
	}{})
	return nil
}

func (s *Server) forceCloseHandles(c *call) error {
	if c.r.Header.Get("x-ms-handle-id") == "" {
		return errMissingHeader("x-ms-handle-id")
	}
	if err := s.handlesTarget(c); err != nil {
		return err
	}
	h := c.w.Header()
	setMS(h, "x-ms-number-of-handles-closed", "0")
	setMS(h, "x-ms-number-of-handles-failed", "0")
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// handlesTarget checks that the directory or file the handle operation names exists (the SDKs
// send no restype for a directory's handles).
func (s *Server) handlesTarget(c *call) error {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	_, _, err := s.store.resolve(c.t, (*share).lookup)
	return err
}
