package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"golang.org/x/sync/errgroup"

	blobstore "github.com/azsync/azsync/internal/store/blob"
)

// The baseline: what a competent programmer writes with the Azure SDK for the same job, with no sync
// logic. It runs as a process of its own (this executable, re-run with sdkWorkerCmd) so that its CPU
// time and peak memory are measured exactly as azsync's are.

const sdkWorkerCmd = "__sdk-worker"

const sdkBlockSize = 8 << 20

// sdkJob is one baseline run.
type sdkJob struct {
	op    string // upload, download, list (one flat listing), plist (folders listed in parallel)
	url   string // container URL with SAS
	local string // local folder
	md5   bool   // uploads: send each request's Content-MD5
	conc  int
	prof  string // write a CPU profile here (with -profile)
}

func (j sdkJob) args() []string {
	return []string{sdkWorkerCmd, "-op", j.op, "-url", j.url, "-local", j.local,
		fmt.Sprintf("-md5=%t", j.md5), fmt.Sprintf("-conc=%d", j.conc), "-cpuprofile", j.prof}
}

func sdkWorkerMain(args []string) int {
	fs := flag.NewFlagSet(sdkWorkerCmd, flag.ContinueOnError)
	var j sdkJob
	fs.StringVar(&j.op, "op", "", "upload, download, list or plist")
	fs.StringVar(&j.url, "url", "", "container URL with SAS")
	fs.StringVar(&j.local, "local", "", "local folder")
	fs.BoolVar(&j.md5, "md5", false, "send Content-MD5 with every upload request")
	fs.IntVar(&j.conc, "conc", 32, "concurrency")
	fs.StringVar(&j.prof, "cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if j.prof != "" {
		stop, err := startCPUProfile(j.prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer stop()
	}
	ctx := context.Background()
	cc, err := sdkContainerClient(j.url, j.conc, j.md5)
	if err == nil {
		switch j.op {
		case "upload":
			err = sdkUpload(ctx, cc, j)
		case "download":
			err = sdkDownload(ctx, cc, j)
		case "list":
			err = sdkList(ctx, cc, j)
		case "plist":
			err = sdkParallelList(ctx, cc, j)
		default:
			err = fmt.Errorf("unknown op %q", j.op)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk baseline:", err)
		return 1
	}
	return 0
}

// sdkContainerClient uses the SDK's defaults except for the connection pool, sized to the
// concurrency as any tuned client would (the SDK's default keeps 10 idle connections per host, so
// 32 workers would keep opening new ones), exactly as azsync sizes its own.
func sdkContainerClient(u string, conc int, withMD5 bool) (*container.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * conc
	tr.MaxIdleConnsPerHost = 2 * conc
	opts := &container.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: &http.Client{Transport: tr}}}
	if withMD5 {
		// UploadFile refuses a caller's MD5 (one value cannot fit every block), so the MD5 of each
		// block goes in through the pipeline instead: the hook the SDK offers for it.
		opts.PerCallPolicies = []policy.Policy{blockMD5Policy{}}
	}
	return container.NewClientWithNoCredential(u, opts)
}

// blockMD5Policy sets Content-MD5 on every Put Block and Put Blob request that has none, computed
// from its body.
type blockMD5Policy struct{}

func (blockMD5Policy) Do(req *policy.Request) (*http.Response, error) {
	raw := req.Raw()
	comp := raw.URL.Query().Get("comp")
	putBlob := comp == "" && raw.Header.Get("x-ms-blob-type") != ""
	if raw.Method == http.MethodPut && (comp == "block" || putBlob) && req.Body() != nil &&
		raw.Header.Get("Content-MD5") == "" {
		h := md5.New()
		if _, err := io.Copy(h, req.Body()); err != nil {
			return nil, err
		}
		if err := req.RewindBody(); err != nil {
			return nil, err
		}
		raw.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(h.Sum(nil)))
	}
	return req.Next()
}

type localFile struct {
	name string // '/'-separated, relative
	size int64
}

// pool runs fn over every item with n goroutines and returns the first error.
func pool[T any](ctx context.Context, n int, items func(yield func(T) bool) error, fn func(context.Context, T) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	ch := make(chan T)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for it := range ch {
				if err := fn(ctx, it); err != nil {
					cancel(err)
				}
			}
		})
	}
	err := items(func(it T) bool {
		select {
		case ch <- it:
			return true
		case <-ctx.Done():
			return false
		}
	})
	close(ch)
	wg.Wait()
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

func walkFiles(root string) func(yield func(localFile) bool) error {
	return func(yield func(localFile) bool) error {
		return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			if !yield(localFile{filepath.ToSlash(rel), info.Size()}) {
				return filepath.SkipAll
			}
			return nil
		})
	}
}

// sdkUpload: files up to one block with one Upload (Put Blob) each from a pool of workers; larger
// files with UploadFile, blocks in parallel.
func sdkUpload(ctx context.Context, cc *container.Client, j sdkJob) error {
	return pool(ctx, j.conc, walkFiles(j.local), func(ctx context.Context, f localFile) error {
		bb := cc.NewBlockBlobClient(f.name)
		path := filepath.Join(j.local, filepath.FromSlash(f.name))
		if f.size > sdkBlockSize {
			file, err := os.Open(path)
			if err != nil {
				return err
			}
			defer file.Close()
			_, err = bb.UploadFile(ctx, file, &blockblob.UploadFileOptions{BlockSize: sdkBlockSize, Concurrency: uint16(j.conc)})
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		opts := &blockblob.UploadOptions{}
		if j.md5 {
			sum := md5.Sum(data)
			opts.TransactionalValidation = blob.TransferValidationTypeMD5(sum[:])
		}
		_, err = bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(data)), opts)
		return err
	})
}

// sdkDownload lists the container and downloads every blob with DownloadFile.
func sdkDownload(ctx context.Context, cc *container.Client, j sdkJob) error {
	var dirs sync.Map
	list := func(yield func(localFile) bool) error {
		pager := cc.NewListBlobsFlatPager(nil)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return err
			}
			for _, b := range page.Segment.BlobItems {
				if !yield(localFile{*b.Name, *b.Properties.ContentLength}) {
					return nil
				}
			}
		}
		return nil
	}
	return pool(ctx, j.conc, list, func(ctx context.Context, f localFile) error {
		path := filepath.Join(j.local, filepath.FromSlash(f.name))
		dir := filepath.Dir(path)
		if _, done := dirs.Load(dir); !done {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			dirs.Store(dir, true)
		}
		file, err := os.Create(path)
		if err != nil {
			return err
		}
		_, err = cc.NewBlobClient(f.name).DownloadFile(ctx, file, &blob.DownloadFileOptions{BlockSize: sdkBlockSize, Concurrency: uint16(j.conc)})
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// sdkList is the least a no-op sync has to do: list both sides and compare modification times (the
// local side in a map, the container with one flat listing). It checks that nothing would be copied.
func sdkList(ctx context.Context, cc *container.Client, j sdkJob) error {
	local, err := localTimes(j.local)
	if err != nil {
		return err
	}
	var seen, newer int
	pager := cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range page.Segment.BlobItems {
			mt, ok := local[*b.Name]
			if !ok {
				continue
			}
			seen++
			if mt.After(blobTime(b)) {
				newer++
			}
		}
	}
	if seen != len(local) || newer != 0 {
		return fmt.Errorf("not a no-op: %d local files, %d of them in the container, %d newer locally", len(local), seen, newer)
	}
	return nil
}

// sdkParallelList is the no-op with the container listed folder by folder, up to conc listings at
// once (what a tool must do where one flat listing is not possible, and what a round-trip time makes
// worth doing in parallel): the local side in a map, then every folder's hierarchical listing, with
// metadata, compared by time.
func sdkParallelList(ctx context.Context, cc *container.Client, j sdkJob) error {
	local, err := localTimes(j.local)
	if err != nil {
		return err
	}
	var seen, newer atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.conc)
	var list func(prefix string) error
	list = func(prefix string) error {
		pager := cc.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{
			Prefix: &prefix, Include: container.ListBlobsInclude{Metadata: true}})
		for pager.More() {
			page, err := pager.NextPage(gctx)
			if err != nil {
				return err
			}
			for _, p := range page.Segment.BlobPrefixes {
				sub := *p.Name
				if !g.TryGo(func() error { return list(sub) }) {
					if err := list(sub); err != nil {
						return err
					}
				}
			}
			for _, b := range page.Segment.BlobItems {
				if mt, ok := local[*b.Name]; ok {
					seen.Add(1)
					if mt.After(blobTime(b)) {
						newer.Add(1)
					}
				}
			}
		}
		return nil
	}
	g.Go(func() error { return list("") })
	if err := g.Wait(); err != nil {
		return err
	}
	if seen.Load() != int64(len(local)) || newer.Load() != 0 {
		return fmt.Errorf("not a no-op: %d local files, %d of them in the container, %d newer locally", len(local), seen.Load(), newer.Load())
	}
	return nil
}

// localTimes maps every regular file under root ('/'-separated relative path) to its mtime.
func localTimes(root string) (map[string]time.Time, error) {
	local := map[string]time.Time{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		local[filepath.ToSlash(rel)] = info.ModTime()
		return nil
	})
	return local, err
}

// blobTime is a listed blob's effective time: its recorded mtime, else Last-Modified.
func blobTime(b *container.BlobItem) time.Time {
	for k, v := range b.Metadata {
		if strings.EqualFold(k, blobstore.MtimeKey) && v != nil {
			if t, err := time.Parse(time.RFC3339Nano, *v); err == nil {
				return t
			}
		}
	}
	return *b.Properties.LastModified
}
