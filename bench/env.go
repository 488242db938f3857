package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/service"

	"golang.org/x/sync/errgroup"

	"github.com/azsync/azsync/internal/testenv"
)

// benchEnv is what every measurement shares: the emulator, its credentials, the tools and the
// working folder.
type benchEnv struct {
	cfg        config
	az         *testenv.Azurite
	svc        *service.Client
	sas        string // account SAS, without '?'
	work       string // temporary working folder
	bin        string // the azsync binary under test
	self       string // this benchmark's own executable, re-run for the SDK loops
	azuritePID int    // 0 when it could not be found (then no server CPU is reported)
	profDir    string // set with -profile
	logDir     string // AZCOPY_LOG_LOCATION for azsync runs
	load0      string // load average when the benchmark started
}

func newBenchEnv(work, bin, self string, cfg config) (*benchEnv, error) {
	e := &benchEnv{cfg: cfg, work: work, bin: bin, self: self, logDir: filepath.Join(work, "logs")}
	if err := os.MkdirAll(e.logDir, 0o755); err != nil {
		return nil, err
	}
	return e, nil
}

// startAzurite starts a fresh emulator for one part of the benchmark. Each part gets its own: Azurite
// sweeps unreferenced extents ten minutes after it starts, and with the ~100,000 extents a full run
// creates that sweep blocks it for minutes; a fresh one also starts without the previous part's blobs,
// which every listing would scan.
func (e *benchEnv) startAzurite(ctx context.Context) error {
	az, err := testenv.StartAzurite(ctx)
	if err != nil {
		return err
	}
	svc, err := az.Service()
	if err != nil {
		az.Stop()
		return err
	}
	sas, err := az.AccountSAS(time.Now().Add(24 * time.Hour))
	if err != nil {
		az.Stop()
		return err
	}
	e.az, e.svc, e.sas, e.azuritePID = az, svc, sas, 0
	if u, err := url.Parse(az.Endpoint); err == nil {
		if port, err := strconv.Atoi(u.Port()); err == nil {
			e.azuritePID = listenerPID(port)
		}
	}
	if _, err := svc.GetProperties(ctx, nil); err != nil {
		e.stopAzurite()
		return fmt.Errorf("azurite does not answer: %w", err)
	}
	logf("Azurite at %s (process %d)", az.Endpoint, e.azuritePID)
	return nil
}

func (e *benchEnv) stopAzurite() {
	if e.az != nil {
		e.az.Stop()
		e.az = nil
	}
}

// containerURL is the path-style URL of a container (and optional virtual directory) with the SAS.
func (e *benchEnv) containerURL(container, dir string) string {
	u := e.az.Endpoint + "/" + container
	if dir != "" {
		u += "/" + dir
	}
	return u + "?" + e.sas
}

func (e *benchEnv) createContainer(ctx context.Context, name string) error {
	_, err := e.svc.NewContainerClient(name).Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("creating container %s: %w", name, err)
	}
	return nil
}

// deleteContainer frees the emulator's memory once a container's measurements are done.
func (e *benchEnv) deleteContainer(ctx context.Context, name string) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if _, err := e.svc.NewContainerClient(name).Delete(ctx, nil); err != nil {
		logf("warning: deleting container %s: %v", name, err)
	}
}

// warmUp exercises the emulator's request paths (Put Blob, Put Block, Put Block List, listings,
// ranged reads) before anything is measured, so that the first measurement does not pay for the
// JavaScript engine's warm-up.
func (e *benchEnv) warmUp(ctx context.Context) error {
	const name = "bench-warmup"
	if err := e.createContainer(ctx, name); err != nil {
		return err
	}
	defer e.deleteContainer(context.WithoutCancel(ctx), name)
	cc := e.svc.NewContainerClient(name)
	small := make([]byte, 4<<10)
	block := make([]byte, 4<<20)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := range 400 {
		g.Go(func() error {
			_, err := cc.NewBlockBlobClient(fmt.Sprintf("d%d/f%d", i%10, i)).UploadBuffer(gctx, small, nil)
			return err
		})
	}
	for i := range 4 {
		g.Go(func() error {
			bb := cc.NewBlockBlobClient(fmt.Sprintf("big%d", i))
			var ids []string
			for j := range 4 {
				id := base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "block-%04d", j))
				sum := md5.Sum(block)
				if _, err := bb.StageBlock(gctx, id, streaming.NopCloser(bytes.NewReader(block)),
					&blockblob.StageBlockOptions{TransactionalValidation: blob.TransferValidationTypeMD5(sum[:])}); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			_, err := bb.CommitBlockList(gctx, ids, nil)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("warming Azurite up: %w", err)
	}
	pager := cc.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Include: container.ListBlobsInclude{Metadata: true}})
	for pager.More() {
		if _, err := pager.NextPage(ctx); err != nil {
			return err
		}
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := range 400 {
		g.Go(func() error {
			_, err := cc.NewBlobClient(fmt.Sprintf("d%d/f%d", i%10, i)).DownloadBuffer(gctx, small, nil)
			return err
		})
	}
	for i := range 4 {
		g.Go(func() error {
			buf := make([]byte, 4*len(block))
			_, err := cc.NewBlobClient(fmt.Sprintf("big%d", i)).DownloadBuffer(gctx, buf, &blob.DownloadBufferOptions{BlockSize: 4 << 20, Concurrency: 4})
			return err
		})
	}
	return g.Wait()
}
