// Package blob is the store for a virtual directory of an Azure Blob container.
package blob

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	azblob "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/azsync/azsync/internal/posix"
	"github.com/azsync/azsync/internal/retry"
	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/remote"
	"github.com/azsync/azsync/internal/transfer"
)

// MtimeKey is the metadata key under which uploads record the source's modification time (RFC 3339
// with nanoseconds), the key rclone uses, so that a blob's effective time is its source's.
const MtimeKey = "mtime"

// Options configure uploads.
type Options struct {
	Engine      *transfer.Engine
	BlockSize   int64 // chosen block size; 0 picks one per file
	PutBlobSize int64 // files up to this size go in one Put Blob; 0 means the file's block size
	PutMD5      bool  // store the whole-content MD5 as Content-MD5
	// PreserveTier gives server-side copies the source's access tier (--s2s-preserve-access-tier).
	PreserveTier bool
	// PreserveTags lists index tags, and server-side copies set the source's (--s2s-preserve-blob-tags).
	PreserveTags bool
	// Retry is the client's retry policy, which Put Blob From URL narrows (see CopyFromURL).
	Retry policy.RetryOptions
	// Notify, when set, is told of each re-read of a download's body after a cut connection.
	Notify func(msg string)
	// Posix lists the reference's POSIX metadata of each blob into Entry.Posix
	// (--preserve-posix-properties); whatever the setting, writes store the Posix an entry carries.
	Posix bool
	// StreamFallback says the run copies through azsync what the service cannot copy (--s2s-copy=
	// auto): requests that read a source by URL are not retried on 500 then, so that the first one
	// says at once that the service cannot read the source.
	StreamFallback bool
}

// Store is the blobs under a prefix of one container.
type Store struct {
	cc      *container.Client
	prefix  string // "" or ends with "/"
	display string // container URL without its query, for messages
	opts    Options
	// noPutFromURL is set once the service has refused Put Blob From URL: blocks from then on.
	noPutFromURL atomic.Bool
}

// New returns the store for the blobs under dir ("" for the whole container) in cc.
func New(cc *container.Client, dir string, opts Options) *Store {
	prefix := strings.TrimSuffix(dir, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &Store{cc: cc, prefix: prefix, display: remote.WithoutQuery(cc.URL()), opts: opts}
}

// Display is the blob's URL without credentials.
func (s *Store) Display(name string) string {
	return s.display + "/" + store.EscapePath(s.prefix+name)
}

// EnsureContainer creates the container when it is missing. A credential that may not read the
// container's properties (a SAS scoped to blobs) is not an error: the listing will say if it is missing.
func (s *Store) EnsureContainer(ctx context.Context) error {
	_, err := s.cc.GetProperties(ctx, nil)
	if err == nil || !bloberror.HasCode(err, bloberror.ContainerNotFound) {
		return nil
	}
	_, err = s.cc.Create(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return fmt.Errorf("creating container %s: %w", s.display, err)
	}
	return nil
}

// ContainerExists reports whether the container is there (a dry run plans against an empty one if not).
func (s *Store) ContainerExists(ctx context.Context) (bool, error) {
	_, err := s.cc.GetProperties(ctx, nil)
	switch {
	case err == nil:
		return true, nil
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		return false, nil
	case bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch, bloberror.AuthorizationResourceTypeMismatch):
		// A SAS scoped below the container may not read its properties: cannot tell, and the
		// listing will say.
		return true, nil
	}
	return false, err
}

// List yields the blobs and virtual directories directly under dir, with one request per page of up to
// 5000 entries. A directory stub (a zero-length blob "d" marked hdi_isfolder) is not a file: it is
// yielded as directory d with Marker set, merged with the prefix "d/" when d has contents. Blob names
// ending in '/' have no file equivalent and are left out.
func (s *Store) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	prefix := s.prefix
	if dir != "" {
		prefix += dir + "/"
	}
	return func(yield func(store.Entry, error) bool) {
		pager := func(marker *string) *runtime.Pager[container.ListBlobsHierarchyResponse] {
			return s.cc.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{
				Prefix: &prefix, Marker: marker, Include: container.ListBlobsInclude{Metadata: true, Tags: s.opts.PreserveTags},
			})
		}
		// Stubs sort as "d" among blobs but stand for directory "d/", which may come later, even
		// pages later: they wait here, in Key order, until the listing reaches their place.
		var stubs []store.Entry
		fetch := func(ctx context.Context, p *runtime.Pager[container.ListBlobsHierarchyResponse]) ([]store.Entry, *string, error) {
			return s.nextPage(ctx, p)
		}
		for page, err := range remote.Pages(ctx, pager, fetch, s.notifier(dir)) {
			if err != nil {
				yield(store.Entry{}, fmt.Errorf("listing %s: %w", s.Display(dir), err))
				return
			}
			if !s.yieldPage(ctx, s.pageEntries(page, &stubs), &stubs, yield) {
				return
			}
		}
		for _, stub := range stubs {
			if !yield(stub, nil) {
				return
			}
		}
	}
}

// pageEntries makes the entries of one listing page (see decodeListing) relative to the store, in
// Key order, in place, and moves its directory stubs into stubs instead.
func (s *Store) pageEntries(page []store.Entry, stubs *[]store.Entry) []store.Entry {
	kept := page[:0]
	for _, e := range page {
		prefix := e.IsDir && !e.Marker
		switch {
		case prefix:
			e.Name = strings.TrimSuffix(strings.TrimPrefix(e.Name, s.prefix), "/")
		case strings.HasSuffix(e.Name, "/"):
			continue // a blob name with no file equivalent
		default:
			e.Name = strings.TrimPrefix(e.Name, s.prefix)
		}
		if e.Marker {
			i, _ := slices.BinarySearchFunc(*stubs, e, byKey)
			*stubs = slices.Insert(*stubs, i, e)
			continue
		}
		kept = append(kept, e)
	}
	// The service lists prefixes and blobs in one name order (the SDK returns them in two lists).
	if !slices.IsSortedFunc(kept, byKey) {
		slices.SortFunc(kept, byKey)
	}
	return kept
}

// yieldPage yields the entries of one page with the waiting stubs that sort before them, merging a
// stub into the prefix of the same name. It reports whether the caller still wants more.
func (s *Store) yieldPage(ctx context.Context, page []store.Entry, stubs *[]store.Entry, yield func(store.Entry, error) bool) bool {
	for _, e := range page {
		for len(*stubs) > 0 && byKey((*stubs)[0], e) < 0 {
			if !yield((*stubs)[0], nil) {
				return false
			}
			*stubs = (*stubs)[1:]
		}
		if e.IsDir && !store.ValidSegment(store.Base(e.Name)) {
			if !s.yieldEach(ctx, e.Name+"/", yield) {
				return false
			}
			continue
		}
		if len(*stubs) > 0 && e.IsDir && (*stubs)[0].Name == e.Name {
			e.Marker, e.ModTime = true, (*stubs)[0].ModTime
			*stubs = (*stubs)[1:]
		}
		if !yield(e, nil) {
			return false
		}
	}
	return true
}

func byKey(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) }

// yieldEach yields every blob under a prefix that cannot be a directory on a file system ("a//",
// "../", "/"), as files with their full names, so that each is reported by name rather than the
// whole prefix at once. They sort where the prefix did, so the listing stays in Key order.
func (s *Store) yieldEach(ctx context.Context, prefix string, yield func(store.Entry, error) bool) bool {
	full := s.prefix + prefix
	pager := func(marker *string) *runtime.Pager[container.ListBlobsFlatResponse] {
		return s.cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &full, Marker: marker})
	}
	fetch := func(ctx context.Context, p *runtime.Pager[container.ListBlobsFlatResponse]) (*container.BlobFlatListSegment, *string, error) {
		resp, err := p.NextPage(ctx)
		if err == nil && resp.Segment == nil {
			err = remote.ErrEmptyPage
		}
		return resp.Segment, resp.NextMarker, err
	}
	for seg, err := range remote.Pages(ctx, pager, fetch, s.notifier(prefix)) {
		if err != nil {
			yield(store.Entry{}, fmt.Errorf("listing %s: %w", s.Display(prefix), err))
			return false
		}
		if err := unnamed(nil, seg.BlobItems); err != nil {
			yield(store.Entry{}, fmt.Errorf("listing %s: %w", s.Display(prefix), err))
			return false
		}
		for _, b := range seg.BlobItems {
			if !yield(s.entryOfItem(strings.TrimPrefix(*b.Name, s.prefix), b), nil) {
				return false
			}
		}
	}
	return true
}

// CheckName refuses names that Blob storage would store under another name or could not list back.
func (s *Store) CheckName(name string) error {
	switch {
	case strings.ContainsRune(name, '\\'):
		return fmt.Errorf("name %q holds a '\\', which Blob storage turns into '/'", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid UTF-8", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("name %q holds a control character, which Blob storage cannot list back", name)
	case utf8.RuneCountInString(s.prefix+name) > 1024:
		return fmt.Errorf("name %q is longer than the 1024 characters a blob name may have", name)
	}
	return nil
}

// folderKey marks a directory stub blob, as Data Lake Storage and the reference write them.
const folderKey = "hdi_isfolder"

func isFolderStub(md map[string]*string) bool {
	v := metadata(md, folderKey)
	return v != nil && strings.EqualFold(*v, "true")
}

// metadata looks a key up case-insensitively: the service and emulators differ in the case they return.
func metadata(md map[string]*string, key string) *string {
	for k, v := range md {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// mtimeValue is the metadata value that records an entry's effective time.
func mtimeValue(e store.Entry) *string { return to.Ptr(e.ModTime.UTC().Format(time.RFC3339Nano)) }

// effectiveTime is the recorded source mtime when there is a valid one, else Last-Modified.
func effectiveTime(md map[string]*string, lastModified *time.Time) time.Time {
	if v := metadata(md, MtimeKey); v != nil {
		if t, err := time.Parse(time.RFC3339Nano, *v); err == nil {
			return t
		}
	}
	if lastModified != nil {
		return *lastModified
	}
	return time.Time{}
}

// listPosix keeps the blob's POSIX metadata in e, with Posix. A blob that another tool uploaded with
// them but without azsync's mtime has the POSIX modtime as its effective time, so that once
// downloaded with its times restored it is not copied again on the next run.
func (s *Store) listPosix(e *store.Entry, md map[string]*string) {
	if !s.opts.Posix {
		return
	}
	for k, v := range md {
		if key, ok := posix.IsKey(k); ok && v != nil {
			if e.Posix == nil {
				e.Posix = map[string]string{}
			}
			e.Posix[key] = *v
		}
	}
	if metadata(md, MtimeKey) == nil {
		if t, ok, err := posix.ModTime(e.Posix); err == nil && ok {
			e.ModTime = t
		}
	}
}

// entryMetadata is the metadata every write records: the effective time and the POSIX properties
// the entry carries.
func entryMetadata(e store.Entry) map[string]*string {
	md := map[string]*string{MtimeKey: mtimeValue(e)}
	for k, v := range e.Posix {
		md[k] = to.Ptr(v)
	}
	return md
}

// unnamed refuses a listing page with an entry that has no name, which no merge can place.
func unnamed(prefixes []*container.BlobPrefix, items []*container.BlobItem) error {
	for _, p := range prefixes {
		if p == nil || p.Name == nil {
			return errors.New("the service listed a prefix without a name")
		}
	}
	for _, b := range items {
		if b == nil || b.Name == nil {
			return errors.New("the service listed a blob without a name")
		}
	}
	return nil
}

func (s *Store) entryOfItem(name string, b *container.BlobItem) store.Entry {
	p := b.Properties
	if p == nil {
		p = &container.BlobProperties{}
	}
	e := store.Entry{Name: name, ModTime: effectiveTime(b.Metadata, p.LastModified), MD5: p.ContentMD5}
	s.listPosix(&e, b.Metadata)
	if b.BlobTags != nil {
		e.Tags = map[string]string{}
		for _, t := range b.BlobTags.BlobTagSet {
			if t.Key != nil && t.Value != nil {
				e.Tags[*t.Key] = *t.Value
			}
		}
	}
	remote.Props(&e, p.ContentLength, p.ContentType, p.ETag)
	if p.AccessTier != nil {
		e.AccessTier = string(*p.AccessTier)
	}
	return e
}

// Stat describes the blob at name, or the directory: a stub, or a virtual directory when blobs are
// under name + "/", as List shows it. Nothing there is store.ErrNotExist.
func (s *Store) Stat(ctx context.Context, name string) (store.Entry, error) {
	props, err := s.cc.NewBlobClient(s.prefix+name).GetProperties(ctx, nil)
	if err != nil {
		if !bloberror.HasCode(err, bloberror.BlobNotFound, bloberror.ContainerNotFound) && !remote.IsStatus(err, 404) {
			return store.Entry{}, fmt.Errorf("reading properties of %s: %w", s.Display(name), err)
		}
		if virtual, err := s.HasBlobsUnder(ctx, name+"/"); err != nil || virtual {
			return store.Entry{Name: name, IsDir: true}, err
		}
		return store.Entry{}, fmt.Errorf("%s: %w", s.Display(name), store.ErrNotExist)
	}
	e := store.Entry{Name: name, ModTime: effectiveTime(props.Metadata, props.LastModified), MD5: props.ContentMD5}
	s.listPosix(&e, props.Metadata)
	if isFolderStub(props.Metadata) {
		e.IsDir, e.Marker = true, true
		return e, nil
	}
	remote.Props(&e, props.ContentLength, props.ContentType, props.ETag)
	return e, nil
}

// HasBlobsUnder reports whether any blob's name starts with prefix (relative to the store's root).
func (s *Store) HasBlobsUnder(ctx context.Context, prefix string) (bool, error) {
	full := s.prefix + prefix
	pager := s.cc.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &full, MaxResults: to.Ptr[int32](1)})
	if !pager.More() {
		return false, nil
	}
	page, err := pager.NextPage(ctx)
	if err != nil {
		if bloberror.HasCode(err, bloberror.ContainerNotFound) {
			return false, nil
		}
		return false, fmt.Errorf("listing %s: %w", s.Display(prefix), err)
	}
	return len(page.Segment.BlobItems) > 0, nil
}

// Open returns ranged reads of the blob, each insisting on the listed version (If-Match), so a blob that
// changes during a download fails the transfer instead of producing a mix of two versions.
func (s *Store) Open(_ context.Context, e store.Entry) (store.Source, error) {
	return &blobSource{client: s.cc.NewBlobClient(s.prefix + e.Name), etag: e.ETag, display: s.Display(e.Name), notify: s.opts.Notify}, nil
}

type blobSource struct {
	client  *azblob.Client
	etag    string
	display string
	notify  func(string)
}

func (b *blobSource) ReadAt(ctx context.Context, p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	opts := &azblob.DownloadStreamOptions{Range: azblob.HTTPRange{Offset: off, Count: int64(len(p))}}
	if b.etag != "" {
		etag := azcore.ETag(b.etag)
		opts.AccessConditions = &azblob.AccessConditions{ModifiedAccessConditions: &azblob.ModifiedAccessConditions{IfMatch: &etag}}
	}
	resp, err := b.client.DownloadStream(ctx, opts)
	if err != nil {
		if bloberror.HasCode(err, bloberror.ConditionNotMet) {
			return fmt.Errorf("the blob changed while it was being downloaded; run the sync again")
		}
		return err
	}
	again := &azblob.RetryReaderOptions{MaxRetries: remote.BodyRetries}
	if b.notify != nil {
		again.OnFailedRead = func(failures int32, err error, r azblob.HTTPRange, willRetry bool) {
			if willRetry {
				b.notify(remote.ReadAgain(b.display, r.Offset, failures, err))
			}
		}
	}
	return remote.ReadRange(resp.NewRetryReader(ctx, again), p, off)
}

// Identity is the blob's URL without credentials; its version is the entry's ETag.
func (b *blobSource) Identity() string { return b.display }

func (b *blobSource) Close() error { return nil }

var _ store.Identified = (*blobSource)(nil)

// Put uploads src as a block blob. Up to the Put Blob size it is one request; above, blocks are staged
// in parallel and committed. Every request carries the MD5 of its own body, which the service checks.
// Nothing is made visible when the source changed while it was read (store.Verifier). An MD5 the
// entry carries (a --compare-hash checker's, or a blob source's Content-MD5) is stored as
// Content-MD5, after checking it against the content when that is in hand (one Put Blob); a blob
// source's access tier (with PreserveTier) and tags go along as with CopyFromURL.
func (s *Store) Put(ctx context.Context, e store.Entry, src store.Source) error {
	bb := s.cc.NewBlockBlobClient(s.prefix + e.Name)
	if e.IsDir {
		_, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{
			Metadata: map[string]*string{folderKey: to.Ptr("true"), MtimeKey: mtimeValue(e)},
		})
		return err
	}
	blockSize, err := transfer.BlockSize(e.Size, s.opts.BlockSize)
	if err != nil {
		return err
	}
	putBlobSize := s.opts.PutBlobSize
	if putBlobSize == 0 {
		putBlobSize = blockSize
	}
	if e.Size <= putBlobSize {
		return s.putWhole(ctx, bb, e, src)
	}
	return s.putBlocks(ctx, bb, e, src, blockSize)
}

// putWhole uploads src in one Put Blob request.
func (s *Store) putWhole(ctx context.Context, bb *blockblob.Client, e store.Entry, src store.Source) error {
	contentType := e.ContentType
	headers := azblob.HTTPHeaders{BlobContentType: &contentType}
	meta := entryMetadata(e)
	_, err := s.opts.Engine.Chunked(ctx, e.Size, max(e.Size, 1), false,
		func(ctx context.Context, off int64, buf []byte) error { return src.ReadAt(ctx, buf, off) },
		func(ctx context.Context, c *transfer.Chunk) error {
			// The whole file is in hand: send it only if it is still the listed version.
			if err := store.Unchanged(ctx, src); err != nil {
				return err
			}
			if contentType == "" { // sniffed from the content in hand, not read again
				contentType = transfer.ContentType(e.Name, c.Data[:min(len(c.Data), 512)])
			}
			sum := md5.Sum(c.Data)
			// A blob source's Content-MD5 must be what was read. A local file's MD5 may come from
			// the hash cache: the file in hand is the truth, and its sum is stored.
			if _, local := src.(store.Verifier); e.MD5 != nil && !local && !bytes.Equal(e.MD5, sum[:]) {
				return fmt.Errorf("the content read has MD5 %x, not the source's Content-MD5 %x", sum, e.MD5)
			}
			if s.opts.PutMD5 || e.MD5 != nil {
				headers.BlobContentMD5 = sum[:]
			}
			body := transfer.NewRequestBody(c)
			_, err := bb.Upload(ctx, body, &blockblob.UploadOptions{
				HTTPHeaders: &headers, Metadata: meta, Tier: s.tier(e), Tags: e.Tags, TransactionalValidation: azblob.TransferValidationTypeMD5(sum[:]),
			})
			body.Release(err)
			return err
		})
	if err == nil {
		tellMD5(src, headers.BlobContentMD5)
	}
	return err
}

// putBlocks stages src in blocks of blockSize, in parallel, and commits them once the source is
// known to be unchanged.
func (s *Store) putBlocks(ctx context.Context, bb *blockblob.Client, e store.Entry, src store.Source, blockSize int64) error {
	contentType, err := blocksContentType(ctx, e, src)
	if err != nil {
		return err
	}
	// Blocks an interrupted upload of this same source staged are not sent again (see resume.go).
	plan, err := planBlocks(ctx, bb, e, store.Identity(src), blockSize)
	if err != nil {
		return err
	}
	// A --compare-hash checker that already read the content hands its MD5 over in e.MD5.
	whole, err := s.opts.Engine.ChunkedExcept(ctx, e.Size, blockSize, s.opts.PutMD5 && e.MD5 == nil, plan.done,
		func(ctx context.Context, off int64, buf []byte) error { return src.ReadAt(ctx, buf, off) },
		func(ctx context.Context, c *transfer.Chunk) error {
			sum := md5.Sum(c.Data)
			body := transfer.NewRequestBody(c)
			_, err := bb.StageBlock(ctx, plan.ids[c.Index], body, &blockblob.StageBlockOptions{
				TransactionalValidation: azblob.TransferValidationTypeMD5(sum[:]),
			})
			body.Release(err)
			return err
		})
	if err != nil {
		return err
	}
	// Blocks of a file that changed while it was read may mix two versions: they stay uncommitted
	// (the service drops them within a week), no later run reuses them (their IDs name the listed
	// time), and the blob keeps its previous content.
	if err := store.Unchanged(ctx, src); err != nil {
		return err
	}
	if e.MD5 != nil { // a --compare-hash checker's, or a remote source's Content-MD5
		whole = e.MD5
	}
	headers := azblob.HTTPHeaders{BlobContentType: &contentType, BlobContentMD5: whole}
	meta := entryMetadata(e)
	if _, err = bb.CommitBlockList(ctx, plan.ids, &blockblob.CommitBlockListOptions{HTTPHeaders: &headers, Metadata: meta, Tier: s.tier(e), Tags: e.Tags}); err != nil {
		return err
	}
	tellMD5(src, whole)
	return nil
}

// blocksContentType is the content type of a multi-block upload: the entry's, else the extension's,
// else sniffed from the first 512 bytes, read only then.
func blocksContentType(ctx context.Context, e store.Entry, src store.Source) (string, error) {
	if e.ContentType != "" {
		return e.ContentType, nil
	}
	if ct := transfer.ByName(e.Name); ct != "" {
		return ct, nil
	}
	head := make([]byte, min(e.Size, 512))
	if err := src.ReadAt(ctx, head, 0); err != nil {
		return "", err
	}
	return transfer.ContentType(e.Name, head), nil
}

// tellMD5 hands the MD5 of an uploaded content to a source that keeps it (the local hash cache).
func tellMD5(src store.Source, sum []byte) {
	if sink, ok := src.(store.MD5Sink); ok && sum != nil {
		sink.SetMD5(sum)
	}
}

// Delete removes a blob, or a directory's stub; directories themselves are virtual and vanish with
// their last blob.
func (s *Store) Delete(ctx context.Context, name string, _ bool) error {
	_, err := s.cc.NewBlobClient(s.prefix+name).Delete(ctx, &azblob.DeleteOptions{DeleteSnapshots: to.Ptr(azblob.DeleteSnapshotsOptionTypeInclude)})
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil
	}
	return err
}

// SourceURL is the blob's URL with the store's SAS, for the service to read it from.
func (s *Store) SourceURL(name string) string { return s.cc.NewBlobClient(s.prefix + name).URL() }

// CopyFromURL has the service copy a blob: up to the Put Blob size with one Put Blob From URL, else
// (or where the service does not support it, as Azurite) block by block with Put Block From URL, in
// parallel, and a commit. Every read of the source insists on the listed version (If-Match). The
// source's content type, Content-MD5 and, with PreserveTier, access tier go along; its time is
// recorded as at upload. Put, given the source's content, writes the same properties: it is the
// way around a service that cannot read the source (store.SourceUnreachableError).
func (s *Store) CopyFromURL(ctx context.Context, e store.Entry, srcURL string) error {
	bb := s.cc.NewBlockBlobClient(s.prefix + e.Name)
	headers := &azblob.HTTPHeaders{BlobContentType: &e.ContentType, BlobContentMD5: e.MD5}
	meta := entryMetadata(e)
	tier := s.tier(e)
	var sourceCond *azblob.SourceModifiedAccessConditions
	if e.ETag != "" {
		sourceCond = &azblob.SourceModifiedAccessConditions{SourceIfMatch: to.Ptr(azcore.ETag(e.ETag))}
	}
	if e.Size == 0 {
		_, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(nil)), &blockblob.UploadOptions{HTTPHeaders: headers, Metadata: meta, Tier: tier})
		return err
	}
	blockSize, err := transfer.BlockSize(e.Size, s.opts.BlockSize)
	if err != nil {
		return err
	}
	putBlobSize := s.opts.PutBlobSize
	if putBlobSize == 0 {
		putBlobSize = blockSize
	}
	if e.Size <= putBlobSize && !s.noPutFromURL.Load() {
		done, err := s.putFromURL(ctx, bb, srcURL, &blockblob.UploadBlobFromURLOptions{
			HTTPHeaders: headers, Metadata: meta, Tier: tier, SourceModifiedAccessConditions: sourceCond, Tags: e.Tags,
		})
		if done {
			return unreachable(err)
		}
	}
	// The source's ETag pins its version, so blocks an interrupted copy staged are reused.
	plan, err := planBlocks(ctx, bb, e, remote.WithoutQuery(srcURL), blockSize)
	if err != nil {
		return err
	}
	stageCtx := ctx
	if s.opts.StreamFallback {
		stageCtx = s.no500Retries(ctx)
	}
	err = s.opts.Engine.RemoteExcept(stageCtx, e.Size, blockSize, plan.done, func(ctx context.Context, idx int, off, length int64) error {
		_, err := bb.StageBlockFromURL(ctx, plan.ids[idx], srcURL, &blockblob.StageBlockFromURLOptions{
			Range: azblob.HTTPRange{Offset: off, Count: length}, SourceModifiedAccessConditions: sourceCond,
		})
		return err
	})
	if err != nil {
		return unreachable(err)
	}
	_, err = bb.CommitBlockList(ctx, plan.ids, &blockblob.CommitBlockListOptions{HTTPHeaders: headers, Metadata: meta, Tier: tier, Tags: e.Tags})
	return err
}

// putFromURL copies a blob with one Put Blob From URL. Throttling (429, 503), timeouts (408, 504),
// 502 and cut connections are retried by the client's policy. done is false when the copy should
// take the block path instead: the service does not support the operation (501, or the code-less
// 500 an emulator answers), which holds for the rest of the run, or it answered 500 InternalError,
// which is not retried here since the block path retries each of its own requests.
func (s *Store) putFromURL(ctx context.Context, bb *blockblob.Client, srcURL string, opts *blockblob.UploadBlobFromURLOptions) (done bool, err error) {
	_, err = bb.UploadBlobFromURL(s.no500Retries(ctx), srcURL, opts)
	var re *azcore.ResponseError
	switch {
	case !errors.As(err, &re):
		return true, err
	case re.StatusCode == http.StatusNotImplemented, re.StatusCode == http.StatusInternalServerError && re.ErrorCode == "":
		s.noPutFromURL.Store(true)
		return false, nil
	case re.StatusCode == http.StatusInternalServerError:
		return false, nil
	}
	return true, err
}

// no500Retries narrows the client's retries for the requests made with the context it returns:
// throttling (429, 503), timeouts (408, 504), 502 and cut connections only.
func (s *Store) no500Retries(ctx context.Context) context.Context {
	narrowed := s.opts.Retry
	narrowed.StatusCodes = []int{http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout}
	return retry.WithOptions(ctx, narrowed)
}

// unreachable marks an answer saying the service could not read the source by URL:
// CannotVerifyCopySource (but for a 404, a source that is gone, which reading it ourselves would
// not change) or a 500.
func unreachable(err error) error {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return err
	}
	if re.ErrorCode == string(bloberror.CannotVerifyCopySource) && re.StatusCode != http.StatusNotFound ||
		re.StatusCode == http.StatusInternalServerError {
		why := strings.TrimSpace(fmt.Sprintf("%d %s", re.StatusCode, re.ErrorCode))
		return &store.SourceUnreachableError{Why: why, Err: err}
	}
	return err
}

// tier is the access tier a copy of e gets: its source's, with PreserveTier.
func (s *Store) tier(e store.Entry) *azblob.AccessTier {
	if s.opts.PreserveTier && e.AccessTier != "" {
		return to.Ptr(azblob.AccessTier(e.AccessTier))
	}
	return nil
}

// AtomicPut implements store.AtomicWriter: a blob appears only when its one Put Blob or its block
// list commit succeeds.
func (s *Store) AtomicPut() bool { return true }

var _ interface {
	store.Store
	store.NameChecker
	store.URLSource
	store.ServerCopier
	store.AtomicWriter
} = (*Store)(nil)

// notifier is what remote.Pages tells of a listing of dir, for Options.Notify.
func (s *Store) notifier(dir string) func(string) {
	return remote.Notifier(s.opts.Notify, func() string { return s.Display(dir) })
}
