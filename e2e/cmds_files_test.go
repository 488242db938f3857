package e2e

import (
	"context"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/azsync/azsync/filesemu"
	"github.com/azsync/azsync/internal/testenv"
)

// share-create NAME: creates a share on the Files emulator.
func cmdShareCreate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: share-create NAME")
	}
	ts.Check(testenv.CreateShare(context.Background(), filesEmu.URL, args[0]))
}

func shareClient(ts *testscript.TestScript, name string) *share.Client {
	cred, err := share.NewSharedKeyCredential(filesemu.DevAccount, filesemu.DevKey)
	ts.Check(err)
	sc, err := share.NewClientWithSharedKeyCredential(filesEmu.URL+"/"+name, cred, nil)
	ts.Check(err)
	return sc
}

// share-ls SHARE DIR: the names in a directory of a share (files, and directories with a trailing
// /), temporaries included, one per line in name order.
func cmdShareLs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: share-ls SHARE DIR")
	}
	d := shareClient(ts, args[0]).NewRootDirectoryClient()
	for seg := range strings.SplitSeq(strings.Trim(args[1], "/"), "/") {
		if seg != "" {
			d = d.NewSubdirectoryClient(seg)
		}
	}
	pager := d.NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{})
	var names []string
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		ts.Check(err)
		for _, sub := range page.Segment.Directories {
			names = append(names, *sub.Name+"/")
		}
		for _, f := range page.Segment.Files {
			names = append(names, *f.Name)
		}
	}
	printSorted(ts, names)
}
