package filesemu

import (
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	defaultQuotaGiB = 102400 // large file shares: 100 TiB
	defaultTier     = "TransactionOptimized"
)

var accessTiers = []string{"TransactionOptimized", "Hot", "Cool", "Premium"}

// shareSettings reads x-ms-share-quota and x-ms-access-tier into sh.
func shareSettings(h http.Header, sh *share) error {
	if v := h.Get("x-ms-share-quota"); v != "" {
		q, err := strconv.Atoi(v)
		if err != nil || q < 1 || q > defaultQuotaGiB {
			return errInvalidHeader("x-ms-share-quota")
		}
		sh.quota = q
	}
	if v := h.Get("x-ms-access-tier"); v != "" {
		i := indexFold(accessTiers, v)
		if i < 0 {
			return errInvalidHeader("x-ms-access-tier")
		}
		sh.accessTier = accessTiers[i]
	}
	return nil
}

func indexFold(list []string, v string) int {
	for i, s := range list {
		if strings.EqualFold(s, v) {
			return i
		}
	}
	return -1
}

func (s *Server) createShare(c *call) error {
	if !validShareName(c.t.share) {
		return errInvalidName(c.t.share)
	}
	if p := c.r.Header.Get("x-ms-enabled-protocols"); p != "" && !strings.EqualFold(p, "SMB") {
		return errNotImplemented("NFS shares")
	}
	meta, err := parseMetadata(c.r.Header)
	if err != nil {
		return err
	}
	sh := newShare(c.t.share, meta)
	if err := shareSettings(c.r.Header, sh); err != nil {
		return err
	}
	if err := s.store.addShare(sh); err != nil {
		return err
	}
	writeETag(c.w.Header(), sh.etag)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// newShare is an empty share with the service's defaults.
func newShare(name string, meta metadata) *share {
	sh := &share{name: name, quota: defaultQuotaGiB, accessTier: defaultTier, meta: meta,
		permissions: map[string]*storedPermission{}}
	t := now()
	sh.root = &node{children: newChildren(0),
		smb: smbProps{Attributes: attrDirectory, CreationTime: t, LastWriteTime: t, ChangeTime: t}}
	sh.root.smb.Permission = sh.addPermission(permission{Value: defaultSDDL, Format: "sddl"})
	return sh
}

// addShare adds sh unless its name is taken.
func (st *store) addShare(sh *share) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.shares[sh.name] != nil {
		return newError(http.StatusConflict, "ShareAlreadyExists", "The specified share already exists.")
	}
	sh.etag = st.nextETag()
	sh.root.etag = st.nextETag()
	st.shares[sh.name] = sh
	return nil
}

func (s *Server) getShare(c *call) error {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	h := c.w.Header()
	writeETag(h, sh.etag)
	writeMetadata(h, sh.meta)
	setMS(h, "x-ms-share-quota", strconv.Itoa(sh.quota))
	setMS(h, "x-ms-access-tier", sh.accessTier)
	setMS(h, "x-ms-enabled-protocols", "SMB")
	writeShareLeaseHeaders(h, sh.lease, time.Now())
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// updateShare applies change to the share under the write lock and answers 200
// with the new ETag.
func (s *Server) updateShare(c *call, change func(*share) error) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	if err := checkShareLease(sh, c.r.Header.Get("x-ms-lease-id"), false, time.Now()); err != nil {
		return err
	}
	if err := change(sh); err != nil {
		return err
	}
	sh.etag = s.store.nextETag()
	writeETag(c.w.Header(), sh.etag)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) setShareMetadata(c *call) error {
	meta, err := parseMetadata(c.r.Header)
	if err != nil {
		return err
	}
	return s.updateShare(c, func(sh *share) error {
		sh.meta = meta
		return nil
	})
}

func (s *Server) setShareProperties(c *call) error {
	return s.updateShare(c, func(sh *share) error {
		// Validate on a copy so that a bad header changes nothing.
		probe := *sh
		if err := shareSettings(c.r.Header, &probe); err != nil {
			return err
		}
		sh.quota, sh.accessTier = probe.quota, probe.accessTier
		return nil
	})
}

func (s *Server) shareStats(c *call) error {
	s.store.mu.RLock()
	sh, err := s.store.share(c.t)
	var used int64
	if err == nil {
		used = usage(sh.root)
	}
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	writeXML(c.w, http.StatusOK, struct {
		XMLName xml.Name `xml:"ShareStats"`
		Bytes   int64    `xml:"ShareUsageBytes"`
	}{Bytes: used})
	return nil
}
