package files

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"golang.org/x/sync/errgroup"

	"github.com/azsync/azsync/internal/store"
)

// SourceURL implements store.URLSource: the file's URL with the share's SAS, which another share's
// Put Range From URL presents to read it.
func (s *Store) SourceURL(name string) string { return s.fileClient(s.full(name)).URL() }

// CopyFromURL implements store.ServerCopier for a source in a share (File → File, within an account
// or between two): the service moves the bytes. The copy is written the way Put writes: a temporary
// created at the source's size with its HTTP headers (content type, encoding, language,
// disposition, cache control, Content-MD5), metadata and the last-write time e.ModTime, filled with
// Put Range From URL in ranges of at most 4 MiB in parallel (a file over 4 MiB copies only the
// ranges Get Range List says hold data: sparse files stay sparse), then renamed into place.
//
// The source is read at its listed version: its properties are read before the ranges and again
// after them, and a source whose ETag is not the listed one, or changed meanwhile, fails with
// store.ErrSourceChanged, leaving the destination as it was. Requests per small file: Get File
// Properties, Create, Put Range From URL, Get File Properties, Rename.
func (s *Store) CopyFromURL(ctx context.Context, e store.Entry, srcURL string) (err error) {
	src, err := file.NewClientWithNoCredential(srcURL, &file.ClientOptions{ClientOptions: s.opts.Client,
		AllowTrailingDot: to.Ptr(true), AllowSourceTrailingDot: to.Ptr(true)})
	if err != nil {
		return err
	}
	props, err := src.GetProperties(ctx, nil)
	if err != nil {
		return fmt.Errorf("reading the source's properties: %w", err)
	}
	if err := sameVersion(e.ETag, props.ETag); err != nil {
		return err
	}
	path := s.full(e.Name)
	w := &upload{s: s, e: e, dir: parent(path)}
	if err := w.preserve(ctx, props); err != nil {
		return err
	}
	w.tmp = s.fileClient(store.Join(w.dir, store.TempName()))
	defer func() {
		if err != nil {
			w.discard(ctx)
		}
	}()
	headers := &file.HTTPHeaders{ContentType: props.ContentType, ContentEncoding: props.ContentEncoding,
		ContentLanguage: props.ContentLanguage, ContentDisposition: props.ContentDisposition,
		CacheControl: props.CacheControl, ContentMD5: props.ContentMD5}
	if err := w.create(ctx, headers, func(o *file.CreateOptions) func(error) {
		o.Metadata = props.Metadata
		return func(error) {}
	}); err != nil {
		return err
	}
	if err := s.copyRanges(ctx, src, w.tmp, e.Size); err != nil {
		return err
	}
	after, err := src.GetProperties(ctx, nil)
	if err != nil {
		return fmt.Errorf("reading the source's properties after the copy: %w", err)
	}
	if err := sameVersion(string(*props.ETag), after.ETag); err != nil {
		return err
	}
	return w.commit(ctx, path)
}

// preserve sets what --preserve-info and --preserve-permissions carry from the source's properties.
func (w *upload) preserve(ctx context.Context, props file.GetPropertiesResponse) error {
	info := smbFrom(props.FileAttributes, props.FilePermissionKey, props.FileCreationTime)
	var err error
	if w.smb, err = w.s.smbProps(info, w.e.ModTime, false); err != nil {
		return err
	}
	if w.final, err = w.s.smbProps(info, w.e.ModTime, true); err != nil {
		return err
	}
	w.perm, err = w.s.permission(ctx, info)
	return err
}

// sameVersion fails with store.ErrSourceChanged unless the ETag now is the one expected.
func sameVersion(want string, now *azcore.ETag) error {
	if want == "" || now == nil || strings.Trim(want, `"`) == strings.Trim(string(*now), `"`) {
		return nil
	}
	return fmt.Errorf("%w (its ETag is no longer the listed one); the destination was left as it was", store.ErrSourceChanged)
}

// copyRanges fills dst from src with Put Range From URL: the whole extent of a file of at most one
// range, else only the source's ranges that hold data, each cut into pieces of at most 4 MiB that
// run in parallel within the engine's slots.
func (s *Store) copyRanges(ctx context.Context, src, dst *file.Client, size int64) error {
	if size == 0 {
		return nil
	}
	extents := [][2]int64{{0, size}}
	if size > MaxRange {
		resp, err := src.GetRangeList(ctx, nil)
		if err != nil {
			return fmt.Errorf("listing the source's ranges: %w", err)
		}
		extents = extents[:0]
		for _, r := range resp.Ranges {
			if r.Start != nil && r.End != nil {
				extents = append(extents, [2]int64{*r.Start, *r.End + 1})
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16) // extents in flight; the engine's slots bound the requests
	for _, x := range extents {
		g.Go(func() error {
			return s.opts.Engine.Remote(gctx, x[1]-x[0], MaxRange, func(ctx context.Context, _ int, off, n int64) error {
				_, err := dst.UploadRangeFromURL(ctx, src.URL(), x[0]+off, x[0]+off, n, &file.UploadRangeFromURLOptions{
					LastWrittenMode: to.Ptr(file.LastWrittenModePreserve),
				})
				return err
			})
		})
	}
	return g.Wait()
}
