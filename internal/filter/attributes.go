package filter

import (
	"fmt"
	"strings"
)

// Attrs is a set of Windows file attributes, as the FILE_ATTRIBUTE_* bits.
type Attrs uint32

// The attributes --include-attributes and --exclude-attributes name, with the reference's letters.
const (
	ReadOnly          Attrs = 0x1    // R
	Hidden            Attrs = 0x2    // H
	System            Attrs = 0x4    // S
	Archive           Attrs = 0x20   // A
	Normal            Attrs = 0x80   // N: no other attribute
	Temporary         Attrs = 0x100  // T
	Compressed        Attrs = 0x800  // C
	Offline           Attrs = 0x1000 // O
	NotContentIndexed Attrs = 0x2000 // I
	Encrypted         Attrs = 0x4000 // E
)

// attrLetters are the letters of the reference's manual ("R;A;S;H;C;N;E;T;O;I").
var attrLetters = []struct {
	letter byte
	attr   Attrs
}{
	{'R', ReadOnly}, {'A', Archive}, {'S', System}, {'H', Hidden}, {'C', Compressed},
	{'N', Normal}, {'E', Encrypted}, {'T', Temporary}, {'O', Offline}, {'I', NotContentIndexed},
}

// ParseAttrs reads an attribute list such as "A;S;R": one letter per ';'-separated item, in either
// case, white space around it ignored, empty items dropped. The reference ignores a letter it does
// not know; here it is an error naming flag, so that a typo does not silently widen the filter.
func ParseAttrs(flag, list string) (Attrs, error) {
	var set Attrs
	for item := range strings.SplitSeq(list, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		a := letterAttr(item)
		if a == 0 {
			return 0, fmt.Errorf("%s: unknown attribute %q: give ';'-separated letters among R, A, S, H, C, N, E, T, O, I", flag, item)
		}
		set |= a
	}
	return set, nil
}

func letterAttr(item string) Attrs {
	if len(item) != 1 {
		return 0
	}
	c := item[0] &^ 0x20 // upper case
	for _, l := range attrLetters {
		if l.letter == c {
			return l.attr
		}
	}
	return 0
}

// String is the set as the flags write it ("R;A"), in the manual's order.
func (a Attrs) String() string {
	var letters []string
	for _, l := range attrLetters {
		if a&l.attr != 0 {
			letters = append(letters, string(l.letter))
		}
	}
	return strings.Join(letters, ";")
}

// smbNames are the Azure Files names of the attributes (x-ms-file-attributes, listings).
var smbNames = map[string]Attrs{
	"readonly": ReadOnly, "hidden": Hidden, "system": System, "archive": Archive, "none": Normal,
	"normal": Normal, "temporary": Temporary, "offline": Offline, "notcontentindexed": NotContentIndexed,
}

// SMBAttrs reads the attributes as Azure Files names them ("ReadOnly | Archive"). Names it has no
// letter for (Directory, NoScrubData) are left out; an entry with no other attribute is Normal, as
// Windows reports it.
func SMBAttrs(names string) Attrs {
	var set Attrs
	for name := range strings.SplitSeq(names, "|") {
		set |= smbNames[strings.ToLower(strings.TrimSpace(name))]
	}
	if set&^Normal == 0 {
		return Normal
	}
	return set &^ Normal
}

// Matches reports whether a file with the attributes attrs passes --include-attributes (it has at
// least one of the attributes listed) and --exclude-attributes (it has none of them), the
// reference's rule.
func (f *Filter) Matches(attrs Attrs) bool {
	if f == nil {
		return true
	}
	if f.includeAttrs != 0 && attrs&f.includeAttrs == 0 {
		return false
	}
	return attrs&f.excludeAttrs == 0
}

// ByAttributes reports whether the filter looks at attributes (--include-attributes or
// --exclude-attributes), so that a file whose attributes are unknown cannot be judged.
func (f *Filter) ByAttributes() bool {
	return f != nil && (f.includeAttrs != 0 || f.excludeAttrs != 0)
}

// FileOnly reports whether a filter that applies to files only is given: name patterns or
// attributes. The reference's manual: the SMB properties of folders are then not carried.
func (f *Filter) FileOnly() bool {
	return f != nil && (len(f.includePatterns) > 0 || len(f.excludePatterns) > 0 || f.ByAttributes())
}
