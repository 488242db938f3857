// Package files is the store for a directory of an Azure Files share.
//
// Azure Files keeps SMB times to 100 ns: the store says so (store.TimePrecision), and the syncer
// compares times at that precision. Files are written under a temporary name and renamed into
// place (see Put), so an interrupted upload never leaves a wrong file under the real name.
package files

import (
	"context"
	"crypto/md5"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/directory"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/file"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/fileerror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azfile/share"

	"github.com/azsync/azsync/internal/store"
	"github.com/azsync/azsync/internal/store/remote"
	"github.com/azsync/azsync/internal/transfer"
)

// MaxRange is the most bytes one Put Range may carry.
const MaxRange = 4 << 20

// Precision is how finely Azure Files keeps SMB times.
const Precision = 100 * time.Nanosecond

// Options configure uploads.
type Options struct {
	// Client is the pipeline's configuration, for the clients of source files that File → File
	// copies read from (their URLs carry their own SAS).
	Client    azcore.ClientOptions
	Engine    *transfer.Engine
	BlockSize int64 // chosen range size (capped at MaxRange for uploads); 0 picks one per file
	PutMD5    bool  // store the whole-content MD5 as Content-MD5
	// PreserveInfo carries a File → File source's attributes and creation time (--preserve-info).
	PreserveInfo bool
	// PreservePermissions carries its security descriptor (--preserve-permissions); see
	// PermissionsFrom.
	PreservePermissions bool
	// Notify, when set, is told of each listing page asked for again after a cut answer and of
	// each re-read of a download's body after a cut connection.
	Notify func(msg string)
}

// Store is the files and directories under one directory of a share.
type Store struct {
	sc      *share.Client
	root    string // directory path within the share, "" for its root, no leading or trailing '/'
	display string // share URL without its query, for messages
	opts    Options

	mu sync.Mutex
	// began is the service's clock when the store was opened (RootExists); zero until then.
	began time.Time
	// leftovers are the share paths of temporaries, seen by complete listings, that no write has
	// touched since began: an interrupted run's, to remove.
	leftovers []string

	perms *permissions // --preserve-permissions: the source share and the keys made here
}

// New returns the store for the directory dir ("" for the root) of the share sc.
func New(sc *share.Client, dir string, opts Options) *Store {
	display := strings.TrimSuffix(remote.WithoutQuery(sc.URL()), "/")
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
	resp, err := s.sc.NewRootDirectoryClient().GetProperties(ctx, nil)
	if err != nil {
		if fileerror.HasCode(err, fileerror.ShareNotFound) {
			return false, fmt.Errorf("the share %s does not exist (azsync does not create Files shares)", s.display)
		}
		return false, err
	}
	if resp.Date != nil {
		s.mu.Lock()
		s.began = *resp.Date
		s.mu.Unlock()
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
	return fileerror.HasCode(err, fileerror.ResourceNotFound, fileerror.ParentNotFound) || remote.IsStatus(err, 404)
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
		pager := func(marker *string) *runtime.Pager[directory.ListFilesAndDirectoriesResponse] {
			return s.dirClient(s.full(dir)).NewListFilesAndDirectoriesPager(&directory.ListFilesAndDirectoriesOptions{
				Include:             directory.ListFilesInclude{Timestamps: true, ETag: true, Attributes: true, PermissionKey: true},
				IncludeExtendedInfo: to.Ptr(true), Marker: marker,
			})
		}
		var entries []store.Entry
		var temps []string
		for items, err := range remote.Pages(ctx, pager, nextPage, s.notifier(dir)) {
			if err != nil {
				yield(store.Entry{}, fmt.Errorf("listing %s: %w", s.Display(dir), err))
				return
			}
			for _, it := range items {
				switch {
				case !store.IsTemp(it.e.Name):
					it.e.Name = store.Join(dir, it.e.Name)
					entries = append(entries, it.e)
				case !it.e.IsDir && s.abandoned(it.lastModified):
					temps = append(temps, s.full(store.Join(dir, it.e.Name)))
				}
			}
		}
		s.addLeftovers(temps)
		slices.SortFunc(entries, func(a, b store.Entry) int { return strings.Compare(store.Key(a), store.Key(b)) })
		for _, e := range entries {
			if !yield(e, nil) {
				return
			}
		}
	}
}

// abandoned reports whether a temporary was last written before this run began, by the service's
// clock: then it is no run's work in progress (writes touch it every range), but what a killed run
// left. One written since may be another run's (a shard of the same sync) and is left alone.
func (s *Store) abandoned(lastModified time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.began.IsZero() && !lastModified.IsZero() && lastModified.Before(s.began)
}

func (s *Store) addLeftovers(paths []string) {
	if len(paths) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leftovers = append(s.leftovers, paths...)
}

// RemoveLeftovers implements store.LeftoverRemover: it deletes the abandoned temporaries that
// complete listings found.
func (s *Store) RemoveLeftovers(ctx context.Context) (int, error) {
	s.mu.Lock()
	paths := s.leftovers
	s.leftovers = nil
	s.mu.Unlock()
	removed := 0
	for _, p := range paths {
		if _, err := s.fileClient(p).Delete(ctx, nil); err != nil && !notFound(err) {
			return removed, fmt.Errorf("removing the temporary %s left by an interrupted run: %w", s.display+"/"+store.EscapePath(p), err)
		}
		removed++
	}
	return removed, nil
}

// rangeSize is the size of one Put Range: the chosen block size up to MaxRange. A file takes as many
// ranges as it needs; the 50,000-block limit of block blobs does not apply to Azure Files.
func (s *Store) rangeSize() int64 {
	if s.opts.BlockSize > 0 {
		return min(s.opts.BlockSize, MaxRange)
	}
	return MaxRange
}

// AtomicPut implements store.AtomicWriter: Put renames a complete temporary into place.
func (s *Store) AtomicPut() bool { return true }

// RealDirs implements store.RealDirs: directories of a share exist on their own.
func (s *Store) RealDirs() {}

// Stat describes the file or directory at name; a missing one is store.ErrNotExist.
func (s *Store) Stat(ctx context.Context, name string) (store.Entry, error) {
	props, err := s.fileClient(s.full(name)).GetProperties(ctx, nil)
	if err == nil {
		e := store.Entry{Name: name, MD5: props.ContentMD5, SMB: smbFrom(props.FileAttributes, props.FilePermissionKey, props.FileCreationTime)}
		if props.FileLastWriteTime != nil {
			e.ModTime = *props.FileLastWriteTime
		}
		remote.Props(&e, props.ContentLength, props.ContentType, props.ETag)
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
	return &fileSource{client: s.fileClient(s.full(e.Name)), etag: e.ETag, display: s.Display(e.Name), notify: s.opts.Notify}, nil
}

type fileSource struct {
	client  *file.Client
	etag    string
	display string
	notify  func(string)
}

func (f *fileSource) ReadAt(ctx context.Context, p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	resp, err := f.client.DownloadStream(ctx, &file.DownloadStreamOptions{Range: file.HTTPRange{Offset: off, Count: int64(len(p))}})
	if err != nil {
		return err
	}
	again := &file.RetryReaderOptions{MaxRetries: remote.BodyRetries}
	if f.notify != nil {
		again.OnFailedRead = func(failures int32, err error, r file.HTTPRange, willRetry bool) {
			if willRetry {
				f.notify(remote.ReadAgain(f.display, r.Offset, failures, err))
			}
		}
	}
	body := resp.NewRetryReader(ctx, again)
	if f.etag != "" && resp.ETag != nil && strings.Trim(string(*resp.ETag), `"`) != strings.Trim(f.etag, `"`) {
		body.Close()
		return fmt.Errorf("the file changed while it was being downloaded; run the sync again")
	}
	return remote.ReadRange(body, p, off)
}

func (f *fileSource) Close() error { return nil }

// Put writes src under a temporary name in the target's directory (store.TempName), then renames
// it into place with Rename File, replacing an existing file (a read-only one too). The temporary is
// created with its HTTP headers and the SMB last-write time e.ModTime (kept to 100 ns) in the same
// request, ranges preserve that time, and the rename keeps it: whatever ends a run, no file under
// the real name has content that is not the source's. A failed write deletes its temporary; one left
// by a killed run is skipped by listings and removed by the next run (RemoveLeftovers).
//
// Requests per file: up to 4 MiB (one range), the content travels in the Create itself, so a small
// file is Create + Rename = 2 requests. A larger one is Create, one Put Range per range of at most
// 4 MiB in parallel (each with the MD5 of its body, which the service checks), then Rename; with
// --put-md5 a Set File Properties before the rename stores the whole-content MD5, known only once
// every range is read. The rename costs a request over writing in place: correctness first.
//
// For a directory entry it creates the directory, with its last-write time.
func (s *Store) Put(ctx context.Context, e store.Entry, src store.Source) (err error) {
	if e.IsDir {
		return s.makeDir(ctx, e)
	}
	path := s.full(e.Name)
	w := &upload{s: s, e: e, src: src, dir: parent(path), rangeSize: s.rangeSize()}
	w.tmp = s.fileClient(store.Join(w.dir, store.TempName()))
	defer func() {
		if err != nil {
			w.discard(ctx)
		}
	}()
	if e.Size <= w.rangeSize {
		err = w.small(ctx)
	} else {
		err = w.ranges(ctx)
	}
	if err != nil {
		return err
	}
	// A local file saved during its upload may have mixed two versions: not made visible.
	if err := store.Unchanged(ctx, src); err != nil {
		return err
	}
	return w.commit(ctx, path)
}

// commit renames the complete temporary into place at path, replacing what is there (a read-only
// file too), keeping the last-write time.
func (w *upload) commit(ctx context.Context, path string) error {
	smb := w.final
	if smb == nil {
		smb = &file.SMBProperties{LastWriteTime: to.Ptr(w.e.ModTime)}
	}
	_, err := w.tmp.Rename(ctx, renameTarget(path, w.tmp.URL()), &file.RenameOptions{
		ReplaceIfExists: to.Ptr(true),
		IgnoreReadOnly:  to.Ptr(true),
		SMBProperties:   smb,
	})
	if err != nil {
		return fmt.Errorf("renaming the written temporary into place: %w", err)
	}
	return nil
}

// renameTarget is how Rename must be given the share path: the SDK trims spaces off both ends of
// what it is given (and "/" after that) and takes a query it finds there for the target's URL. So
// the path goes between a leading "/" and the client's own query (its SAS), which keeps a name's
// leading and trailing spaces.
func renameTarget(path, clientURL string) string {
	query := ""
	if u, err := url.Parse(clientURL); err == nil {
		query = u.RawQuery
	}
	return "/" + path + "?" + query
}

// upload is one file on its way to the share, under its temporary name.
type upload struct {
	s         *Store
	e         store.Entry
	src       store.Source
	dir       string // the target's directory, a share path
	rangeSize int64
	tmp       *file.Client
	created   bool
	// smb and final are the SMB properties of the Create and of the rename, and perm the
	// permission, under --preserve-info and --preserve-permissions (nil: the last-write time only).
	smb, final *file.SMBProperties
	perm       *file.Permissions
}

// small sends a file of at most one range: its content goes in the Create request, with its MD5
// checked by the service and, under --put-md5, stored as Content-MD5.
func (w *upload) small(ctx context.Context) error {
	_, err := w.s.opts.Engine.Chunked(ctx, w.e.Size, w.rangeSize, false,
		func(ctx context.Context, off int64, buf []byte) error { return w.src.ReadAt(ctx, buf, off) },
		func(ctx context.Context, c *transfer.Chunk) error {
			sum := md5.Sum(c.Data)
			headers := &file.HTTPHeaders{ContentType: to.Ptr(w.contentType(c.Data))}
			if w.s.opts.PutMD5 {
				headers.ContentMD5 = sum[:]
			}
			return w.create(ctx, headers, func(o *file.CreateOptions) func(error) {
				if len(c.Data) == 0 {
					return func(error) {}
				}
				body := transfer.NewRequestBody(c)
				o.OptionalBody, o.ContentMD5 = body, sum[:]
				return body.Release
			})
		})
	return err
}

// ranges sends a file larger than one range: Create at its size, then Put Range requests in
// parallel, which keep the last-write time the Create set.
func (w *upload) ranges(ctx context.Context) error {
	var head []byte
	if w.e.ContentType == "" && transfer.ByName(w.e.Name) == "" {
		// Only the first bytes can tell the type: read them before the Create that records it.
		head = make([]byte, 512)
		if err := w.src.ReadAt(ctx, head, 0); err != nil {
			return err
		}
	}
	headers := &file.HTTPHeaders{ContentType: to.Ptr(w.contentType(head))}
	if err := w.create(ctx, headers, nil); err != nil {
		return err
	}
	// A --compare-hash checker that already read the content hands its MD5 over in e.MD5.
	whole, err := w.s.opts.Engine.Chunked(ctx, w.e.Size, w.rangeSize, w.s.opts.PutMD5 && w.e.MD5 == nil,
		func(ctx context.Context, off int64, buf []byte) error { return w.src.ReadAt(ctx, buf, off) },
		func(ctx context.Context, c *transfer.Chunk) error {
			sum := md5.Sum(c.Data)
			body := transfer.NewRequestBody(c)
			_, err := w.tmp.UploadRange(ctx, c.Offset, body, &file.UploadRangeOptions{
				TransactionalValidation: file.TransferValidationTypeMD5(sum[:]),
				LastWrittenMode:         to.Ptr(file.LastWrittenModePreserve),
			})
			body.Release(err)
			return err
		})
	if err != nil || !w.s.opts.PutMD5 {
		return err
	}
	if w.e.MD5 != nil {
		whole = w.e.MD5
	}
	// Set File Properties replaces every HTTP header: the content type goes again.
	headers.ContentMD5 = whole
	_, err = w.tmp.SetHTTPHeaders(ctx, &file.SetHTTPHeadersOptions{
		HTTPHeaders:   headers,
		SMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(w.e.ModTime)},
	})
	return err
}

func (w *upload) contentType(head []byte) string {
	if w.e.ContentType != "" {
		return w.e.ContentType
	}
	return transfer.ContentType(w.e.Name, head[:min(int64(len(head)), w.e.Size)])
}

// create creates the temporary at the file's size with its headers and last-write time. with, when
// set, adds a body to the request and returns what to call with the request's outcome. The walk
// creates directories before their files; a parent missing anyway (removed meanwhile, or a single
// file to a new directory) is created and the Create tried again.
func (w *upload) create(ctx context.Context, headers *file.HTTPHeaders, with func(*file.CreateOptions) func(error)) error {
	attempt := func() error {
		o := &file.CreateOptions{
			HTTPHeaders:   headers,
			SMBProperties: &file.SMBProperties{LastWriteTime: to.Ptr(w.e.ModTime)},
			Permissions:   w.perm,
		}
		if w.smb != nil {
			o.SMBProperties = w.smb
		}
		done := func(error) {}
		if with != nil {
			done = with(o)
		}
		_, err := w.tmp.Create(ctx, w.e.Size, o)
		done(err)
		return err
	}
	err := attempt()
	if fileerror.HasCode(err, fileerror.ParentNotFound) {
		if err = w.s.mkdirAll(ctx, w.dir); err == nil {
			err = attempt()
		}
	}
	w.created = err == nil
	return err
}

// discard deletes the temporary of a failed upload, even when the run is being cancelled: a
// temporary is never data, and the next run would otherwise have to remove it.
func (w *upload) discard(ctx context.Context) {
	if !w.created {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	w.tmp.Delete(ctx, nil)
}

// makeDir creates the directory e.Name with its last-write time (and, under --preserve-info and
// --preserve-permissions, the source's attributes, creation time and security descriptor) in one
// request; one that exists already gets them set. The walk creates parents first; a missing one is
// created anyway.
func (s *Store) makeDir(ctx context.Context, e store.Entry) error {
	path := s.full(e.Name)
	smb, err := s.smbProps(e.SMB, e.ModTime, true)
	if err != nil {
		return err
	}
	perm, err := s.permission(ctx, e.SMB)
	if err != nil {
		return err
	}
	d := s.dirClient(path)
	create := func() error {
		_, err := d.Create(ctx, &directory.CreateOptions{FileSMBProperties: smb, FilePermissions: perm})
		return err
	}
	err = create()
	if fileerror.HasCode(err, fileerror.ParentNotFound) {
		if err = s.mkdirAll(ctx, parent(path)); err == nil {
			err = create()
		}
	}
	if fileerror.HasCode(err, fileerror.ResourceAlreadyExists) {
		_, err = d.SetProperties(ctx, &directory.SetPropertiesOptions{FileSMBProperties: smb, FilePermissions: perm})
	}
	if err != nil {
		return fmt.Errorf("creating directory %s: %w", s.Display(e.Name), err)
	}
	return nil
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
	store.AtomicWriter
	store.Hasher
	store.NameChecker
	store.TimePrecision
	store.LeftoverRemover
	store.RealDirs
	store.URLSource
	store.ServerCopier
	store.FolderProperties
} = (*Store)(nil)

// notifier is what remote.Pages tells of a listing of dir, for Options.Notify.
func (s *Store) notifier(dir string) func(string) {
	return remote.Notifier(s.opts.Notify, func() string { return s.Display(dir) })
}
