// Package posix keeps a local file's POSIX properties — mode, owner, group and times — in blob
// metadata (--preserve-posix-properties), under the keys and in the value formats azcopy 10.32
// writes in its two styles, so that blobs either tool wrote restore with the other:
//
//	                 standard                         amlfs (Azure Managed Lustre)
//	mode             permissions = st_mode, decimal   permissions = permission bits, %04o
//	owner, group     posix_owner, posix_group (uid, gid in decimal)   owner, group
//	mtime            modtime = Unix nanoseconds       modtime = "2006-01-02 15:04:05 -0700", local time
//	atime, ctime     posix_atime, posix_ctime = Unix nanoseconds (both styles)
//
// The reference also records the inode, device and link count, and statx's mask, attributes and
// birth time; azsync writes none of them (nothing can restore them) but carries them Blob → Blob.
package posix

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Style chooses the metadata keys and formats (--posix-properties-style).
type Style int

const (
	Standard Style = iota
	AMLFS
)

// ParseStyle reads --posix-properties-style.
func ParseStyle(s string) (Style, error) {
	switch strings.ToLower(s) {
	case "standard":
		return Standard, nil
	case "amlfs":
		return AMLFS, nil
	}
	return Standard, fmt.Errorf("invalid --posix-properties-style %q: valid values are standard and amlfs", s)
}

// The reference's metadata keys.
const (
	keyMode       = "permissions"
	keyMtime      = "modtime"
	keyAtime      = "posix_atime"
	keyCtime      = "posix_ctime"
	keyOwner      = "posix_owner"
	keyGroup      = "posix_group"
	keyOwnerAMLFS = "owner"
	keyGroupAMLFS = "group"
)

// amlfsTimeLayout is how the amlfs style writes modtime (to the second).
const amlfsTimeLayout = "2006-01-02 15:04:05 -0700"

// carried are the keys of the reference's POSIX metadata besides the ones above: a Blob → Blob copy
// keeps them with the rest (hdi_isfolder, the folder marker, is the stores' own business).
var carried = []string{"posix_nlink", "posix_ino", "posix_dev", "posix_rdev", "linux_btime", "is_block_dev",
	"is_char_dev", "is_socket", "is_fifo", "is_symlink", "linux_attribute", "linux_attribute_mask", "linux_statx_mask"}

// IsKey reports whether a metadata key (in any case) is one of the reference's POSIX keys; it
// returns the key as the reference spells it.
func IsKey(k string) (string, bool) {
	k = strings.ToLower(k)
	switch k {
	case keyMode, keyMtime, keyAtime, keyCtime, keyOwner, keyGroup, keyOwnerAMLFS, keyGroupAMLFS:
		return k, true
	}
	for _, c := range carried {
		if k == c {
			return k, true
		}
	}
	return k, false
}

// Props are what a local file's stat says.
type Props struct {
	Mode                uint32 // st_mode: file type and permission bits
	UID, GID            uint32
	Atime, Mtime, Ctime time.Time
}

// Metadata is p in the style's keys and formats.
func (p Props) Metadata(style Style) map[string]string {
	ns := func(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }
	id := func(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
	md := map[string]string{keyAtime: ns(p.Atime), keyCtime: ns(p.Ctime)}
	if style == AMLFS {
		md[keyOwnerAMLFS], md[keyGroupAMLFS] = id(p.UID), id(p.GID)
		md[keyMode] = fmt.Sprintf("%04o", p.Mode&0o777)
		md[keyMtime] = p.Mtime.Local().Format(amlfsTimeLayout)
		return md
	}
	md[keyOwner], md[keyGroup] = id(p.UID), id(p.GID)
	md[keyMode] = strconv.FormatUint(uint64(p.Mode), 10)
	md[keyMtime] = ns(p.Mtime)
	return md
}

// Restore is what a download can give back of the metadata: each value with whether it was there.
type Restore struct {
	Mode               uint32 // permission bits (with setuid, setgid, sticky in the standard style)
	UID, GID           uint32
	Atime, Mtime       time.Time
	HasMode            bool
	HasUID, HasGID     bool
	HasAtime, HasMtime bool
}

// Parse reads metadata in either style, as the reference does: the amlfs keys win for owner and
// group, and permissions are octal when an amlfs key is there or the value starts with a 0.
func Parse(md map[string]string) (Restore, error) {
	var r Restore
	var err error
	id := func(key string, v *uint32, has *bool) {
		if s, ok := md[key]; ok && err == nil {
			var n uint64
			if n, err = strconv.ParseUint(s, 10, 32); err != nil {
				err = fmt.Errorf("metadata %s=%q: %w", key, s, err)
			}
			*v, *has = uint32(n), true
		}
	}
	id(keyOwner, &r.UID, &r.HasUID)
	id(keyOwnerAMLFS, &r.UID, &r.HasUID)
	id(keyGroup, &r.GID, &r.HasGID)
	id(keyGroupAMLFS, &r.GID, &r.HasGID)
	if err != nil {
		return r, err
	}
	if s, ok := md[keyMode]; ok {
		_, amlfsOwner := md[keyOwnerAMLFS]
		_, amlfsGroup := md[keyGroupAMLFS]
		base := 10
		if amlfsOwner || amlfsGroup || len(s) > 1 && s[0] == '0' {
			base = 8
		}
		n, err := strconv.ParseUint(s, base, 32)
		if err != nil {
			return r, fmt.Errorf("metadata %s=%q: %w", keyMode, s, err)
		}
		r.Mode, r.HasMode = uint32(n)&0o7777, true
	}
	if s, ok := md[keyAtime]; ok {
		if r.Atime, err = nanos(s); err != nil {
			return r, fmt.Errorf("metadata %s=%q: %w", keyAtime, s, err)
		}
		r.HasAtime = true
	}
	if r.Mtime, r.HasMtime, err = ModTime(md); err != nil {
		return r, err
	}
	return r, nil
}

// ModTime reads modtime in either format.
func ModTime(md map[string]string) (time.Time, bool, error) {
	s, ok := md[keyMtime]
	if !ok {
		return time.Time{}, false, nil
	}
	t, err := nanos(s)
	if errors.Is(err, strconv.ErrSyntax) {
		t, err = time.Parse(amlfsTimeLayout, s)
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("metadata %s=%q: %w", keyMtime, s, err)
	}
	return t, true, nil
}

func nanos(s string) (time.Time, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(0, n), nil
}
