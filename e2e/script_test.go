package e2e

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/azsync/azsync/internal/testenv"
)

// TestScripts runs testdata/script/*.txtar: each gets its own container ($C), the emulator's account
// URL ($BLOB), an account SAS ($SAS) and a private log folder.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			var random [6]byte
			rand.Read(random[:])
			env.Setenv("BLOB", azurite.Endpoint)
			env.Setenv("SAS", sas)
			c := "t" + hex.EncodeToString(random[:])
			env.Setenv("C", c)
			// A container SAS for ${C}b: Azurite serves the *FromURL operations only under one.
			sasB, err := azurite.ContainerSAS(c+"b", time.Now().Add(24*time.Hour))
			if err != nil {
				return err
			}
			env.Setenv("SASB", sasB)
			// A share ($S) on the Files emulator ($FILES), with an account SAS ($FSAS).
			env.Setenv("FILES", filesEmu.URL)
			env.Setenv("FSAS", fsas)
			env.Setenv("S", c)
			if err := testenv.CreateShare(context.Background(), filesEmu.URL, c); err != nil {
				return err
			}
			env.Setenv("AZCOPY_LOG_LOCATION", filepath.Join(env.WorkDir, "logs"))
			env.Setenv("AZCOPY_CONCURRENCY_VALUE", "8")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"blob-ls":     cmdBlobLs,
			"blob-cat":    cmdBlobCat,
			"blob-put":    cmdBlobPut,
			"blob-blocks": cmdBlobBlocks,
			"mtime":       cmdMtime,
			"json-check":  cmdJSONCheck,
			"tree":        cmdTree,
			// cmds_extra_test.go
			"mkfile":      cmdMkfile,
			"nosig":       cmdNoSig,
			"plan":        cmdPlan,
			"logplan":     cmdLogPlan,
			"joblog":      cmdJobLog,
			"catlogs":     cmdCatLogs,
			"lsdir":       cmdLsDir,
			"blob-find":   cmdBlobFind,
			"files":       cmdFiles,
			"blob-setmd5": cmdBlobSetMD5,
			// cmds_files_test.go
			"share-create": cmdShareCreate,
			"share-ls":     cmdShareLs,
			// cmds_shard_test.go
			"shards": cmdShards,
			// cmds_posix_test.go
			"blob-meta":    cmdBlobMeta,
			"blob-setmeta": cmdBlobSetMeta,
			"fstat":        cmdFstat,
			"myids":        cmdMyIDs,
		},
	})
}

func containerClient(ts *testscript.TestScript, name string) *container.Client {
	svc, err := azurite.Service()
	ts.Check(err)
	return svc.NewContainerClient(name)
}

// blob-ls [-v] CONTAINER: the container's blobs, one per line in name order; with -v also size,
// Content-MD5 (hex), content type and whether the mtime metadata is there.
func cmdBlobLs(ts *testscript.TestScript, neg bool, args []string) {
	verbose := len(args) > 0 && args[0] == "-v"
	if verbose {
		args = args[1:]
	}
	if len(args) != 1 {
		ts.Fatalf("usage: blob-ls [-v] CONTAINER")
	}
	pager := containerClient(ts, args[0]).NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(context.Background())
		if err != nil {
			if neg {
				return
			}
			ts.Fatalf("listing %s: %v", args[0], err)
		}
		for _, b := range page.Segment.BlobItems {
			if !verbose {
				fmt.Fprintln(ts.Stdout(), *b.Name)
				continue
			}
			md := "none"
			if b.Properties.ContentMD5 != nil {
				md = hex.EncodeToString(b.Properties.ContentMD5)
			}
			_, hasMtime := b.Metadata["mtime"]
			fmt.Fprintf(ts.Stdout(), "%s size=%d md5=%s type=%s mtime=%v\n", *b.Name, *b.Properties.ContentLength, md, deref(b.Properties.ContentType), hasMtime)
		}
	}
	if neg {
		ts.Fatalf("blob-ls succeeded")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// blob-cat CONTAINER NAME: the blob's content on stdout.
func cmdBlobCat(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: blob-cat CONTAINER NAME")
	}
	resp, err := containerClient(ts, args[0]).NewBlobClient(args[1]).DownloadStream(context.Background(), nil)
	if (err != nil) != neg {
		ts.Fatalf("blob-cat %s: %v", args[1], err)
	}
	if err == nil {
		defer resp.Body.Close()
		io.Copy(ts.Stdout(), resp.Body)
	}
}

// blob-put [-md5 HEX|-nomd5] CONTAINER NAME CONTENT: creates a blob without azsync's metadata. -md5
// stores the given Content-MD5 whatever the content; -nomd5 leaves Content-MD5 unset.
func cmdBlobPut(ts *testscript.TestScript, neg bool, args []string) {
	var md []byte
	noMD5 := false
	switch {
	case len(args) > 1 && args[0] == "-md5":
		var err error
		md, err = hex.DecodeString(args[1])
		ts.Check(err)
		args = args[2:]
	case len(args) > 0 && args[0] == "-nomd5":
		noMD5 = true
		args = args[1:]
	}
	if len(args) != 3 {
		ts.Fatalf("usage: blob-put [-md5 HEX|-nomd5] CONTAINER NAME CONTENT")
	}
	ctx := context.Background()
	cc := containerClient(ts, args[0])
	if _, err := cc.Create(ctx, nil); err != nil && !strings.Contains(err.Error(), "ContainerAlreadyExists") {
		ts.Fatalf("creating container: %v", err)
	}
	bb := cc.NewBlockBlobClient(args[1])
	body := streaming.NopCloser(strings.NewReader(args[2]))
	var err error
	if noMD5 {
		id := base64.StdEncoding.EncodeToString([]byte("block-00"))
		if _, err = bb.StageBlock(ctx, id, body, nil); err == nil {
			_, err = bb.CommitBlockList(ctx, []string{id}, nil)
		}
	} else {
		_, err = bb.Upload(ctx, body, &blockblob.UploadOptions{HTTPHeaders: &blob.HTTPHeaders{BlobContentMD5: md}})
	}
	if (err != nil) != neg {
		ts.Fatalf("blob-put %s: %v", args[1], err)
	}
}

// blob-blocks CONTAINER NAME: the number of committed blocks.
func cmdBlobBlocks(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: blob-blocks CONTAINER NAME")
	}
	resp, err := containerClient(ts, args[0]).NewBlockBlobClient(args[1]).GetBlockList(context.Background(), blockblob.BlockListTypeCommitted, nil)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%d blocks\n", len(resp.CommittedBlocks))
}

// mtime FILE WHEN: sets a local file's modification time; WHEN is RFC 3339 or a duration from now
// (+1h, -90s).
func cmdMtime(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mtime FILE RFC3339|±DURATION")
	}
	when, err := time.Parse(time.RFC3339Nano, args[1])
	if err != nil {
		d, derr := time.ParseDuration(args[1])
		if derr != nil {
			ts.Fatalf("mtime: %q is neither a time nor a duration", args[1])
		}
		when = time.Now().Add(d)
	}
	ts.Check(os.Chtimes(ts.MkAbs(args[0]), when, when))
}

// json-check: checks that every line of the last command's stdout is the reference's JSON envelope
// and prints the sequence of message types (runs of Progress folded to "Progress+"), then the
// EndOfJob content's fields as KEY=VALUE lines in name order.
func cmdJSONCheck(ts *testscript.TestScript, neg bool, args []string) {
	var types []string
	var end map[string]any
	for line := range strings.Lines(ts.ReadFile("stdout")) {
		var env struct {
			TimeStamp      string
			MessageType    string
			MessageContent string
			PromptDetails  map[string]any
		}
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&env); err != nil {
			ts.Fatalf("not an envelope: %q: %v", line, err)
		}
		if !strings.HasPrefix(line, `{"TimeStamp":`) || env.PromptDetails == nil {
			ts.Fatalf("envelope fields out of order or missing: %q", line)
		}
		if _, err := time.Parse(time.RFC3339Nano, env.TimeStamp); err != nil {
			ts.Fatalf("bad TimeStamp in %q", line)
		}
		if n := len(types); env.MessageType != "Progress" || n == 0 || types[n-1] != "Progress+" {
			t := env.MessageType
			if t == "Progress" {
				t = "Progress+"
			}
			types = append(types, t)
		}
		if env.MessageType == "EndOfJob" {
			ts.Check(json.Unmarshal([]byte(env.MessageContent), &end))
		}
	}
	fmt.Fprintln(ts.Stdout(), strings.Join(types, " "))
	keys := make([]string, 0, len(end))
	for k := range end {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := end[k].(string); ok {
			fmt.Fprintf(ts.Stdout(), "%s=%s\n", k, v)
		}
	}
}

// tree DIR: every file below DIR as "relative/path size md5" in name order, to compare trees with cmp.
func cmdTree(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tree DIR")
	}
	files, err := treeFiles(ts.MkAbs(args[0]))
	ts.Check(err)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(ts.Stdout(), "%s %d %x\n", name, len(files[name]), md5.Sum(files[name]))
	}
}
