package posix

import (
	"maps"
	"slices"
	"testing"
	"time"
)

var sample = Props{Mode: 0o100640 | 0o4000, UID: 1001, GID: 27,
	Atime: time.Unix(1700000000, 5), Mtime: time.Unix(1704164645, 123456789), Ctime: time.Unix(1704164700, 7)}

// The values are the reference's formats for the same stat.
func TestMetadataStyles(t *testing.T) {
	std := sample.Metadata(Standard)
	want := map[string]string{"permissions": "35232", "posix_owner": "1001", "posix_group": "27",
		"modtime": "1704164645123456789", "posix_atime": "1700000000000000005", "posix_ctime": "1704164700000000007"}
	if !maps.Equal(std, want) {
		t.Errorf("standard: %v, want %v", std, want)
	}
	aml := sample.Metadata(AMLFS)
	mt := time.Unix(1704164645, 0).Local().Format("2006-01-02 15:04:05 -0700")
	want = map[string]string{"permissions": "0640", "owner": "1001", "group": "27",
		"modtime": mt, "posix_atime": "1700000000000000005", "posix_ctime": "1704164700000000007"}
	if !maps.Equal(aml, want) {
		t.Errorf("amlfs: %v, want %v", aml, want)
	}
	for k := range maps.Keys(aml) {
		if _, ok := IsKey(k); !ok {
			t.Errorf("IsKey(%q) = false", k)
		}
	}
}

func TestParseBothStyles(t *testing.T) {
	r, err := Parse(sample.Metadata(Standard))
	if err != nil || r.Mode != 0o4640 || r.UID != 1001 || r.GID != 27 || !r.Mtime.Equal(sample.Mtime) || !r.Atime.Equal(sample.Atime) {
		t.Errorf("standard: %+v, %v", r, err)
	}
	r, err = Parse(sample.Metadata(AMLFS))
	if err != nil || r.Mode != 0o640 || r.UID != 1001 || !r.Mtime.Equal(time.Unix(1704164645, 0)) {
		t.Errorf("amlfs: %+v, %v", r, err)
	}
	// A leading zero alone says octal, as the reference reads it.
	if r, _ := Parse(map[string]string{"permissions": "0755"}); r.Mode != 0o755 {
		t.Errorf("0755 read as %o", r.Mode)
	}
	for _, bad := range []map[string]string{{"permissions": "x"}, {"posix_owner": "-1"}, {"modtime": "yesterday"}} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%v) accepted", bad)
		}
	}
	if r, _ := Parse(nil); r.HasMode || r.HasUID || r.HasMtime {
		t.Errorf("empty metadata restores %+v", r)
	}
}

func TestParseStyle(t *testing.T) {
	for s, want := range map[string]Style{"standard": Standard, "AMLFS": AMLFS} {
		if got, err := ParseStyle(s); err != nil || got != want {
			t.Errorf("ParseStyle(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseStyle("fancy"); err == nil {
		t.Error("fancy accepted")
	}
	if k, ok := IsKey("Posix_Ino"); !ok || k != "posix_ino" {
		t.Errorf("IsKey(Posix_Ino) = %q, %v", k, ok)
	}
	if _, ok := IsKey("mtime"); ok || slices.Contains(carried, "hdi_isfolder") {
		t.Error("azsync's own keys are not POSIX keys")
	}
}
