package filesemu

import (
	"net/http"
	"strings"
	"time"
)

// smbTimeLayout is how the service writes SMB times: always seven fractional
// digits (100 ns), which is the only form the SDKs parse.
const smbTimeLayout = "2006-01-02T15:04:05.0000000Z"

func formatSMBTime(t time.Time) string { return t.UTC().Format(smbTimeLayout) }

// filetime is a time in 100 ns ticks since 1601-01-01 UTC, the precision and
// epoch of SMB times, in 8 bytes rather than time.Time's 24.
type filetime int64

// unixEpochTicks is 1970-01-01 in filetime ticks.
const unixEpochTicks = 116444736000000000

func toFiletime(t time.Time) filetime {
	return filetime(t.Unix()*1e7 + int64(t.Nanosecond()/100) + unixEpochTicks)
}

func (f filetime) time() time.Time {
	ticks := int64(f) - unixEpochTicks
	sec, rem := ticks/1e7, ticks%1e7
	if rem < 0 {
		sec, rem = sec-1, rem+1e7
	}
	return time.Unix(sec, rem*100).UTC()
}

func (f filetime) String() string { return formatSMBTime(f.time()) }

// now is the current time at the service's 100 ns precision.
func now() filetime { return toFiletime(time.Now()) }

// smbProps are the SMB properties of a file or directory.
type smbProps struct {
	CreationTime  filetime
	LastWriteTime filetime
	ChangeTime    filetime
	Permission    *storedPermission
	Attributes    attributes
}

// attributes is a set of NTFS attribute bits.
type attributes uint16

// attributeNames is in the order the service lists attributes.
var attributeNames = []string{"ReadOnly", "Hidden", "System", "None", "Directory", "Archive",
	"Temporary", "Offline", "NotContentIndexed", "NoScrubData"}

func attributeBit(name string) attributes {
	for i, n := range attributeNames {
		if strings.EqualFold(n, name) {
			return 1 << i
		}
	}
	return 0
}

var (
	attrReadOnly  = attributeBit("ReadOnly")
	attrNone      = attributeBit("None")
	attrDirectory = attributeBit("Directory")
	attrArchive   = attributeBit("Archive")
)

// parseAttributes parses "ReadOnly|Archive" (spaces allowed around names).
func parseAttributes(v string) (attributes, bool) {
	var a attributes
	for name := range strings.SplitSeq(v, "|") {
		bit := attributeBit(strings.TrimSpace(name))
		if bit == 0 {
			return 0, false
		}
		a |= bit
	}
	return a, true
}

// normalize applies the service's rules: directories always carry Directory,
// files never do, and None only stands alone.
func (a attributes) normalize(dir bool) attributes {
	if dir {
		a |= attrDirectory
	} else {
		a &^= attrDirectory
	}
	if a&^attrNone != 0 {
		a &^= attrNone
	}
	if a == 0 {
		a = attrNone
	}
	return a
}

func (a attributes) String() string {
	var names []string
	for i, n := range attributeNames {
		if a&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, " | ")
}

// smbUpdate applies the x-ms-file-* property headers of a create or set-properties
// request. Each of them is "now", "preserve", or a value; absent headers take
// the defaults of the operation (creating: now; setting: preserve, except the
// change time which any change moves to now).
func smbUpdate(h http.Header, p *smbProps, dir, creating bool) error {
	t := now()
	if v := h.Get("x-ms-file-attributes"); v != "" && !strings.EqualFold(v, "preserve") {
		a, ok := parseAttributes(v)
		if !ok {
			return errInvalidHeader("x-ms-file-attributes")
		}
		p.Attributes = a
	} else if creating && !dir {
		p.Attributes = attrArchive
	}
	p.Attributes = p.Attributes.normalize(dir)
	for _, f := range []struct {
		header    string
		field     *filetime
		keepByDef bool
	}{
		{"x-ms-file-creation-time", &p.CreationTime, !creating},
		{"x-ms-file-last-write-time", &p.LastWriteTime, !creating},
		{"x-ms-file-change-time", &p.ChangeTime, false},
	} {
		if err := applySMBTime(h.Get(f.header), f.header, f.field, t, f.keepByDef); err != nil {
			return err
		}
	}
	return nil
}

// applySMBTime sets *field from a header value, "now" or "preserve"; empty means
// preserve when keepByDefault, now otherwise.
func applySMBTime(v, header string, field *filetime, t filetime, keepByDefault bool) error {
	switch {
	case v == "" && keepByDefault, strings.EqualFold(v, "preserve"):
	case v == "", strings.EqualFold(v, "now"):
		*field = t
	default:
		parsed, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return errInvalidHeader(header)
		}
		*field = toFiletime(parsed)
	}
	return nil
}

// writeSMBHeaders answers the SMB properties of n.
func writeSMBHeaders(h http.Header, n *node) {
	setMS(h, "x-ms-file-attributes", n.smb.Attributes.String())
	setMS(h, "x-ms-file-creation-time", n.smb.CreationTime.String())
	setMS(h, "x-ms-file-last-write-time", n.smb.LastWriteTime.String())
	setMS(h, "x-ms-file-change-time", n.smb.ChangeTime.String())
	setMS(h, "x-ms-file-permission-key", n.smb.Permission.key)
	setMS(h, "x-ms-file-id", formatID(n.id))
	parent := uint64(0)
	if n.parent != nil {
		parent = n.parent.id
	}
	setMS(h, "x-ms-file-parent-id", formatID(parent))
}
