package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
)

// setDirSMB gives the directory name ("" the root) of sc attributes, a creation time and a
// security descriptor.
func setDirSMB(t *testing.T, sc *share.Client, name string, attrs file.NTFSFileAttributes, created time.Time, sddl string) {
	t.Helper()
	ctx := context.Background()
	key, err := sc.CreatePermission(ctx, sddl, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := sc.NewRootDirectoryClient()
	if name != "" {
		d = sc.NewDirectoryClient(name)
	}
	if _, err := d.SetProperties(ctx, &directory.SetPropertiesOptions{
		FileSMBProperties: &file.SMBProperties{Attributes: &attrs, CreationTime: &created},
		FilePermissions:   &file.Permissions{PermissionKey: key.FilePermissionKey},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestFileFileFolderProperties: directories present on both sides take the source's attributes,
// creation time and security descriptor under --preserve-info and --preserve-permissions (one
// folder-property transfer each, in the dry run's plan too), and a second run finds nothing to
// do. A file-only filter leaves folders' properties alone, as the manual says. --include-root
// carries the root directory's own, once.
func TestFileFileFolderProperties(t *testing.T) {
	src, srcURL := newTestShare(t, "fpsrc")
	dst, dstBase := newTestShare(t, "fpdst")
	dstURL := strings.Replace(dstBase, "?", "/copy?", 1)
	ctx := context.Background()
	for _, d := range []string{"d", "d/e"} {
		if _, err := src.NewDirectoryClient(d).Create(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	writeShareFile(t, src, "d/e/f.txt", []byte("file\n"), time.Now().Add(-time.Hour))
	preserve := []string{"--from-to=FileFile", "--preserve-info", "--preserve-permissions"}

	// The tree exists on both sides, its directories with the destination's defaults.
	out, code := azsyncRun(t, nil, "sync", srcURL, dstURL, "--from-to=FileFile")
	expectRun(t, "plain copy", out, code, map[string]int{"Number of Copy Transfers for Folder Properties": 2})
	setDirSMB(t, src, "d", file.NTFSFileAttributes{Hidden: true, Archive: true}, time.Date(2020, 1, 2, 3, 4, 5, 600, time.UTC), "O:BAG:SYD:(A;;FA;;;BA)")
	setDirSMB(t, src, "d/e", file.NTFSFileAttributes{ReadOnly: true}, time.Date(2019, 5, 6, 7, 8, 9, 100, time.UTC), "O:SYG:SYD:(A;;FR;;;WD)")

	plan, code := azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL, "--dry-run"}, preserve...)...)
	expectRun(t, "dry run", plan, code, map[string]int{"Number of Copy Transfers for Folder Properties": 2, "Number of Copy Transfers for Files": 0})
	for _, d := range []string{"d", "d/e"} {
		line := "DRYRUN: copy " + filesEmu.URL + "/" + shareName(srcURL) + "/" + d + " to " + filesEmu.URL + "/" + shareName(dstURL) + "/copy/" + d
		if !strings.Contains(plan, line+"\n") {
			t.Errorf("the plan lacks %q:\n%s", line, plan)
		}
	}
	if readSMB(t, dst, "copy/d", true) == readSMB(t, src, "d", true) {
		t.Fatal("the dry run changed the destination")
	}

	// A filter on file names leaves the folders' properties alone.
	out, code = azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL, "--include-pattern=*"}, preserve...)...)
	expectRun(t, "file-only filter", out, code, map[string]int{"Total Number of Copy Transfers": 0})

	out, code = azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL}, preserve...)...)
	expectRun(t, "folder properties", out, code, map[string]int{"Number of Copy Transfers for Folder Properties": 2, "Number of Copy Transfers Completed": 2})
	for _, d := range []string{"d", "d/e"} {
		if got, want := readSMB(t, dst, "copy/"+d, true), readSMB(t, src, d, true); got != want {
			t.Errorf("%s: the destination has %+v, the source %+v", d, got, want)
		}
	}
	again, code := azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL}, preserve...)...)
	expectRun(t, "second run", again, code, map[string]int{"Total Number of Copy Transfers": 0})

	// --include-root: the root directory itself, then nothing.
	setDirSMB(t, src, "", file.NTFSFileAttributes{System: true}, time.Date(2018, 3, 4, 5, 6, 7, 800, time.UTC), "O:BAG:BAD:(A;;FA;;;SY)")
	root, code := azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL, "--include-root"}, preserve...)...)
	expectRun(t, "root", root, code, map[string]int{"Number of Copy Transfers for Folder Properties": 1, "Number of Copy Transfers Completed": 1})
	if got, want := readSMB(t, dst, "copy", true), readSMB(t, src, "", true); got != want {
		t.Errorf("root: the destination has %+v, the source %+v", got, want)
	}
	rootAgain, code := azsyncRun(t, nil, append([]string{"sync", srcURL, dstURL, "--include-root"}, preserve...)...)
	expectRun(t, "root again", rootAgain, code, map[string]int{"Total Number of Copy Transfers": 0})
}

// shareName is the share of an emulator URL azsync is given.
func shareName(u string) string {
	return regexp.MustCompile(`^http://[^/]+/[^/]+/([^/?]+)`).FindStringSubmatch(u)[1]
}

// TestAttributeFilters: --include-attributes keeps the files that have one of the attributes
// listed, --exclude-attributes drops those that have any, with the manual's letters, from an Azure
// Files source to a share or to local disk. A local file, whose attributes are unknown, is never
// deleted under them; a source without attributes and an unknown letter are refused.
func TestAttributeFilters(t *testing.T) {
	src, srcURL := newTestShare(t, "attrsrc")
	_, dstURL := newTestShare(t, "attrdst")
	ctx := context.Background()
	for name, attrs := range map[string]file.NTFSFileAttributes{
		"a.txt": {ReadOnly: true}, "b.txt": {Hidden: true, Archive: true}, "c.txt": {Archive: true}, "n.txt": {None: true},
	} {
		writeShareFile(t, src, name, []byte(name), time.Now().Add(-time.Hour))
		if _, err := src.NewRootDirectoryClient().NewFileClient(name).SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{
			SMBProperties: &file.SMBProperties{Attributes: &attrs},
		}); err != nil {
			t.Fatal(err)
		}
	}
	sub := func(dir string) string { return strings.Replace(dstURL, "?", "/"+dir+"?", 1) }
	for _, c := range []struct {
		dir, flag string
		want      []string
	}{
		{"inc", "--include-attributes=R;H", []string{"a.txt", "b.txt"}},
		{"exc", "--exclude-attributes=h; r", []string{"c.txt", "n.txt"}},
		{"both", "--include-attributes=A", []string{"b.txt", "c.txt"}},
		{"normal", "--include-attributes=N", []string{"n.txt"}},
	} {
		args := []string{"sync", srcURL, sub(c.dir), "--from-to=FileFile", c.flag}
		if c.dir == "both" {
			args = append(args, "--exclude-attributes=H")
			c.want = []string{"c.txt"}
		}
		out, code := azsyncRun(t, nil, args...)
		expectRun(t, c.flag, out, code, map[string]int{"Number of Copy Transfers for Files": len(c.want), "Files Scanned at Source": len(c.want)})
		down := t.TempDir()
		out, code = azsyncRun(t, nil, "sync", sub(c.dir), down, "--from-to=FileLocal")
		expectRun(t, "download of "+c.dir, out, code, nil)
		if got := strings.Join(localNames(t, down), " "); got != strings.Join(c.want, " ") {
			t.Errorf("%s: the destination holds %s, want %v", c.flag, got, c.want)
		}
	}

	// To local disk: the filter chooses what is copied; a local file, whose attributes nobody
	// knows, stays under --delete-destination.
	down := t.TempDir()
	writeLocal(t, down, "extra.txt", "local only")
	out, code := azsyncRun(t, nil, "sync", srcURL, down, "--from-to=FileLocal", "--include-attributes=R", "--delete-destination=true")
	expectRun(t, "download", out, code, map[string]int{"Number of Copy Transfers for Files": 1, "Number of Deletions at Destination": 0})
	if got := strings.Join(localNames(t, down), " "); got != "a.txt extra.txt" {
		t.Errorf("the download holds %s, want a.txt extra.txt", got)
	}

	// A single file passes the filter or is left alone.
	one := strings.Replace(srcURL, "?", "/a.txt?", 1)
	for flag, want := range map[string]int{"--include-attributes=H": 0, "--exclude-attributes=H": 1} {
		out, code := azsyncRun(t, nil, "sync", one, sub("single-"+flag[2:9]+".txt"), "--from-to=FileFile", flag)
		expectRun(t, "single file "+flag, out, code, map[string]int{"Number of Copy Transfers for Files": want})
	}

	for _, args := range [][]string{
		{"sync", down, dstURL, "--from-to=LocalFile", "--include-attributes=A"},
		{"sync", srcURL, dstURL, "--from-to=FileFile", "--exclude-attributes=A;Q"},
	} {
		out, code := azsyncRun(t, nil, args...)
		if code != 1 || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, "attributes") {
			t.Errorf("%v: exit %d, want 1 and one line naming the flag:\n%s", args[len(args)-1], code, out)
		}
	}
}

// localNames are the names of the files in a local folder, sorted.
func localNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func writeLocal(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
