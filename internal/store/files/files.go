// Package files is the store for a directory of an Azure Files share.
//
// Azure Files keeps SMB times to 100 ns: the store says so (store.TimePrecision), and the syncer
// compares times at that precision. It has no rename that azsync can rely on (the project's emulator
// answers 501 for it), so Put writes a file in place: an upload that is interrupted leaves a file
// whose last-write time is not the source's (it is set last), so the next run copies it again and
// the sync converges.
package files

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/transfer"
)

// MaxRange is the most bytes one Put Range may carry.
const MaxRange = 4 << 20

// Precision is how finely Azure Files keeps SMB times.
const Precision = 100 * time.Nanosecond

// Options configure uploads.
type Options struct {
	Engine    *transfer.Engine
	BlockSize int64 // chosen range size (capped at MaxRange for uploads); 0 picks one per file
	PutMD5    bool  // store the whole-content MD5 as Content-MD5
}

// Store is the files and directories under one directory of a share.
type Store struct {
	sc      *share.Client
	root    string // directory path within the share, "" for its root, no leading or trailing '/'
	display string // share URL without its query, for messages
	opts    Options
}

// New returns the store for the directory dir ("" for the root) of the share sc.
func New(sc *share.Client, dir string, opts Options) *Store {
	display := sc.URL()
	if u, err := url.Parse(display); err == nil {
		u.RawQuery = ""
		display = strings.TrimSuffix(u.String(), "/")
	}
	return &Store{sc: sc, root: strings.Trim(dir, "/"), display: display, opts: opts}
}

// Display is the entry's URL without credentials.
func (s *Store) Display(name string) string {
	p := s.full(name)
	if p == "" {
		return s.display
	}
	return s.display + "/" + store.EscapePath(p)
}

// Precision implements store.TimePrecision.
func (s *Store) Precision() time.Duration { return Precision }

func (s *Store) full(name string) string {
	switch {
	case s.root == "":
		return name
	case name == "":
		return s.root
	}
	return s.root + "/" + name
}

// dirClient is the client of the directory at a share path ("" is the root). It is built segment by
// segment: the SDK escapes the name it is given, '/' included.
func (s *Store) dirClient(path string) *directory.Client {
	d := s.sc.NewRootDirectoryClient()
	if path == "" {
		return d
	}
	for seg := range strings.SplitSeq(path, "/") {
		d = d.NewSubdirectoryClient(seg)
	}
	return d
}

func (s *Store) fileClient(path string) *file.Client {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return s.sc.NewRootDirectoryClient().NewFileClient(path)
	}
	return s.dirClient(path[:i]).NewFileClient(path[i+1:])
}

// RootExists reports whether the store's directory exists; a missing share is an error.
func (s *Store) RootExists(ctx context.Context) (bool, error) {
	if _, err := s.sc.NewRootDirectoryClient().GetProperties(ctx, nil); err != nil {
		if fileerror.HasCode(err, fileerror.ShareNotFound) {
			return false, fmt.Errorf("the share %s does not exist (azsync does not create Files shares)", s.display)
		}
		return false, err
	}
	if s.root == "" {
		return true, nil
	}
	return s.dirExists(ctx, s.root)
}

func (s *Store) dirExists(ctx context.Context, path string) (bool, error) {
	_, err := s.dirClient(path).GetProperties(ctx, nil)
	switch {
	case err == nil:
		return true, nil
	case notFound(err) || fileerror.HasCode(err, fileerror.ResourceTypeMismatch):
		return false, nil
	}
	return false, err
}

func notFound(err error) bool {
	return fileerror.HasCode(err, fileerror.ResourceNotFound, fileerror.ParentNotFound) || isStatus(err, 404)
}

func isStatus(err error, code int) bool {
	var re *azcore.ResponseError
	return errors.As(err, &re) && re.StatusCode == code
}

// MakeRoot creates the store's directory and any missing parent.
func (s *Store) MakeRoot(ctx context.Context) error { return s.mkdirAll(ctx, s.root) }

// mkdirAll creates every missing directory of path, from the top.
func (s *Store) mkdirAll(ctx context.Context, path string) error {
	if path == "" {
		return nil
	}
	d := s.sc.NewRootDirectoryClient()
	for seg := range strings.SplitSeq(path, "/") {
		d = d.NewSubdirectoryClient(seg)
		if _, err := d.Create(ctx, nil); err != nil && !fileerror.HasCode(err, fileerror.ResourceAlreadyExists) {
			return fmt.Errorf("creating directory %s: %w", d.URL(), err)
		}
	}
	return nil
}

// List yields the files and directories directly under dir in Key order. Azure Files does not promise
// name order, so the whole directory (all its pages) is read and sorted before the first entry is
// yielded: the memory a listing holds is that of the directory being listed.
func (s *Store) List(ctx context.Context, dir string) iter.Seq2[store.Entry, error] {
	return func(yield func(store.Entry, error) bool) {
		pager := s.dirClient(s.full(dir)).NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
			Include:             directory.ListFilesInclude{Timestamps: true, ETag: true},
			IncludeExtendedInfo: to.Ptr(true),
		})
		var entries []store.Entry
		for pager.More() {
			resp, err := pager.NextPage(ctx)
			if err != nil {
				yield(store.Entry{}, fmt.Errorf("listing %s: %w", s.Display(dir), err))
				return
			}
			if resp.Segment == nil {
				continue
			}
			for _, d := range resp.Segment.Directories {
				if d.Name == nil {
					continue
				}
				e := store.Entry{Name: store.Join(dir, *d.Name), IsDir: true, Marker: true}
				if p := d.Properties; p != nil && p.LastWriteTime != nil {
					e.ModTime = *p.LastWriteTime
				}
				entries = append(entries, e)
			}
			for _, f := range resp.Segment.Files {
				if f.Name == nil {
					continue
				}
				e := store.Entry{Name: store.Join(dir, *f.Name)}
				if p := f.Properties; p != nil {
					if p.LastWriteTime != nil {
						e.ModTime = *p.LastWriteTime
					}
					if p.ContentLength != nil {
						e.Size = *p.ContentLength
					}
					if p.ETag != nil {
						e.ETag = string(*p.ETag)
					}
				}
				entries = append(entries, e)
			}
		}
		slices.SortFunc(entries, func(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) })
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// Stat describes the file or directory at name; a missing one is store.ErrNotExist.
func (s *Store) Stat(ctx context.Context, name string) (store.Entry, error) {
	props, err := s.fileClient(s.full(name)).GetProperties(ctx, nil)
	if err == nil {
		e := store.Entry{Name: name, MD5: props.ContentMD5}
		if props.FileLastWriteTime != nil {
			e.ModTime = *props.FileLastWriteTime
		}
		if props.ContentLength != nil {
			e.Size = *props.ContentLength
		}
		if props.ContentType != nil {
			e.ContentType = *props.ContentType
		}
		if props.ETag != nil {
			e.ETag = string(*props.ETag)
		}
		return e, nil
	}
	if !notFound(err) && !fileerror.HasCode(err, fileerror.ResourceTypeMismatch) {
		return store.Entry{}, fmt.Errorf("reading properties of %s: %w", s.Display(name), err)
	}
	dp, derr := s.dirClient(s.full(name)).GetProperties(ctx, nil)
	switch {
	case derr == nil:
		e := store.Entry{Name: name, IsDir: true, Marker: true}
		if dp.FileLastWriteTime != nil {
			e.ModTime = *dp.FileLastWriteTime
		}
		return e, nil
	case notFound(derr) || fileerror.HasCode(derr, fileerror.ResourceTypeMismatch):
		return store.Entry{}, fmt.Errorf("%s: %w", s.Display(name), store.ErrNotExist)
	}
	return store.Entry{}, fmt.Errorf("reading properties of %s: %w", s.Display(name), derr)
}

// HashMD5 is the Content-MD5 stored with a file (listings of a share carry none), so that
// --compare-hash=MD5 compares what uploads stored; nil when the file has none.
func (s *Store) HashMD5(ctx context.Context, name string) ([]byte, error) {
	e, err := s.Stat(ctx, name)
	if err != nil {
		return nil, err
	}
	return e.MD5, nil
}

// Open returns ranged reads of the file. Files offers no If-Match on reads, so each range checks the
// ETag it was served against the listed one: a file that changes during a download fails the transfer
// instead of producing a mix of two versions.
func (s *Store) Open(_ context.Context, e store.Entry) (store.Source, error) {
	return &fileSource{client: s.fileClient(s.full(e.Name)), etag: e.ETag}, nil
}

type fileSource struct {
	client *file.Client
	etag   string
}

func (f *fileSource) ReadAt(ctx context.Context, p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	resp, err := f.client.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: off, Count: int64(len(p))}})
	if err != nil {
		return err
	}
	body := resp.NewRetryReader(ctx, &file.RetryReaderOptions{MaxRetries: 5})
	defer body.Close()
	if f.etag != "" && resp.ETag != nil && strings.Trim(string(*resp.ETag), `"`) != strings.Trim(f.etag, `"`) {
		return fmt.Errorf("the file changed while it was being downloaded; run the sync again")
	}
	if _, err := io.ReadFull(body, p); err != nil {
		return fmt.Errorf("reading range %d-%d: %w", off, off+int64(len(p))-1, err)
	}
	return nil
}

func (f *fileSource) Close() error { return nil }

// Put writes src to the file in place: Create (which replaces an existing file) with the final size,
// then Put Range requests of at most 4 MiB in parallel, each with the MD5 of its body, which the
// service checks, and last the HTTP headers and the SMB last-write time, set to e.ModTime (kept to
// 100 ns). Missing parent directories are created. For a directory entry it creates the directory.
func (s *Store) Put(ctx context.Context, e store.Entry, src store.Source) error {
	path := s.full(e.Name)
	if e.IsDir {
		if err := s.mkdirAll(ctx, path); err != nil {
			return err
		}
		_, err := s.dirClient(path).SetProperties(ctx, &directory.SetPropertiesOptions{
			FileSMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(e.ModTime)},
		})
		return err
	}
	blockSize, err := transfer.BlockSize(e.Size, s.opts.BlockSize)
	if err != nil {
		return err
	}
	rangeSize := min(blockSize, MaxRange)
	contentType := e.ContentType
	if contentType == "" {
		head := make([]byte, min(e.Size, 512))
		if err := src.ReadAt(ctx, head, 0); err != nil {
			return err
		}
		contentType = transfer.ContentType(e.Name, head)
	}
	fc := s.fileClient(path)
	create := func() error {
		_, err := fc.Create(ctx, e.Size, &file.CreateOptions{
			HTTPHeaders:   &file.HTTPHeaders{ContentType: &contentType},
			SMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(e.ModTime)},
		})
		return err
	}
	if err := create(); err != nil {
		if !fileerror.HasCode(err, fileerror.ParentNotFound) {
			return err
		}
		if err := s.mkdirAll(ctx, parent(path)); err != nil {
			return err
		}
		if err := create(); err != nil {
			return err
		}
	}
	var whole []byte
	if e.Size > 0 {
		whole, err = s.opts.Engine.Chunked(ctx, e.Size, rangeSize, s.opts.PutMD5,
			func(ctx context.Context, off int64, buf []byte) error { return src.ReadAt(ctx, buf, off) },
			func(ctx context.Context, c *transfer.Chunk) error {
				sum := md5.Sum(c.Data)
				body := transfer.NewRequestBody(c)
				_, err := fc.UploadRange(ctx, c.Offset, body, &file.UploadRangeOptions{
					TransactionalValidation: file.TransferValidationTypeMD5(sum[:]),
					LastWrittenMode:         to.Ptr(file.LastWrittenModePreserve),
				})
				body.Release(err)
				return err
			})
		if err != nil {
			return err
		}
	} else if s.opts.PutMD5 {
		sum := md5.Sum(nil)
		whole = sum[:]
	}
	// Set File Properties replaces every HTTP header: the content type goes again.
	_, err = fc.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{
		HTTPHeaders:   &file.HTTPHeaders{ContentType: &contentType, ContentMD5: whole},
		SMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(e.ModTime)},
	})
	return err
}

func parent(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return ""
	}
	return path[:i]
}

// Delete removes a file, or an empty directory (a non-empty one is an error).
func (s *Store) Delete(ctx context.Context, name string, isDir bool) error {
	var err error
	if isDir {
		_, err = s.dirClient(s.full(name)).Delete(ctx, nil)
	} else {
		_, err = s.fileClient(s.full(name)).Delete(ctx, nil)
	}
	if notFound(err) {
		return nil
	}
	return err
}

// CheckName refuses names Azure Files cannot hold: the characters " \ : | < > * ?, control
// characters, invalid UTF-8, and components longer than 255 characters.
func (s *Store) CheckName(name string) error {
	switch {
	case !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid UTF-8, which Azure Files does not allow", name)
	case strings.ContainsAny(name, `"\:|<>*?`):
		return fmt.Errorf(`name %q holds one of the characters " \ : | < > * ?, which Azure Files does not allow`, name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("name %q holds a control character, which Azure Files does not allow", name)
	}
	for seg := range strings.SplitSeq(name, "/") {
		if utf8.RuneCountInString(seg) > 255 {
			return fmt.Errorf("name %q has a component longer than the 255 characters Azure Files allows", name)
		}
	}
	return nil
}

var _ interface {
	store.Store
	store.Hasher
	store.NameChecker
	store.TimePrecision
} = (*Store)(nil)
