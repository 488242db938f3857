package syncer

import (
	"fmt"
	"os"
	"testing"
)

func TestDeleteListSpillsAndReplaysEveryName(t *testing.T) {
	d := newDeleteList(3)
	defer d.close()
	var want []string
	for i := range 10 {
		name := fmt.Sprintf("dir/name %d\nwith newline", i)
		want = append(want, name)
		d.add(name)
	}
	if d.len() != 10 || d.file == nil {
		t.Fatalf("len %d, spilled to file: %v", d.len(), d.file != nil)
	}
	var got []string
	for name, err := range d.all() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	spill := d.file.Name()
	d.close()
	if _, err := os.Stat(spill); !os.IsNotExist(err) {
		t.Errorf("spill file %s left behind", spill)
	}
}
