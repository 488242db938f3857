package filesemu

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// permission is a security descriptor stored in a share, as SDDL or as base64
// of the binary form. The emulator keeps it in the format it was given and
// does not convert between the two.
type permission struct {
	Value  string
	Format string // "sddl" or "binary"
}

// defaultSDDL is the descriptor of every share's root directory, which files
// and directories created without a permission inherit.
const defaultSDDL = "O:SYG:SYD:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1301bf;;;AU)(A;OICI;0x1200a9;;;BU)"

// maxPermissionHeader is the largest x-ms-file-permission the service accepts;
// longer descriptors must go through Create Permission and a key.
const maxPermissionHeader = 8 << 10

// permissionKey derives a stable key from the descriptor, in the service's
// "digits*digits" shape, so the same descriptor always gets the same key.
func permissionKey(p permission) string {
	sum := sha256.Sum256([]byte(p.Format + "\x00" + p.Value))
	return fmt.Sprintf("%d*%d", binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:16]))
}

// storedPermission is a descriptor stored in a share under its key. Items
// point at it, which costs them 8 bytes rather than a copy of the key.
type storedPermission struct {
	key string
	permission
}

// addPermission stores p in the share (once per distinct descriptor).
func (sh *share) addPermission(p permission) *storedPermission {
	key := permissionKey(p)
	if sp := sh.permissions[key]; sp != nil {
		return sp
	}
	sp := &storedPermission{key: key, permission: p}
	sh.permissions[key] = sp
	return sp
}

func parsePermissionFormat(v string) (string, error) {
	switch strings.ToLower(v) {
	case "", "sddl":
		return "sddl", nil
	case "binary":
		return "binary", nil
	}
	return "", errInvalidHeader("x-ms-file-permission-format")
}

// validDescriptor is a light check that a descriptor has the shape of SDDL
// (owner, group, DACL or SACL sections) or of base64; the service parses it fully.
func validDescriptor(p permission) bool {
	if p.Format == "binary" {
		return p.Value != "" && strings.Trim(p.Value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
	}
	for _, section := range []string{"O:", "G:", "D:", "S:"} {
		if strings.HasPrefix(p.Value, section) {
			return true
		}
	}
	return false
}

// applyPermissionHeaders sets n's permission from x-ms-file-permission (SDDL,
// "inherit" or "preserve") or x-ms-file-permission-key. Without either, a new
// item inherits its parent's descriptor and an existing one keeps its own.
func applyPermissionHeaders(h http.Header, sh *share, n, parent *node) error {
	value, key := h.Get("x-ms-file-permission"), h.Get("x-ms-file-permission-key")
	if value != "" && key != "" {
		return newError(http.StatusBadRequest, "InvalidHeaderValue",
			"x-ms-file-permission and x-ms-file-permission-key are mutually exclusive.")
	}
	switch {
	case key != "" && !strings.EqualFold(key, "preserve"):
		sp := sh.permissions[key]
		if sp == nil {
			return errInvalidHeader("x-ms-file-permission-key")
		}
		n.smb.Permission = sp
	case strings.EqualFold(value, "inherit"), value == "" && n.smb.Permission == nil:
		if parent != nil {
			n.smb.Permission = parent.smb.Permission
		}
	case value == "", strings.EqualFold(value, "preserve"):
	default:
		format, err := parsePermissionFormat(h.Get("x-ms-file-permission-format"))
		if err != nil {
			return err
		}
		p := permission{Value: value, Format: format}
		if len(value) > maxPermissionHeader || !validDescriptor(p) {
			return errInvalidHeader("x-ms-file-permission")
		}
		n.smb.Permission = sh.addPermission(p)
	}
	return nil
}

type permissionJSON struct {
	Permission string `json:"permission"`
	Format     string `json:"format,omitempty"`
}

// createPermission is Create Permission: PUT ?restype=share&comp=filepermission
// with {"permission": "SDDL"}.
func (s *Server) createPermission(c *call) error {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 64<<10))
	if err != nil {
		return err
	}
	var in permissionJSON
	if json.Unmarshal(body, &in) != nil || in.Permission == "" {
		return newError(http.StatusBadRequest, "InvalidInput", "The request body is not a JSON permission object.")
	}
	format, err := parsePermissionFormat(in.Format)
	if err != nil {
		return err
	}
	p := permission{Value: in.Permission, Format: format}
	if !validDescriptor(p) {
		return newError(http.StatusBadRequest, "InvalidInput", "The security descriptor is not valid.")
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	sh, err := s.store.share(c.t)
	if err != nil {
		return err
	}
	setMS(c.w.Header(), "x-ms-file-permission-key", sh.addPermission(p).key)
	c.w.WriteHeader(http.StatusCreated)
	return nil
}

// getPermission is Get Permission: GET ?restype=share&comp=filepermission with
// the key in x-ms-file-permission-key.
func (s *Server) getPermission(c *call) error {
	key := c.r.Header.Get("x-ms-file-permission-key")
	if key == "" {
		return errMissingHeader("x-ms-file-permission-key")
	}
	s.store.mu.RLock()
	sh, err := s.store.share(c.t)
	var p *storedPermission
	if err == nil {
		p = sh.permissions[key]
	}
	s.store.mu.RUnlock()
	if err != nil {
		return err
	}
	if p == nil {
		return errResourceNotFound()
	}
	if want := c.r.Header.Get("x-ms-file-permission-format"); want != "" && !strings.EqualFold(want, p.Format) {
		return errNotImplemented("Converting a permission between SDDL and binary")
	}
	out, err := json.Marshal(permissionJSON{Permission: p.Value, Format: p.Format})
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Type", "application/json")
	c.w.Header().Set("Content-Length", fmt.Sprint(len(out)))
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(out)
	return nil
}
